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
)

// Delivery shapes people have: fixtures written for oktascope (three
// Identity Engine events of one sign-in), delivered as Okta's Log Streaming
// to Amazon EventBridge delivers them, and as JSON streams without line
// breaks.
var shapeUUIDs = []string{
	"0d7f3a52-8c1e-11ef-9b4a-3f6c2d1e0a01",
	"0e2b6c14-8c1e-11ef-9b4a-3f6c2d1e0a02",
	"0f94d1e8-8c1e-11ef-9b4a-3f6c2d1e0a03",
}

func TestDeliveryShapes(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
	}{
		{"eventbridge-lines.ndjson", KindNDJSON},       // one EventBridge event a line
		{"eventbridge-array.json", KindJSONArray},      // a JSON array of them
		{"eventbridge-firehose.json", KindNDJSON},      // concatenated, no separator (Firehose to S3)
		{"eventbridge-sorted-keys.ndjson", KindNDJSON}, // keys sorted: detail before detail-type
		{"concatenated.json", KindNDJSON},              // LogEvents concatenated, no separator
		{"concatenated-pretty.json", KindJSONObject},   // pretty-printed LogEvents, no separator
	}
	if len(tests) == 0 {
		t.Fatal("no cases")
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			recs, format, err := readAll(t, data)
			if err != nil || format.Kind != tt.kind || len(recs) != len(shapeUUIDs) {
				t.Fatalf("%d records, format %v, error %v; want %d, %v", len(recs), format, err, len(shapeUUIDs), tt.kind)
			}
			for _, r := range recs {
				if !bytes.HasPrefix(r.Raw, []byte(`{`)) || bytes.Contains(r.Raw, []byte(`"detail-type"`)) {
					t.Errorf("record at line %d is not the LogEvent alone: %.80s", r.Line, r.Raw)
				}
				if end := r.Offset + int64(len(r.Raw)); !bytes.Equal(data[r.Offset:end], r.Raw) {
					t.Errorf("record at offset %d is not the input's bytes there", r.Offset)
				}
			}
			gz := writeFile(t, t.TempDir(), tt.file+".gz", gzipBytes(t, data))
			for _, p := range []string{path, gz} {
				sink := newMemSink()
				sum := importOnce(t, sink, Options{}, p)
				checkCounts(t, p, sum, 3, 3, 0, 0, 0)
				if !slices.Equal(sink.order, shapeUUIDs) {
					t.Errorf("%s: imported %v", p, sink.order)
				}
				for _, e := range sink.byUUID {
					if e.Actor.AlternateID != "dana.lee@example.com" || e.Version != "0" || bytes.Contains(e.Raw, []byte("aws.partner")) {
						t.Errorf("%s: event %s decoded as %+v from %.80s", p, e.UUID, e.Actor, e.Raw)
					}
				}
			}
		})
	}
}

// TestNotASystemLogExport imports a directory holding another product's
// log and a parser's test case beside an export: the two are skipped as no
// System Log export, not counted as rejects; named explicitly, each is an
// error saying so. A file with one partial event among junk is an export
// with rejects.
func TestNotASystemLogExport(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"not-okta.ndjson", "not-okta-test-case.json", "eventbridge-lines.ndjson"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, name, data)
	}
	writeFile(t, dir, "partial.ndjson", []byte("{\"a\":1}\n{\"eventtype\":\"user.session.start\"}\n"))
	rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
	sum := importOnce(t, newMemSink(), Options{RejectsPath: rejects}, dir)
	checkCounts(t, "directory", sum, 5, 3, 0, 0, 2)
	skipped := []string{filepath.Join(dir, "not-okta-test-case.json"), filepath.Join(dir, "not-okta.ndjson")}
	if !slices.Equal(sum.Skipped, skipped) || sum.Files != 2 {
		t.Errorf("%d files, skipped %v; want 2 and %v", sum.Files, sum.Skipped, skipped)
	}
	if !strings.Contains(sum.String(), "skipped 2 files that are not a System Log export") {
		t.Errorf("summary %q", sum)
	}
	for _, r := range readRejects(t, rejects) {
		if !strings.HasSuffix(r.File, "partial.ndjson") {
			t.Errorf("a reject from %s, which is no export", r.File)
		}
	}

	only := filepath.Join(t.TempDir(), "rejects.ndjson")
	for _, name := range skipped {
		sum, err := Import(context.Background(), []string{name}, newMemSink(), Options{RejectsPath: only})
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "none of its") || sum.Read != 0 || sum.Rejected != 0 {
			t.Errorf("%s named: read %d, rejected %d, error %v; want a *FormatError and nothing counted", name, sum.Read, sum.Rejected, err)
		}
		if _, err := os.Stat(only); !os.IsNotExist(err) {
			t.Errorf("%s named: a rejects file is left (%v)", name, err)
		}
	}
}

// TestGzipBombOfJunkIsSkipped imports a bomb of junk alone: a gzip of a gzip
// of {"a":1} lines. It stops at the cap, and, none of its records being a
// System Log event, leaves no rejects behind.
func TestGzipBombOfJunkIsSkipped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bomb.json.gz", gzipBomb(t, "", 64<<20))
	rejects := filepath.Join(dir, "rejects.ndjson")
	sum, err := Import(context.Background(), []string{dir}, newMemSink(), Options{RejectsPath: rejects})
	var limit *LimitError
	if !errors.As(err, &limit) || sum.ExitCode(err) != ExitFailure {
		t.Errorf("error %v, exit status %d: want a *LimitError and 1", err, sum.ExitCode(err))
	}
	if len(sum.Skipped) != 1 || sum.Rejected != 0 || sum.Read != 0 {
		t.Errorf("skipped %v, read %d, rejected %d", sum.Skipped, sum.Read, sum.Rejected)
	}
	if _, err := os.Stat(rejects); !os.IsNotExist(err) {
		t.Errorf("rejects file left: %v", err)
	}
}
