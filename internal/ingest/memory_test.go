package ingest

import (
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// heapPeak samples HeapInuse and keeps the largest value seen.
type heapPeak struct{ peak uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapInuse)
}

// streamSize is how much the memory tests stream: far more than they may
// hold (less with -short or -race).
func streamSize() int64 {
	if testing.Short() || raceEnabled {
		return 32 << 20
	}
	return 200 << 20
}

func TestReaderMemoryIsFlat(t *testing.T) {
	const limit = 64 << 20
	for _, tt := range []struct {
		name string
		kind synthKind
	}{{"NDJSON", synthNDJSON}, {"JSON array", synthArray}, {"CSV", synthCSV}} {
		t.Run(tt.name, func(t *testing.T) {
			src := newSynthReader(tt.kind, streamSize())
			var h heapPeak
			n := 0
			err := ReadRecords(src, "synthetic", func(Record) error {
				if n++; n%20000 == 0 {
					h.sample()
				}
				return nil
			})
			if err != nil || n < src.n || src.done < streamSize() {
				t.Fatalf("read %d of %d records (%d bytes): %v", n, src.n, src.done, err)
			}
			if h.peak > limit {
				t.Errorf("peak heap %d MB streaming %d MB, want under %d MB", h.peak>>20, src.done>>20, limit>>20)
			}
			t.Logf("%d records, %d MB, peak heap in use %d MB", n, src.done>>20, h.peak>>20)
		})
	}
}

// discardSink counts events and samples the heap at every batch.
type discardSink struct {
	heap heapPeak
	n    int
}

func (s *discardSink) Insert(_ context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	s.n += len(events)
	s.heap.sample()
	return backend.InsertResult{Inserted: len(events)}, nil
}

func TestImportMemoryIsFlat(t *testing.T) {
	const limit = 128 << 20
	src := newSynthReader(synthNDJSON, streamSize())
	sink := &discardSink{}
	sources := []source{{name: "synthetic", size: streamSize(), open: func() (io.ReadCloser, error) {
		return io.NopCloser(src), nil
	}}}
	sum, err := importSources(context.Background(), sources, sink, Options{}, nil)
	if err != nil || sum.Imported != src.n || sink.n != src.n {
		t.Fatalf("imported %d (sink %d) of %d: %v", sum.Imported, sink.n, src.n, err)
	}
	if sink.heap.peak > limit {
		t.Errorf("peak heap %d MB importing %d MB, want under %d MB", sink.heap.peak>>20, sum.Bytes>>20, limit>>20)
	}
	t.Logf("%s; peak heap in use %d MB", sum, sink.heap.peak>>20)
}
