package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
