package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeFile writes a test input under dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// event returns a minimal valid event.
func event(uuid string) string {
	return fmt.Sprintf(`{"uuid":%q,"published":"2024-05-01T10:00:00Z","eventType":"user.session.start"}`, uuid)
}

func TestImportKeepsInputOrder(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for f := range 3 {
		var b bytes.Buffer
		for i := range 7000 {
			uuid := fmt.Sprintf("f%d-%05d", f, i)
			want = append(want, uuid)
			b.WriteString(event(uuid) + "\n")
		}
		writeFile(t, dir, fmt.Sprintf("part%d.ndjson", f), b.Bytes())
	}
	sink := newMemSink()
	sum := importOnce(t, sink, Options{Workers: 4, BatchSize: 1000}, dir)
	if !slices.Equal(sink.order, want) {
		t.Error("events reached the sink out of input order")
	}
	if sum.Files != 3 || sum.Imported != 21000 || len(sink.batches) != 21 || slices.Max(sink.batches) != 1000 {
		t.Errorf("%d files, %d imported in batches %v", sum.Files, sum.Imported, sink.batches)
	}
}

func TestImportCountsDuplicatesWithinABatch(t *testing.T) {
	path := writeFile(t, t.TempDir(), "dups.ndjson", []byte(event("a")+"\n"+event("b")+"\n"+event("a")+"\n"+event("a")+"\n"))
	sum := importOnce(t, newMemSink(), Options{}, path)
	checkCounts(t, "import", sum, 4, 2, 2, 0, 0)
}

// TestImportCountsConflicts checks that a record whose uuid came earlier
// with other content is counted apart from the duplicates, in the summary
// line too, while one that differs only in layout is a duplicate.
func TestImportCountsConflicts(t *testing.T) {
	other := `{"uuid":"a","published":"2024-05-01T10:00:00Z","eventType":"user.session.end"}`
	layout := `{ "eventType": "user.session.start", "published": "2024-05-01T10:00:00Z", "uuid": "a" }`
	path := writeFile(t, t.TempDir(), "conflicts.ndjson", []byte(event("a")+"\n"+other+"\n"+layout+"\n"+event("b")+"\n"))
	sum := importOnce(t, newMemSink(), Options{}, path)
	checkCounts(t, "import", sum, 4, 2, 1, 1, 0)
	if sum.Conflicts != 1 || !strings.Contains(sum.String(), "1 duplicate, 1 conflicting,") {
		t.Errorf("%d conflicts: %s", sum.Conflicts, sum)
	}
}

func TestImportGoesOnAfterABreak(t *testing.T) {
	dir := t.TempDir()
	cutText := "[\n" + event("c1") + ",\n" + event("c2") + ",\n" + `{"uuid":"c3","publ`
	cut := writeFile(t, dir, "a-cut.json", []byte(cutText))
	cutAt := int64(strings.Index(cutText, `{"uuid":"c3"`))
	ndjson := []byte(event("g") + "\n" + event("g2") + "\n")
	gz := gzipBytes(t, ndjson)
	truncated := writeFile(t, dir, "b-truncated.ndjson.gz", gz[:len(gz)-6])
	writeFile(t, dir, "c-good.ndjson", ndjson)
	sink := newMemSink()
	sum, err := Import(context.Background(), []string{dir}, sink, Options{})
	var breaks []*BreakError
	for _, one := range unjoin(err) {
		var be *BreakError
		if errors.As(one, &be) {
			breaks = append(breaks, be)
		}
	}
	if len(breaks) != 2 || breaks[0].File != cut || breaks[0].Offset != cutAt || breaks[1].File != truncated {
		t.Fatalf("error %v, want breaks in %s at byte %d and in %s", err, cut, cutAt, truncated)
	}
	if !slices.Equal(sink.order, []string{"c1", "c2", "g", "g2"}) || sum.Files != 3 || sum.ExitCode(err) != ExitFailure {
		t.Errorf("imported %v from %d files, exit %d", sink.order, sum.Files, sum.ExitCode(err))
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("%s:4: input breaks off at byte %d", cut, cutAt)) {
		t.Errorf("error %q does not say where %s breaks", err, cut)
	}
}

// unjoin lists the errors joined in err.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestImportUnknownFiles(t *testing.T) {
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", []byte("call the SOC\n"))
	writeFile(t, dir, "events.ndjson", []byte(event("a")+"\n"))
	writeFile(t, dir, ".hidden/events.ndjson", []byte(event("hidden")+"\n"))
	sink := newMemSink()
	sum := importOnce(t, sink, Options{}, dir)
	if !slices.Equal(sum.Skipped, []string{notes}) || !slices.Equal(sink.order, []string{"a"}) {
		t.Errorf("walking: skipped %v, imported %v; want notes.txt skipped, only a imported", sum.Skipped, sink.order)
	}
	sum, err := Import(context.Background(), []string{notes}, newMemSink(), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != notes || sum.ExitCode(err) != ExitFailure {
		t.Errorf("a file named explicitly that is no export: %v", err)
	}
	_, err = Import(context.Background(), []string{filepath.Join(dir, "missing.json")}, newMemSink(), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestImportSkipsTheRejectsFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "events.ndjson", []byte(event("a")+"\n{\"bad\":1}\n"))
	rejects := filepath.Join(dir, "rejects.ndjson")
	for range 2 {
		sum := importOnce(t, newMemSink(), Options{RejectsPath: rejects}, dir)
		if sum.Files != 1 || sum.Rejected != 1 {
			t.Errorf("%d files read, %d rejected; the rejects file must not be read back", sum.Files, sum.Rejected)
		}
	}
}

func TestImportStopsOnASinkError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "events.ndjson", synthBytes(t, synthNDJSON, 8<<20))
	sink := newMemSink()
	sink.failAt = 2
	sum, err := Import(context.Background(), []string{path}, sink, Options{BatchSize: 100})
	if !errors.Is(err, errSinkFull) || sum.ExitCode(err) != ExitFailure || sum.Imported != 100 {
		t.Errorf("error %v, %d imported", err, sum.Imported)
	}
	if !strings.Contains(err.Error(), path+":200") {
		t.Errorf("error %q does not say where the failing batch ends", err)
	}
}

func TestImportStopsWhenCancelled(t *testing.T) {
	path := writeFile(t, t.TempDir(), "events.ndjson", synthBytes(t, synthNDJSON, 8<<20))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := Import(ctx, []string{path}, newMemSink(), Options{})
	if !errors.Is(err, context.Canceled) || sum.ExitCode(err) != ExitFailure {
		t.Errorf("error %v", err)
	}
}

// recordingProgress is a Progress that remembers what it was told.
type recordingProgress struct {
	total    int64
	updates  [][2]int64
	finished bool
}

func (p *recordingProgress) Start(total int64) { p.total = total }
func (p *recordingProgress) Update(done int64, records int) {
	p.updates = append(p.updates, [2]int64{done, int64(records)})
}
func (p *recordingProgress) Finish() { p.finished = true }

func TestImportReportsProgress(t *testing.T) {
	dir := t.TempDir()
	a := synthBytes(t, synthNDJSON, 3<<20)
	b := gzipBytes(t, synthBytes(t, synthArray, 2<<20))
	writeFile(t, dir, "a.ndjson", a)
	writeFile(t, dir, "b.json.gz", b)
	p := &recordingProgress{}
	sum := importOnce(t, newMemSink(), Options{Reporter: p, Progress: os.Stdout, Limits: synthLimits}, dir)
	if p.total != int64(len(a)+len(b)) || !p.finished || len(p.updates) < 2 {
		t.Fatalf("total %d (want %d), finished %v, %d updates", p.total, len(a)+len(b), p.finished, len(p.updates))
	}
	if last := p.updates[len(p.updates)-1]; last[0] != p.total || last[1] != int64(sum.Read) || sum.Bytes != p.total {
		t.Errorf("last update %v, summary %d bytes %d records; want %d bytes", last, sum.Bytes, sum.Read, p.total)
	}
	if !slices.IsSortedFunc(p.updates, func(x, y [2]int64) int { return int(x[0]-y[0]) + int(x[1]-y[1]) }) {
		t.Error("progress went backwards")
	}
}

func TestProgressBar(t *testing.T) {
	if _, ok := NewProgress(&bytes.Buffer{}).(nopProgress); !ok {
		t.Error("a progress bar on something that is not a terminal")
	}
	if _, ok := NewProgress(nil).(nopProgress); !ok {
		t.Error("a progress bar on nil")
	}
	var out bytes.Buffer
	bar := newBarProgress(&out)
	bar.Start(10 << 20)
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	bar.Update(5<<20, 12345)
	bar.Finish()
	if !strings.Contains(out.String(), "12,345 events") || !strings.Contains(out.String(), "MB") {
		t.Errorf("bar drew %q", out.String())
	}
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		sum  Summary
		want string
	}{
		{Summary{Files: 3, Read: 1234, Imported: 1200, Duplicates: 30, Rejected: 4, RejectsPath: "rejects.ndjson", Elapsed: 1200 * time.Millisecond},
			"read 1,234 events from 3 files: 1,200 imported, 30 duplicates, 4 rejected (see rejects.ndjson) in 1.2s, 1,028 events/s"},
		{Summary{Files: 1, Read: 1, Imported: 1, Duplicates: 1, Elapsed: 500 * time.Millisecond},
			"read 1 event from 1 file: 1 imported, 1 duplicate, 0 rejected in 0.5s, 2 events/s"},
		{Summary{Files: 2, Read: 10_000_000, Imported: 9_999_990, Rejected: 10, Elapsed: 95 * time.Second, Skipped: []string{"README.md"}},
			"read 10,000,000 events from 2 files: 9,999,990 imported, 0 duplicates, 10 rejected in 1m35s, 105,263 events/s; skipped 1 file that is not a System Log export"},
		{Summary{}, "read 0 events from 0 files: 0 imported, 0 duplicates, 0 rejected in 0.0s"},
	}
	for _, tt := range tests {
		if got := tt.sum.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		sum  Summary
		err  error
		want int
	}{
		{"clean", Summary{Read: 5, Imported: 5}, nil, 0},
		{"duplicates only", Summary{Read: 5, Duplicates: 5}, nil, 0},
		{"rejects", Summary{Read: 5, Imported: 4, Rejected: 1}, nil, 3},
		{"a break beats rejects", Summary{Read: 5, Rejected: 1}, &BreakError{File: "f", Err: io.ErrUnexpectedEOF}, 1},
		{"a failure", Summary{}, errors.New("disk full"), 1},
	}
	for _, tt := range tests {
		if got := tt.sum.ExitCode(tt.err); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestImportStdinAndPipes imports from the standard input ("-") and from a
// path that is a pipe (/dev/stdin, a shell's <(…)), gzip-compressed or
// not: the records land, and rejects name the standard input.
func TestImportStdinAndPipes(t *testing.T) {
	data := event("a") + "\n" + "{not json\n" + event("b") + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(data))
	zw.Close()
	for _, tt := range []struct {
		name, path string
		input      []byte
	}{
		{"dash", Stdin, []byte(data)},
		{"dash, gzip", Stdin, gz.Bytes()},
		{"a pipe's path", "", []byte(data)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			go func() {
				w.Write(tt.input)
				w.Close()
			}()
			path := tt.path
			if path == "" {
				path = fmt.Sprintf("/dev/fd/%d", r.Fd())
			} else {
				stdin := os.Stdin
				os.Stdin = r
				defer func() { os.Stdin = stdin }()
			}
			rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
			sink := newMemSink()
			sum, err := Import(context.Background(), []string{path}, sink, Options{RejectsPath: rejects})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, tt.name, sum, 3, 2, 0, 0, 1)
			if !slices.Equal(sink.order, []string{"a", "b"}) {
				t.Errorf("imported %v", sink.order)
			}
			kept, _ := os.ReadFile(rejects)
			if want := map[bool]string{true: "standard input", false: path}[path == Stdin]; !bytes.Contains(kept, []byte(want)) {
				t.Errorf("rejects do not name %q:\n%s", want, kept)
			}
		})
	}
}
