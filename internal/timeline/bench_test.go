package timeline

import (
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/catalog"
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

// detectEvents is a generated log shaped like bench/run.sh's (one user per
// 500 events, 26 hours), reduced as oktascope detect feeds its timeline:
// only the article's event types, compacted.
var detectEvents = sync.OnceValues(func() ([]*logevent.Event, error) {
	g := synth.New(synth.Options{Seed: 1, Events: 200000, Users: 450, Duration: 26 * time.Hour, Incidents: true})
	var events []*logevent.Event
	for line, ok := g.Next(); ok; line, ok = g.Next() {
		e, err := logevent.Decode(append([]byte(nil), line...))
		if err != nil {
			return nil, err
		}
		if _, ok := catalog.Lookup(e.EventType); ok {
			events = append(events, e.Compact())
		}
	}
	return events, nil
})

// BenchmarkDetect measures the Builder as oktascope detect drives it:
// RetireAttacks once a minute of event time, then Add. The events are
// decoded up front, so their fields are colder than in detect, which adds
// each event as it decodes it.
func BenchmarkDetect(b *testing.B) {
	events, err := detectEvents()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		nb := NewBuilder(Options{})
		var retired time.Time
		for _, e := range events {
			if e.Time.Sub(retired) >= time.Minute {
				retired = e.Time
				nb.RetireAttacks(e.Time)
			}
			nb.Add(e)
		}
		nb.Finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
