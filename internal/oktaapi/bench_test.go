package oktaapi

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// benchEvents is the size of the benchmarks' synthetic org.
const benchEvents = 20000

// BenchmarkCollect measures collect throughput through the loopback server,
// end to end: 20,000 synthetic events in pages of 1,000, from a served
// store into a new one. It reports events/s.
func BenchmarkCollect(b *testing.B) {
	org, n := benchServer(b)
	total := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sink, err := store.Open(filepath.Join(b.TempDir(), "collected.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		total += benchRun(b, org, sink, n)
		b.StopTimer()
		sink.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCollectNoStore is BenchmarkCollect with a sink that discards the
// events: the cost of the API round trips (server query, transfer, client
// decoding) without the store's inserts.
func BenchmarkCollectNoStore(b *testing.B) {
	org, n := benchServer(b)
	total := 0
	for i := 0; i < b.N; i++ {
		total += benchRun(b, org, discard{}, n)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// benchServer serves the benchmarks' synthetic org (no rate limit).
func benchServer(b *testing.B) (org *url.URL, n int) {
	so := synthOptions(benchEvents)
	served := openStore(b, "served.db")
	n = fill(b, served, so)
	org = serve(b, served, ServerOptions{Now: evidenceClock(so), RateLimit: -1})
	b.ResetTimer()
	return org, n
}

func benchRun(b *testing.B, org *url.URL, sink backend.Writer, n int) int {
	c := &Collector{Org: org, Sink: sink}
	prog, err := c.Run(context.Background(), window(synthOptions(benchEvents)))
	if err != nil || prog.Inserted != n {
		b.Fatalf("collect: %v, %d of %d events", err, prog.Inserted, n)
	}
	return prog.Events
}

// discard is a backend.Writer that keeps nothing.
type discard struct{}

func (discard) Insert(_ context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	return backend.InsertResult{Inserted: len(events)}, nil
}
