package web

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// The benchmarks run against a store of a generated log of benchEvents()
// events (200,000 by default; OKTASCOPE_BENCH_EVENTS=1000000 for the 1M
// target of docs/performance.md), built once per run. OKTASCOPE_BENCH_DB names a store
// to reuse (kept between runs; built there when missing):
//
//	OKTASCOPE_BENCH_EVENTS=1000000 OKTASCOPE_BENCH_DB=/tmp/web-1m.db \
//	  go test ./internal/web -run '^$' -bench . -benchtime 50x

func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("OKTASCOPE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

var bench struct {
	once sync.Once
	dir  string
	st   *store.Store
	gen  *synth.Generator
}

// benchStore returns the benchmarks' store.
func benchStore(b *testing.B) (*store.Store, *synth.Generator) {
	bench.once.Do(func() {
		path := os.Getenv("OKTASCOPE_BENCH_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "oktascope-web-bench-")
			if err != nil {
				b.Fatal(err)
			}
			bench.dir, path = dir, filepath.Join(dir, "bench.db")
		}
		if _, err := os.Stat(path); err == nil {
			st, err := store.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			bench.st, bench.gen = st, synth.New(synth.Options{Seed: 99, Events: benchEvents(), Incidents: true, Users: max(50, benchEvents()/500)})
			return
		}
		b.Logf("building a store of %d events at %s", benchEvents(), path)
		bench.st, bench.gen = buildStore(b, path, benchEvents(), 99)
	})
	if bench.st == nil {
		b.Fatal("bench store unavailable")
	}
	return bench.st, bench.gen
}

func closeBench() {
	if bench.st != nil {
		bench.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

// BenchmarkSearchPage measures the first page of results, rendered: the
// page a browser gets for a search (docs/performance.md: under 200 ms on 1M events).
// The histogram is a separate request (BenchmarkHistogram).
func BenchmarkSearchPage(b *testing.B) {
	st, g := benchStore(b)
	h := New(st, Options{})
	inc := g.Incidents()[0]
	cases := []struct{ name, target string }{
		{"all", "/"},
		{"eventType", "/?filter=" + url.QueryEscape(`eventType eq "user.authentication.sso"`)},
		{"failures", "/?filter=" + url.QueryEscape(`eventType eq "user.session.start" and outcome.result eq "FAILURE"`)},
		{"hunt-user-signin", "/hunt?playbook=user-signin&value=" + url.QueryEscape(inc.UserID)},
		{"hunt-ip-signin", "/hunt?playbook=ip-signin&value=" + url.QueryEscape(inc.AttackerIP)},
		{"keywords", "/?q=" + url.QueryEscape("okta verify")},
		{"expanded-row", "/?open=" + xssUUID},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if w := get(b, h, c.target); w.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.target, w.Code)
				}
			}
		})
	}
}

// BenchmarkHistogram measures the histogram fragment the page loads after
// the results.
func BenchmarkHistogram(b *testing.B) {
	st, _ := benchStore(b)
	h := New(st, Options{})
	for _, c := range []struct{ name, target string }{
		{"all", "/ui/histogram"},
		{"eventType", "/ui/histogram?filter=" + url.QueryEscape(`eventType eq "user.session.start"`)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if w := get(b, h, c.target); w.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.target, w.Code)
				}
			}
		})
	}
}
