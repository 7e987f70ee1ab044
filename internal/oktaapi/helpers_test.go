package oktaapi

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// openStore opens a new store in the test's temporary directory.
func openStore(t testing.TB, name string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// synthOptions is the synthetic org the tests serve: n events over a day
// starting at synth.DefaultStart.
func synthOptions(n int) synth.Options {
	return synth.Options{Seed: 1, Users: 200, Events: n}
}

// fill inserts the synthetic org's events into st and returns how many.
func fill(t testing.TB, st *store.Store, opts synth.Options) int {
	t.Helper()
	g := synth.New(opts)
	var batch []*logevent.Event
	total := 0
	flush := func() {
		if _, err := st.Insert(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		total += len(batch)
		batch = batch[:0]
	}
	for {
		line, ok := g.Next()
		if !ok {
			break
		}
		e, err := logevent.Decode(append([]byte(nil), line...))
		if err != nil {
			t.Fatal(err)
		}
		if batch = append(batch, e); len(batch) == 5000 {
			flush()
		}
	}
	flush()
	return total
}

// evidenceClock is a clock running at real speed, shifted so that "now" is
// just after the synthetic day: the way `serve` presents an old evidence
// set as recent.
func evidenceClock(opts synth.Options) func() time.Time {
	end := synth.DefaultStart.Add(25 * time.Hour)
	if !opts.Start.IsZero() {
		end = opts.Start.Add(25 * time.Hour)
	}
	shift := time.Until(end)
	return func() time.Time { return time.Now().Add(shift) }
}

// serve starts a loopback server over st and returns its org URL.
func serve(t testing.TB, st *store.Store, opts ServerOptions) *url.URL {
	t.Helper()
	srv := httptest.NewServer(NewServer(st, opts))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// uuids lists the uuids a store holds, sorted.
func uuids(t testing.TB, st *store.Store) []string {
	t.Helper()
	var out []string
	err := st.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error {
		out = append(out, e.UUID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// sameUUIDs fails the test unless got and want hold the same uuids, each
// once.
func sameUUIDs(t testing.TB, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("collected %d events, served %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: collected %s, served %s", i, got[i], want[i])
		}
		if i > 0 && got[i] == got[i-1] {
			t.Fatalf("uuid %s collected twice", got[i])
		}
	}
}

// recorder collects Progress reports.
type recorder struct {
	mu      sync.Mutex
	reports []Progress
}

func (r *recorder) add(p Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, p)
}

func (r *recorder) all() []Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Progress(nil), r.reports...)
}

// noSleep records waits without taking them.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.waits = append(n.waits, d)
	n.mu.Unlock()
	return ctx.Err()
}

// window is the synthetic day as collect parameters.
func window(opts synth.Options) Params {
	start := synth.DefaultStart
	if !opts.Start.IsZero() {
		start = opts.Start
	}
	return Params{Since: start, Until: start.Add(24 * time.Hour)}
}

func sortStrings(s []string) { sort.Strings(s) }
