package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

// An interrupted collect is not done. Whatever it was
// doing when ctx ended (waiting after a 429, reading a slow body, polling
// empty pages), Run returns the interruption, the final tally says
// stopped, and the checkpoint holds where to resume.

// interrupted runs c until it reports phase (or a request arrives, when
// phase is ""), then cancels it, and returns what Run returned.
func interrupted(t *testing.T, c *Collector, p Params, arrived <-chan struct{}, phase Phase) (Progress, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once atomic.Bool
	rec := &recorder{}
	c.Progress = func(pr Progress) {
		rec.add(pr)
		if phase != "" && pr.Phase == phase && once.CompareAndSwap(false, true) {
			go cancel()
		}
	}
	if arrived != nil {
		go func() {
			select {
			case <-arrived:
				time.Sleep(20 * time.Millisecond)
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	type result struct {
		prog Progress
		err  error
	}
	done := make(chan result, 1)
	go func() { pr, err := c.Run(ctx, p); done <- result{pr, err} }()
	select {
	case r := <-done:
		for _, pr := range rec.all() {
			if pr.Phase == PhaseDone {
				t.Errorf("an interrupted collect reported done: %s", pr)
			}
		}
		return r.prog, r.err
	case <-time.After(30 * time.Second):
		t.Fatal("the collect did not stop within 30 s of the interruption")
	}
	return Progress{}, nil
}

// checkStopped checks what an interrupted collect returns and saves.
func checkStopped(t *testing.T, prog Progress, err error, cp backend.Checkpoints, key, wantLink string) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want the interruption", err)
	}
	if prog.Phase != PhaseStopped || strings.HasSuffix(prog.String(), "; done") || !prog.Checkpointed {
		t.Errorf("final tally %q (phase %s, checkpointed %v)", prog, prog.Phase, prog.Checkpointed)
	}
	saved, ok, lerr := cp.LoadCheckpoint(context.Background(), key)
	if lerr != nil || !ok {
		t.Fatalf("no checkpoint written on the way out (%v)", lerr)
	}
	if wantLink != "" && saved != wantLink {
		t.Errorf("checkpoint %q, want %q", saved, wantLink)
	}
}

func TestCollectInterruptedWhileWaitingOn429(t *testing.T) {
	var requests atomic.Int32
	var rateLimited atomic.Bool
	rateLimited.Store(true)
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if rateLimited.Load() {
			h := w.Header()
			h.Set(headerLimit, "120")
			h.Set(headerRemaining, "0")
			h.Set(headerReset, strconvI(time.Now().Unix()+60))
			writeError(w, newAPIError(http.StatusTooManyRequests, CodeRateLimit, rateLimitSummary))
			return
		}
		w.Write([]byte("[" + eventJSON(1) + "]"))
	})
	cp := openStore(t, "c.db")
	p := Params{Since: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)}
	c := &Collector{Org: org, Sink: cp, Checkpoint: cp} // real sleeps: the wait is a minute
	prog, err := interrupted(t, c, p, nil, PhaseWait)
	first := logsURL(org)
	n, _ := p.normalize()
	first.RawQuery = n.query().Encode()
	checkStopped(t, prog, err, cp, CheckpointKey(org, p), first.String())
	// Run again: it resumes from the checkpoint and finishes.
	rateLimited.Store(false)
	c.Progress = nil
	prog, err = c.Run(context.Background(), p)
	if err != nil || !prog.Resumed || prog.Phase != PhaseDone || prog.Inserted != 1 {
		t.Errorf("the resumed collect: %v, %s (resumed %v)", err, prog, prog.Resumed)
	}
}

func TestCollectInterruptedReadingASlowBody(t *testing.T) {
	arrived := make(chan struct{}, 1)
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("["))
		w.(http.Flusher).Flush()
		arrived <- struct{}{}
		<-r.Context().Done() // the rest never comes
	})
	cp := openStore(t, "c.db")
	p := Params{Since: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)}
	c := &Collector{Org: org, Sink: cp, Checkpoint: cp}
	prog, err := interrupted(t, c, p, arrived, "")
	checkStopped(t, prog, err, cp, CheckpointKey(org, p), "")
}

func TestCollectInterruptedPollingEmptyPages(t *testing.T) {
	var n atomic.Int32
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		body := "[]"
		if i == 1 {
			body = "[" + eventJSON(1) + "]"
		}
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?after=%d>; rel="next"`, r.Host, LogsPath, min(i, 2)))
		w.Write([]byte(body))
	})
	cp := openStore(t, "c.db")
	p := Params{Follow: true, PollInterval: 5 * time.Millisecond}
	c := &Collector{Org: org, Sink: cp, Checkpoint: cp}
	// Interrupt at the fifth poll of empty pages.
	polls := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Progress = func(pr Progress) {
		if pr.Phase == PhasePoll {
			if polls++; polls == 5 {
				cancel()
			}
		}
	}
	prog, err := c.Run(ctx, p)
	checkStopped(t, prog, err, cp, CheckpointKey(org, p), "http://"+org.Host+LogsPath+"?after=2")
	if strings.Contains(err.Error(), "no progress") {
		t.Errorf("a caught-up polling request was taken for a cycle: %v", err)
	}
}

// Paging that makes no progress stops with an error
// naming the cycle; a polling request's empty pages are not one.
func TestCollectStopsPagingWithoutProgress(t *testing.T) {
	bounded := Params{Since: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)}
	link := func(r *http.Request, after string) string {
		return fmt.Sprintf(`<http://%s%s?after=%s>; rel="next"`, r.Host, LogsPath, after)
	}
	cases := []struct {
		name         string
		params       Params
		handler      func(n int32, w http.ResponseWriter, r *http.Request)
		wantErr      string
		wantRequests int32
	}{
		{"empty pages with ever-new next links", bounded, func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link(r, fmt.Sprint(n)))
			w.Write([]byte("[]"))
		}, "pages 1 to 51 were all empty", 51},
		{"an empty page linking to itself", bounded, func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link(r, "same"))
			w.Write([]byte("[]"))
		}, "page 2 links back to page 2", 2},
		{"the same events under new links", bounded, func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link(r, fmt.Sprint(n)))
			w.Write([]byte("[" + eventJSON(1) + "]"))
		}, "page 2 (http://", 2},
		{"links in a cycle of two", bounded, func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link(r, fmt.Sprint(n%2)))
			w.Write([]byte("[" + eventJSON(int(n%10)) + "]"))
		}, "links back to page 2", 3},
		{"a full polling page linking to itself", Params{Limit: 1}, func(n int32, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", link(r, "same"))
			w.Write([]byte("[" + eventJSON(int(n%10)) + "]"))
		}, "links back to page 2", 2},
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int32
			org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) { c.handler(n.Add(1), w, r) })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			col := &Collector{Org: org, Sink: openStore(t, "c.db"), Sleep: (&noSleep{}).sleep}
			prog, err := col.Run(ctx, c.params)
			if err == nil || !strings.Contains(err.Error(), "no progress") || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err %v (after %d requests), want no progress: %s", err, n.Load(), c.wantErr)
			}
			if errors.Is(err, context.DeadlineExceeded) || n.Load() != c.wantRequests {
				t.Errorf("%d requests, want %d", n.Load(), c.wantRequests)
			}
			if prog.Phase != PhaseStopped {
				t.Errorf("final phase %s", prog.Phase)
			}
		})
	}
}

// A slow body (a byte now and then, never the end) fails the page after
// MaxTimeoutAttempts attempts of RequestTimeout each, not after
// MaxAttempts attempts of minutes.
func TestCollectSlowBodyFailsInBoundedTime(t *testing.T) {
	var requests atomic.Int32
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("["))
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &Collector{Org: org, Sink: openStore(t, "c.db"), Sleep: (&noSleep{}).sleep, RequestTimeout: 150 * time.Millisecond}
	_, err := c.Run(ctx, Params{Since: time.Now().Add(-time.Hour), Until: time.Now()})
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "no complete response within 150ms") {
		t.Fatalf("err %v", err)
	}
	if got := requests.Load(); got != MaxTimeoutAttempts {
		t.Errorf("%d attempts, want %d", got, MaxTimeoutAttempts)
	}
}

// TestCollectRefusesAnOversizedPage: a body past MaxBody (256 MB by
// default) fails the collect at once, saying so. It used to be read to the
// bound, called "not a JSON array of events" and fetched again, ten times
// (a hostile server: two minutes and 700 MB of memory).
func TestCollectRefusesAnOversizedPage(t *testing.T) {
	var requests atomic.Int32
	event := `{"uuid":"u","published":"2025-03-03T10:00:00Z","eventType":"user.session.start"}`
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[" + event))
		for range 30_000 { // 2.4 MB
			if _, err := w.Write([]byte("," + event)); err != nil {
				return
			}
		}
		w.Write([]byte("]"))
	})
	const limit = 1 << 20
	c := &Collector{Org: org, Sink: openStore(t, "c.db"), Sleep: (&noSleep{}).sleep, MaxBody: limit}
	_, err := c.Run(t.Context(), Params{Since: time.Now().Add(-time.Hour), Until: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("err %v, want one naming the bound", err)
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("%d requests, want 1: an oversized page is not fetched again", got)
	}
}
