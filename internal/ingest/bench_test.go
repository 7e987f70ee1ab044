package ingest

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// benchmarkRead measures reader throughput over an in-memory input, in MB/s
// of its content (decompressed).
func benchmarkRead(b *testing.B, data []byte, contentSize int) {
	b.SetBytes(int64(contentSize))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		rd, err := NewLimitedReader(bytes.NewReader(data), "bench", synthLimits)
		if err == nil {
			err = rd.Read(func(Record) error { n++; return nil })
		}
		if err != nil || n == 0 {
			b.Fatalf("read %d records: %v", n, err)
		}
	}
}

func benchmarkKind(b *testing.B, kind synthKind) {
	data := synthBytes(b, kind, 64<<20)
	benchmarkRead(b, data, len(data))
}

func BenchmarkReadNDJSON(b *testing.B) { benchmarkKind(b, synthNDJSON) }

func BenchmarkReadArray(b *testing.B) { benchmarkKind(b, synthArray) }

// BenchmarkReadCSV includes rebuilding each row's event object.
func BenchmarkReadCSV(b *testing.B) { benchmarkKind(b, synthCSV) }

// BenchmarkReadGzip reports MB/s of decompressed NDJSON.
func BenchmarkReadGzip(b *testing.B) {
	data := synthBytes(b, synthNDJSON, 64<<20)
	benchmarkRead(b, gzipBytes(b, data), len(data))
}

// BenchmarkImport measures the whole pipeline (read, parallel decode,
// ordered batching) into a sink that discards, in MB/s and events/s.
func BenchmarkImport(b *testing.B) {
	data := synthBytes(b, synthNDJSON, 64<<20)
	b.SetBytes(int64(len(data)))
	events := 0
	for b.Loop() {
		sources := []source{{name: "bench", size: int64(len(data)), open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}}}
		sum, err := importSources(context.Background(), sources, &discardSink{}, Options{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		events += sum.Imported
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
