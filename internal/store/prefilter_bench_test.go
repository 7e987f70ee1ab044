package store

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// BenchmarkPrefilter measures the prefilter of the any-field
// filter over events' JSON (those of OKTASCOPE_BENCH_DB, or of 20,000
// generated events): each literal searched by its rarest byte (the
// store's way) or by bytes.Index.
func BenchmarkPrefilter(b *testing.B) {
	var raws [][]byte
	size := 0
	if path := os.Getenv("OKTASCOPE_BENCH_DB"); path != "" {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		q := backend.Query{}
		n := 0
		err = s.Search(context.Background(), q, func(e *logevent.Event, _ backend.Cursor) error {
			if n++; n <= 20000 {
				raws = append(raws, e.Raw)
			}
			return nil
		})
		_ = err
	} else {
		for _, e := range nextEvents(benchSynth(20000), 20000) {
			raws = append(raws, e.Raw)
		}
	}
	for _, r := range raws {
		size += len(r)
	}
	f := filter.MustParse(`eventType sw "user.mfa." or (eventType sw "system.push." and outcome.result eq "SUCCESS") or client.userAgent.rawUserAgent co "curl"`)
	p := newPrefilter(f)
	counts := new([256]int)
	for _, r := range raws[:min(len(raws), 40)] {
		for _, c := range r {
			counts[c]++
		}
	}
	p.anchor(counts)
	for _, method := range []string{"rarest-byte", "bytes.Index"} {
		b.Run(method, func(b *testing.B) {
			kept := 0
			for b.Loop() {
				kept = 0
				for _, r := range raws {
					var ok bool
					if method == "rarest-byte" {
						ok = p.mayMatch(r)
					} else {
						ok = mayMatchIndex(p, r)
					}
					if ok {
						kept++
					}
				}
			}
			b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
			b.ReportMetric(float64(kept), "kept")
		})
	}
}

func mayMatchIndex(p *prefilter, raw []byte) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		return true
	}
	for _, alts := range p.clauses {
		found := false
		for i := range alts {
			if bytes.Index(raw, alts[i].text) >= 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
