package oktaapi

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that only Sleep moves: the server and the collector
// share it, so a collect that spans many rate-limit windows runs at once.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// TestCollectPacesUnderRateLimit collects 50 pages through a server that
// allows 10 requests a minute: the collector spreads its requests from the
// headers and never runs the budget dry, so no request meets a 429.
func TestCollectPacesUnderRateLimit(t *testing.T) {
	so := synthOptions(5000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org := serve(t, served, ServerOptions{RateLimit: 10, Now: clock.Now})
	p := window(so)
	p.Limit = 100
	rec := &recorder{}
	start := clock.Now()
	sink, prog, err := collect(t, org, p, func(c *Collector) { c.Now, c.Sleep, c.Progress = clock.Now, clock.Sleep, rec.add })
	if err != nil {
		t.Fatal(err)
	}
	sameUUIDs(t, uuids(t, sink), uuids(t, served))
	elapsed := clock.Now().Sub(start)
	if prog.RateLimited != 0 {
		t.Errorf("%d requests were rate limited", prog.RateLimited)
	}
	minutes := float64(prog.Requests) / 10
	if elapsed < time.Duration(minutes-1)*time.Minute || elapsed > time.Duration(minutes+1)*time.Minute {
		t.Errorf("%d requests took %v of the server's time; 10 a minute means about %.0f minutes", prog.Requests, elapsed, minutes)
	}
	paced := 0
	for _, r := range rec.all() {
		if r.Phase == PhaseWait && strings.HasPrefix(r.Reason, "rate limit:") {
			paced++
		}
	}
	if paced == 0 {
		t.Error("no pacing wait reported")
	}
	t.Logf("%d requests in %v (virtual), %d paced waits", prog.Requests, elapsed, paced)
}

// TestCollectRecoversFromExhaustedBudget starts with the budget already
// spent by another client: the first request meets a real 429, waits for
// the reset and goes on.
func TestCollectRecoversFromExhaustedBudget(t *testing.T) {
	so := synthOptions(1000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org := serve(t, served, ServerOptions{RateLimit: 5, Now: clock.Now})
	for i := 0; i < 5; i++ { // another client spends the budget
		get(t, org, "limit=0")
	}
	p := window(so)
	p.Limit = 500
	sink, prog, err := collect(t, org, p, func(c *Collector) { c.Now, c.Sleep = clock.Now, clock.Sleep })
	if err != nil {
		t.Fatal(err)
	}
	if prog.RateLimited != 1 {
		t.Errorf("%d 429s, want 1", prog.RateLimited)
	}
	sameUUIDs(t, uuids(t, sink), uuids(t, served))
}
