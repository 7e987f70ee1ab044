package ingest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	json "github.com/goccy/go-json"
)

// addSeeds adds the fixtures and small samples as seeds.
func addSeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 16<<10 {
				f.Add(data)
			}
		}
	}
}

// checkRecords asserts that every record read from input is the input's
// bytes at its offset (for uncompressed input), that lines are right, and
// that a CSV row's rebuilt object is valid JSON.
func checkRecords(t *testing.T, input []byte) {
	rd, err := NewReader(bytes.NewReader(input), "fuzz")
	if err != nil {
		return
	}
	rd.SetMaxRecordSize(4 << 10)
	last := int64(-1)
	_ = rd.Read(func(r Record) error {
		if r.Offset <= last {
			t.Fatalf("record at %d after one at %d", r.Offset, last)
		}
		last = r.Offset
		if rd.Format().Gzip {
			return nil
		}
		end := r.Offset + int64(len(r.Raw))
		if r.Offset < 0 || end > int64(len(input)) || !bytes.Equal(input[r.Offset:end], r.Raw) {
			t.Fatalf("record %q is not the input's bytes at offset %d", r.Raw, r.Offset)
		}
		if want := 1 + bytes.Count(input[:r.Offset], newline); r.Line != want {
			t.Fatalf("record %q at offset %d: line %d, want %d", r.Raw, r.Offset, r.Line, want)
		}
		if rd.Format().Kind == KindCSV && r.Err == nil && !json.Valid(r.JSON) {
			t.Fatalf("row %q rebuilt as invalid JSON %s", r.Raw, r.JSON)
		}
		return nil
	})
}

// FuzzReadRecords feeds the reader any bytes. Run it for a bounded time
// with, e.g.:
//
//	go test -run XXX -fuzz FuzzReadRecords -fuzztime 60s -fuzzminimizetime 5s ./internal/ingest/
func FuzzReadRecords(f *testing.F) {
	addSeeds(f, "testdata/*.json", "testdata/*.ndjson", samplesDir+"/*/*.json", samplesDir+"/*/*.ndjson")
	for _, s := range []string{`[{"a":1},{"b":`, "{\"a\":\"x\n{\"b\":1}\n", `{"events":[{"uuid":"a"}]}`, `[[1],"x",}]`,
		// EventBridge events: detail after and before detail-type, not an
		// object, cut off, with an identity of their own, concatenated.
		`{"version":"0","detail-type":"SystemLog","resources":[],"detail":{"uuid":"a","eventType":"x","published":"2024-05-01T00:00:00Z"}}`,
		`{"detail":{"uuid":"a"},"detail-type":"SystemLog","resources":[{"x":1}]}{"detail-type":"x","detail":[1]}`,
		`{"detail-type":"SystemLog","detail":{"uuid":"a"`,
		`{"uuid":"b","detail-type":"SystemLog","detail":{"uuid":"a"}}`,
		`[{"detail-type":"SystemLog","detail":{"uuid":"a"}},{"detail-type":"SystemLog","detail":{}}]`,
		`{"events":[{"detail-type":"SystemLog","detail":{"uuid":"a"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		checkRecords(t, input)
		checkImport(t, input)
	})
}

// checkImport imports input and checks the summary's counts add up: every
// record read is imported, a duplicate, a conflict or rejected, and an
// input skipped as no export counts no record.
func checkImport(t *testing.T, input []byte) {
	src := source{name: "fuzz", size: int64(len(input)), open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(input)), nil
	}}
	sum, _ := importSources(context.Background(), []source{src}, newMemSink(), Options{Limits: Limits{MaxRecordSize: 4 << 10}, Workers: 1}, nil)
	if sum.Read != sum.Imported+sum.Duplicates+sum.Conflicts+sum.Rejected || sum.Read < 0 || len(sum.Skipped) > 0 && sum.Read != 0 {
		t.Fatalf("%q: read %d, imported %d, duplicates %d, conflicts %d, rejected %d, skipped %v", input,
			sum.Read, sum.Imported, sum.Duplicates, sum.Conflicts, sum.Rejected, sum.Skipped)
	}
}

// FuzzCSV feeds the reader CSV-like bytes (seeds with System Log headers),
// checking each rebuilt row is valid JSON.
func FuzzCSV(f *testing.F) {
	addSeeds(f, "testdata/*.csv")
	f.Add([]byte(csvHeaderLine + "a,\"b\n\"\"c\",d\r\n"))
	f.Add([]byte("uuid;timestamp;target0.id;target;authentication_context.issuer\nx;y;\"z\";[1];{}\n"))
	f.Fuzz(func(t *testing.T, input []byte) { checkRecords(t, input) })
}
