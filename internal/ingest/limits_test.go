package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gzipBomb returns a gzip of a gzip of head followed by size bytes of
// {"a":1} lines: a few kilobytes that decompress to size bytes.
func gzipBomb(t *testing.T, head string, size int) []byte {
	t.Helper()
	var inner bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&inner, gzip.BestCompression)
	zw.Write([]byte(head))
	line := bytes.Repeat([]byte("{\"a\":1}\n"), 8192)
	for n := 0; n < size; n += len(line) {
		if _, err := zw.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var outer bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&outer, gzip.BestCompression)
	zw.Write(inner.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return outer.Bytes()
}

// TestGzipBombIsCapped imports a gzip-of-gzip bomb (64 MiB of content in
// a few kilobytes) after a few good events: the decompressed content stops
// at its cap, with an error naming the file and the cap (exit status 1),
// the good events are imported, and the rejects file stays small.
func TestGzipBombIsCapped(t *testing.T) {
	dir := t.TempDir()
	head := event("good-1") + "\n" + event("good-2") + "\n" + event("good-3") + "\n"
	bomb := gzipBomb(t, head, 64<<20)
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes: not a bomb", len(bomb))
	}
	path := writeFile(t, dir, "export.ndjson.gz", bomb)
	rejects := filepath.Join(dir, "rejects.ndjson")
	sink := newMemSink()
	sum, err := Import(context.Background(), []string{path}, sink, Options{RejectsPath: rejects})
	var limit *LimitError
	if !errors.As(err, &limit) || limit.File != path || limit.Limit != GzipRatioFloor {
		t.Fatalf("error %v, want a *LimitError for %s at %d bytes", err, path, GzipRatioFloor)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "cap of 1 MiB") || !strings.Contains(msg, "--max-gzip-ratio") {
		t.Errorf("message %q does not name the file, the cap and how to raise it", msg)
	}
	if sum.ExitCode(err) != ExitFailure {
		t.Errorf("exit status %d, want %d", sum.ExitCode(err), ExitFailure)
	}
	if sum.Imported != 3 || len(sink.order) != 3 || sink.order[0] != "good-1" {
		t.Errorf("imported %v, want the 3 good events", sink.order)
	}
	// 1 MiB of 8-byte lines: at most 131,072 rejects of about 150 bytes
	// (the path of the temporary directory is long).
	if sum.Rejected == 0 || sum.Rejected > GzipRatioFloor/8 {
		t.Errorf("%d rejected, want at most %d", sum.Rejected, GzipRatioFloor/8)
	}
	if info, err := os.Stat(rejects); err != nil || info.Size() > 32<<20 {
		t.Errorf("rejects file: %v bytes (%v)", info.Size(), err)
	}
}

// TestGzipCapByRatioAndSize checks both caps on plain gzip, and that a
// content that ends exactly at the cap is whole.
func TestGzipCapByRatioAndSize(t *testing.T) {
	var content bytes.Buffer
	for i := 0; content.Len() < 3<<20; i++ {
		content.WriteString(event(fmt.Sprintf("u%07d", i)) + "\n")
	}
	gz := gzipBytes(t, content.Bytes())
	ratio := content.Len() / len(gz)
	read := func(lim Limits) (int, error) {
		rd, err := NewLimitedReader(bytes.NewReader(gz), "x.gz", lim)
		if err != nil {
			return 0, err
		}
		n := 0
		err = rd.Read(func(Record) error { n++; return nil })
		return n, err
	}
	lines := strings.Count(content.String(), "\n")
	for _, tt := range []struct {
		name   string
		lim    Limits
		capped bool
		minus  int // records not read, at the least
	}{
		{"ratio above the content's", Limits{MaxGzipRatio: ratio + 2}, false, 0},
		{"ratio below the content's", Limits{MaxGzipRatio: ratio / 2}, true, 1},
		{"size exactly the content's", Limits{MaxGzipRatio: 1000, MaxGzipSize: int64(content.Len())}, false, 0},
		// The last record is whole without its line break.
		{"size a byte short", Limits{MaxGzipRatio: 1000, MaxGzipSize: int64(content.Len() - 1)}, true, 0},
		{"size half the content's", Limits{MaxGzipRatio: 1000, MaxGzipSize: int64(content.Len() / 2)}, true, lines / 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := read(tt.lim)
			var limit *LimitError
			switch {
			case !tt.capped && (err != nil || n != lines):
				t.Errorf("read %d of %d records: %v", n, lines, err)
			case tt.capped && !errors.As(err, &limit):
				t.Errorf("read %d of %d records: %v, want a *LimitError", n, lines, err)
			case tt.capped && (n == 0 || n > lines-tt.minus):
				t.Errorf("read %d of %d records before the cap", n, lines)
			}
		})
	}
}

// TestRejectsFileIsCapped imports more rejects than the cap holds: the file
// stops growing below the cap, every reject is still counted, the good
// events land, and the import ends with a *LimitError naming the file.
func TestRejectsFileIsCapped(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "{\"uuid\":\"bad-%d\",\"eventType\":\"x\"}\n%s\n", i, event(fmt.Sprintf("good-%d", i)))
	}
	path := writeFile(t, dir, "mixed.ndjson", []byte(b.String()))
	rejects := filepath.Join(dir, "rejects.ndjson")
	const maxRejects = 10 << 10
	sum, err := Import(context.Background(), []string{path}, newMemSink(), Options{RejectsPath: rejects, MaxRejectsSize: maxRejects})
	var limit *LimitError
	if !errors.As(err, &limit) || limit.File != rejects || limit.Limit != maxRejects {
		t.Fatalf("error %v, want a *LimitError for the rejects file", err)
	}
	if !strings.Contains(err.Error(), "--max-rejects-size") || sum.ExitCode(err) != ExitFailure {
		t.Errorf("error %q, exit status %d", err, sum.ExitCode(err))
	}
	info, err := os.Stat(rejects)
	if err != nil || info.Size() > maxRejects || info.Size() < maxRejects/2 {
		t.Fatalf("rejects file of %d bytes (%v), want up to %d", info.Size(), err, maxRejects)
	}
	written := len(readRejects(t, rejects))
	if sum.Imported != 2000 || sum.Rejected != 2000 || sum.RejectsUnwritten != 2000-written || written == 0 {
		t.Errorf("imported %d, rejected %d, unwritten %d, written %d", sum.Imported, sum.Rejected, sum.RejectsUnwritten, written)
	}
	if !strings.Contains(sum.String(), commas(int64(sum.RejectsUnwritten))+" not written") {
		t.Errorf("summary %q does not say how many rejects were not written", sum)
	}
}

func TestParseAndFormatSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1500", 1500}, {"1500B", 1500}, {"64GiB", 64 << 30}, {"64 gib", 64 << 30},
		{"1G", 1 << 30}, {"2m", 2 << 20}, {"3KiB", 3 << 10}, {"1TiB", 1 << 40},
	} {
		if got, err := ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1", "1.5GiB", "1GB", "1 parsec", "9999999999TiB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
	for n, want := range map[int64]string{1: "1 byte", 300: "300 bytes", 5324: "5.2 KiB", 64 << 30: "64 GiB", 1 << 20: "1 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
