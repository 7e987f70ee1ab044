package timeline

import (
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// synthEvents generates and decodes n events (with the planted incidents
// when incidents is set).
func synthEvents(tb testing.TB, seed int64, n int, incidents bool) ([]*logevent.Event, []synth.Incident) {
	tb.Helper()
	return samples.Generated(tb, synth.Options{Seed: seed, Events: n, Incidents: incidents})
}

// BenchmarkBuild measures the Builder over generated traffic.
func BenchmarkBuild(b *testing.B) {
	events, _ := synthEvents(b, 3, 20000, true)
	b.ResetTimer()
	for range b.N {
		nb := NewBuilder(Options{})
		for _, e := range events {
			nb.Add(e)
		}
		nb.Finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
