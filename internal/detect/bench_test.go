package detect

import (
	"testing"

	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/sigma"
	"github.com/oktascope/oktascope/internal/synth"
)

// BenchmarkEngine measures the engine alone (events decoded beforehand):
// the built-in detections and the 60 public rules over generated traffic.
// bench/detect.sh measures the whole command over a store.
func BenchmarkEngine(b *testing.B) {
	rules, errs := sigma.LoadDir("../../testdata/okta-samples/sigma-okta")
	okta, oktaErrs := oktarules.LoadQueries("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if len(errs)+len(oktaErrs) > 0 {
		b.Fatal(errs, oktaErrs)
	}
	g := synth.New(synth.Options{Seed: 1, Events: 50000, Incidents: true})
	var raws [][]byte
	for raw, ok := g.Next(); ok; raw, ok = g.Next() {
		raws = append(raws, append([]byte(nil), raw...))
	}
	opts := Options{Builtin: true, Thresholds: DefaultThresholds(), Sigma: rules, Okta: okta}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		events := decodeAll(b, raws)
		e, err := New(opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, ev := range events {
			e.Add(ev)
		}
		e.Finish()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(raws)), "ns/event")
}
