package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/privfile"
	"github.com/oktascope/oktascope/internal/render"
)

func TestRejects(t *testing.T) {
	tests := []struct {
		file     string
		imported []string // uuids, in order
		lines    []int    // of the rejects
		reasons  []string // prefixes
	}{
		{"testdata/pretty-with-rejects.json", []string{"p1", "p4"},
			[]int{7, 11, 12},
			[]string{"uuid: missing", "not a JSON object", `published: not a time: "redacted"`}},
		{"testdata/ndjson-with-rejects.ndjson", []string{"n1", "n4", "n5"},
			[]int{3, 4, 5, 7, 8, 9},
			[]string{"published: not a time: \"yesterday\"", "not a JSON object", "invalid JSON", "not a JSON object", "uuid: missing", "published: not a time: \"1 May\""}},
		{"testdata/admin-console-export.csv", []string{"3db79a8d-603a-11ee-96af-b3cd3e15c958", "4eeef121-60c5-11ee-96af-b3cd3e15c958", "6b2c3d4e-60c7-11ee-96af-b3cd3e15c958"},
			[]int{5, 6},
			[]string{`published: not a time: "redacted"`, "CSV row has 6 cells where the header has 48"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
			sink := newMemSink()
			sum := importOnce(t, sink, Options{RejectsPath: rejects}, tt.file)
			if !slices.Equal(sink.order, tt.imported) {
				t.Errorf("imported %v, want %v", sink.order, tt.imported)
			}
			got := readRejects(t, rejects)
			if len(got) != len(tt.lines) || sum.Rejected != len(tt.lines) {
				t.Fatalf("%d rejects (summary %d), want %d: %+v", len(got), sum.Rejected, len(tt.lines), got)
			}
			for i, r := range got {
				if r.File != tt.file || r.Line != tt.lines[i] || !strings.HasPrefix(r.Reason, tt.reasons[i]) {
					t.Errorf("reject %d: %s:%d %q, want %s:%d %q…", i, r.File, r.Line, r.Reason, tt.file, tt.lines[i], tt.reasons[i])
				}
				rec := r.bytes(t)
				if !bytes.Equal(data[r.Offset:r.Offset+int64(len(rec))], rec) {
					t.Errorf("reject on line %d: record %q is not the input's bytes at offset %d", r.Line, rec, r.Offset)
				}
				if want := 1 + bytes.Count(data[:r.Offset], newline); r.Line != want {
					t.Errorf("reject at offset %d: line %d, want %d", r.Offset, r.Line, want)
				}
			}
		})
	}
}

func TestRejectKeepsRecordByteForByte(t *testing.T) {
	data, err := os.ReadFile("testdata/ndjson-with-rejects.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
	importOnce(t, newMemSink(), Options{RejectsPath: rejects}, "testdata/ndjson-with-rejects.ndjson")
	lines := strings.Split(string(data), "\n")
	byLine := map[int]rejectLine{}
	for _, r := range readRejects(t, rejects) {
		byLine[r.Line] = r
	}
	if r := byLine[3]; r.Record == nil || *r.Record != lines[2] {
		t.Errorf("a record with a bad field: %+v, want the line %q", r, lines[2])
	}
	if r := byLine[8]; r.Record != nil || string(r.bytes(t)) != lines[7] {
		t.Errorf("a record that is not UTF-8 must come back byte for byte through record_base64: %+v", r)
	}
	if r := byLine[9]; r.Record == nil || *r.Record != strings.TrimSpace(lines[8]) {
		t.Errorf("a record with odd spacing: %+v", r)
	}
}

func TestNoRejectsFileWithoutRejects(t *testing.T) {
	rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
	sum := importOnce(t, newMemSink(), Options{RejectsPath: rejects}, filepath.Join(samplesDir, "beats"))
	if _, err := os.Stat(rejects); !os.IsNotExist(err) || sum.RejectsPath != "" {
		t.Errorf("rejects file after a clean import: %v, summary names %q", err, sum.RejectsPath)
	}
}

// TestRejectsFileNotFollowedThroughSymlink plants the rejects file as a
// symbolic link to a file outside the export directory:
// import refuses it before reading anything, says why, and the link's
// target is untouched.
func TestRejectsFileNotFollowedThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := writeFile(t, dir, "victim.txt", []byte("precious"))
	export := filepath.Join(dir, "export")
	writeFile(t, export, "events.ndjson", []byte(event("a")+"\n"+"not json\n"))
	rejects := filepath.Join(export, "oktascope-rejects.ndjson")
	if err := os.Symlink("../victim.txt", rejects); err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	sum, err := Import(context.Background(), []string{export}, sink, Options{RejectsPath: rejects})
	if !errors.Is(err, privfile.ErrSymlink) || !strings.Contains(err.Error(), "oktascope-rejects.ndjson is a symbolic link") {
		t.Errorf("error %v, want one saying the rejects file is a symbolic link", err)
	}
	if sum.ExitCode(err) != ExitFailure || len(sink.order) != 0 {
		t.Errorf("exit status %d, %d imported: want 1 and nothing read", sum.ExitCode(err), len(sink.order))
	}
	if data, err := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("victim now holds %q (%v)", data, err)
	}
}

// TestRejectsFileIsPrivate checks the rejects file's mode: 0600 when
// import creates it, and when it replaces one left with a wider mode.
func TestRejectsFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "in.ndjson", []byte(event("a")+"\nnot json\n"))
	for _, existing := range []bool{false, true} {
		rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
		if existing {
			writeFile(t, filepath.Dir(rejects), "rejects.ndjson", []byte("old rejects, readable by all\n"))
		}
		sum := importOnce(t, newMemSink(), Options{RejectsPath: rejects}, path)
		info, err := os.Stat(rejects)
		if err != nil || sum.Rejected != 1 {
			t.Fatalf("%d rejected, rejects file: %v", sum.Rejected, err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("rejects file (existing before: %v): mode %v, want -rw-------", existing, mode)
		}
		if got := readRejects(t, rejects); len(got) != 1 {
			t.Errorf("rejects file (existing before: %v) holds %d rejects, want 1", existing, len(got))
		}
	}
}

// TestFileNamesEscapedInMessages imports files whose names hold terminal
// escapes: the summary, the errors and the rejects file show them escaped,
// and the rejects file's JSON still decodes to the exact name.
func TestFileNamesEscapedInMessages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case\x1b]0;owned\a")
	const evil = "x\x1b[2J\u009b31m\u202e.ndjson"
	path := writeFile(t, dir, evil, []byte(event("a")+"\nnot json\n"))
	cut := writeFile(t, dir, "cut\r.json", []byte("["+event("b")+`,{"uuid":`))
	rejects := filepath.Join(dir, "rejects\x1b[31m.ndjson")
	sum, err := Import(context.Background(), []string{path, cut, filepath.Join(dir, "missing\x1b[1m")}, newMemSink(), Options{RejectsPath: rejects})
	if err == nil || sum.Rejected != 1 {
		t.Fatalf("rejected %d, error %v: want 1 and errors for the cut and missing files", sum.Rejected, err)
	}
	for what, text := range map[string]string{"summary": sum.String(), "error": err.Error()} {
		if strings.ContainsFunc(strings.ReplaceAll(text, "\n", ""), render.TerminalUnsafe) { // errors.Join's line breaks
			t.Errorf("%s holds raw terminal controls: %q", what, text)
		}
		if !strings.Contains(text, `\x1b`) {
			t.Errorf("%s does not show the escape escaped: %q", what, text)
		}
	}
	data, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsFunc(bytes.ReplaceAll(data, newline, nil), render.TerminalUnsafe) {
		t.Errorf("rejects file holds raw terminal controls: %q", data)
	}
	if got := readRejects(t, rejects); len(got) != 1 || got[0].File != path {
		t.Errorf("rejects %+v, want one whose file decodes to %q", got, path)
	}
}

// TestConflictsGoToRejects imports a uuid twice with other content, once
// with the same content in another layout, and once more from a second
// import: each conflicting record goes to the rejects file untouched, with
// its file, line, reason and the event held; the identical ones stay
// silent; the summary says "conflicting" and points to the rejects file.
func TestConflictsGoToRejects(t *testing.T) {
	dir := t.TempDir()
	other := `{"uuid":"a","published":"2024-05-01T10:00:00Z","eventType":"user.session.end"}`
	layout := `{ "eventType": "user.session.start", "published": "2024-05-01T10:00:00Z", "uuid": "a" }`
	first := writeFile(t, dir, "first.ndjson", []byte(event("a")+"\n"+other+"\n"+layout+"\n"+event("b")+"\n"))
	rejects := filepath.Join(dir, "rejects.ndjson")
	sink := newMemSink()
	sum := importOnce(t, sink, Options{RejectsPath: rejects}, first)
	checkCounts(t, "first import", sum, 4, 2, 1, 1, 0)
	if sum.ExitCode(nil) != ExitPartial || !strings.Contains(sum.String(), "1 conflicting, 0 rejected (see "+rejects+")") {
		t.Errorf("exit %d, summary %q", sum.ExitCode(nil), sum)
	}
	got := readRejects(t, rejects)
	if len(got) != 1 || got[0].File != first || got[0].Line != 2 || got[0].Record == nil || *got[0].Record != other ||
		got[0].Stored == nil || *got[0].Stored != event("a") || !strings.HasPrefix(got[0].Reason, `conflicting duplicate: uuid "a"`) {
		t.Fatalf("rejects %+v", got)
	}

	second := writeFile(t, dir, "second.ndjson", []byte(event("b")+"\n"+strings.Replace(event("b"), "session.start", "session.end", 1)+"\n"))
	sum = importOnce(t, sink, Options{RejectsPath: rejects}, second)
	checkCounts(t, "second import", sum, 2, 0, 1, 1, 0)
	got = readRejects(t, rejects)
	if len(got) != 1 || got[0].File != second || got[0].Line != 2 || got[0].Stored == nil || *got[0].Stored != event("b") {
		t.Fatalf("rejects %+v", got)
	}
}
