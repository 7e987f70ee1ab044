package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// collect runs a collect of org into a new store.
func collect(t testing.TB, org *url.URL, p Params, configure ...func(*Collector)) (*store.Store, Progress, error) {
	t.Helper()
	sink := openStore(t, "collected.db")
	c := &Collector{Org: org, Sink: sink, Sleep: (&noSleep{}).sleep}
	for _, f := range configure {
		f(c)
	}
	prog, err := c.Run(context.Background(), p)
	return sink, prog, err
}

func TestCollectWithFaults(t *testing.T) {
	so := synthOptions(2000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	want := uuids(t, served)
	p := window(so)
	p.Limit = 100
	slow := 20 * time.Millisecond
	for _, c := range []struct {
		name    string
		faults  FaultConfig
		timeout time.Duration // client timeout (0: default)
	}{
		{"none", FaultConfig{}, 0},
		{"429", FaultConfig{Seed: 1, RateLimited: Fault{Probability: 0.3}}, 0},
		{"500", FaultConfig{Seed: 2, ServerError: Fault{Probability: 0.3, Every: 4}}, 0},
		{"drop", FaultConfig{Seed: 3, Drop: Fault{Probability: 0.3}}, 0},
		{"truncate", FaultConfig{Seed: 4, Truncate: Fault{Probability: 0.3}}, 0},
		{"slow", FaultConfig{Seed: 5, Slow: Fault{Probability: 0.3}, SlowDelay: slow}, 0},
		{"slow-timeout", FaultConfig{Seed: 6, Slow: Fault{Every: 4}, SlowDelay: time.Second}, 200 * time.Millisecond},
		{"all", FaultConfig{Seed: 7, RateLimited: Fault{Probability: 0.1}, ServerError: Fault{Probability: 0.1},
			Drop: Fault{Probability: 0.1}, Truncate: Fault{Probability: 0.1}, Slow: Fault{Probability: 0.1}, SlowDelay: slow}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			org := serve(t, served, ServerOptions{Faults: c.faults, Now: evidenceClock(so)})
			sink, prog, err := collect(t, org, p, func(col *Collector) {
				if c.timeout > 0 {
					col.HTTP = &http.Client{Timeout: c.timeout}
				}
			})
			if err != nil {
				t.Fatalf("collect: %v (%+v)", err, prog)
			}
			sameUUIDs(t, uuids(t, sink), want)
			if c.name != "none" && c.name != "slow" && prog.Retries == 0 && c.name != "drop" {
				t.Errorf("no retry under fault %s: %+v", c.name, prog)
			}
			if prog.Inserted != len(want) || prog.Duplicates != 0 || prog.Pages != (len(want)+p.Limit-1)/p.Limit {
				t.Errorf("tally %+v", prog)
			}
			t.Logf("%s: %d requests, %d retries, %d rate-limited", c.name, prog.Requests, prog.Retries, prog.RateLimited)
		})
	}
}

// TestCollectVolume collects 100,000 events in 100 pages of 1,000. It runs
// when OKTASCOPE_VOLUME=1 (and not with -short): filling the served store
// and collecting both go through store.Insert, which at its current speed
// (a few thousand events a second on a 2-core machine) takes well over the
// 20 s budget of a plain "go test ./...".
func TestCollectVolume(t *testing.T) {
	if testing.Short() || os.Getenv("OKTASCOPE_VOLUME") != "1" {
		t.Skip("100k events: set OKTASCOPE_VOLUME=1")
	}
	so := synthOptions(100000)
	served := openStore(t, "served.db")
	t0 := time.Now()
	n := fill(t, served, so)
	t.Logf("served store: %d events in %v", n, time.Since(t0))
	org := serve(t, served, ServerOptions{Now: evidenceClock(so)})
	p := window(so)
	t0 = time.Now()
	sink, prog, err := collect(t, org, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("collected %d events in %d pages in %v: %.0f events/s", prog.Events, prog.Pages, time.Since(t0), float64(prog.Events)/time.Since(t0).Seconds())
	sameUUIDs(t, uuids(t, sink), uuids(t, served))
}

// failingSink stores pages through st but fails the failAt-th Insert:
// before inserting, or (after) once the page is stored.
type failingSink struct {
	st     *store.Store
	failAt int
	after  bool
	calls  int
}

var errSinkFailed = errors.New("sink failed")

func (f *failingSink) Insert(ctx context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	f.calls++
	if f.calls == f.failAt && !f.after {
		return backend.InsertResult{}, errSinkFailed
	}
	res, err := f.st.Insert(ctx, events)
	if f.calls == f.failAt && err == nil {
		return res, errSinkFailed
	}
	return res, err
}

// requestLog records the URLs a client requests.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) RoundTrip(req *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.urls = append(l.urls, req.URL.String())
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestCollectResumesFromCheckpoint(t *testing.T) {
	so := synthOptions(3000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	want := uuids(t, served)
	org := serve(t, served, ServerOptions{Now: evidenceClock(so)})
	p := window(so)
	p.Limit = 500
	pages := (len(want) + p.Limit - 1) / p.Limit
	for _, after := range []bool{false, true} {
		name := map[bool]string{false: "fails before storing", true: "fails after storing"}[after]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sinkStore, err := store.Open(filepath.Join(dir, "collected.db"))
			must(t, err)
			defer sinkStore.Close()
			sink := &failingSink{st: sinkStore, failAt: 3, after: after}
			c := &Collector{Org: org, Sink: sink, Checkpoint: sinkStore}
			if _, err := c.Run(context.Background(), p); !errors.Is(err, errSinkFailed) {
				t.Fatalf("first run: %v", err)
			}
			saved, ok, _ := sinkStore.LoadCheckpoint(context.Background(), CheckpointKey(org, p))
			if !ok || !strings.Contains(saved, "after=") {
				t.Fatalf("no checkpoint after two pages: %q", saved)
			}
			log := &requestLog{}
			c.HTTP = &http.Client{Transport: log}
			prog, err := c.Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if !prog.Resumed || log.urls[0] != saved || len(log.urls) != pages-2 {
				t.Errorf("resumed=%v, first request %s, %d requests; want the checkpoint and %d", prog.Resumed, log.urls[0], len(log.urls), pages-2)
			}
			wantDup := map[bool]int{false: 0, true: p.Limit}[after]
			if prog.Duplicates != wantDup {
				t.Errorf("%d duplicates on resume, want %d", prog.Duplicates, wantDup)
			}
			sameUUIDs(t, uuids(t, sinkStore), want)
			if _, ok, _ := sinkStore.LoadCheckpoint(context.Background(), CheckpointKey(org, p)); ok {
				t.Error("a finished collect left its checkpoint")
			}
		})
	}
}

func TestCollectFollow(t *testing.T) {
	so := synthOptions(1000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	org := serve(t, served, ServerOptions{Now: evidenceClock(so)})
	sink := openStore(t, "collected.db")
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &Collector{Org: org, Sink: sink, Progress: rec.add}
	p := Params{Since: window(so).Since, Limit: 300, Follow: true, PollInterval: 20 * time.Millisecond}
	done := make(chan error, 1)
	go func() { _, err := c.Run(ctx, p); done <- err }()
	n := len(uuids(t, served))
	waitFor(t, rec, n)
	_, err := served.Insert(context.Background(), lateEvents(t, 5, time.Date(2025, 3, 4, 0, 10, 0, 0, time.UTC)))
	must(t, err)
	waitFor(t, rec, n+5)
	cancel()
	// A follow never finishes: stopping it is an interruption (the CLI
	// exits 130), and the checkpoint says where to go on.
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("follow stopped with %v, want an interruption", err)
	}
	polls := 0
	for _, r := range rec.all() {
		if r.Phase == PhasePoll {
			polls++
		}
	}
	if polls == 0 {
		t.Error("no poll wait reported")
	}
	sameUUIDs(t, uuids(t, sink), uuids(t, served))
}

// waitFor waits until the collect has inserted n events.
func waitFor(t *testing.T, rec *recorder, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if all := rec.all(); len(all) > 0 && all[len(all)-1].Inserted >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the follow never reached %d events", n)
}

func TestCollectNeverLeaksToken(t *testing.T) {
	// The server echoes the Authorization header everywhere it can: in
	// error bodies (500s, then a 401) and in a next link.
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		count := n
		mu.Unlock()
		auth := r.Header.Get("Authorization")
		echo := &APIError{ErrorCode: "E0000011", ErrorSummary: "Invalid token provided: " + auth, ErrorLink: auth, ErrorID: auth,
			ErrorCauses: []ErrorCause{{ErrorSummary: "header was " + auth}}}
		switch count {
		case 1:
			w.Header().Set("Link", `<`+"http://"+r.Host+LogsPath+`?after=x>; rel="next"`)
			w.Write([]byte(`[]`))
		case 2, 3:
			echo.Status = 500
			writeError(w, echo)
		default:
			echo.Status = 401
			writeError(w, echo)
		}
	}))
	defer srv.Close()
	org, _ := url.Parse(srv.URL)
	rec := &recorder{}
	sink := openStore(t, "c.db")
	c := &Collector{Org: org, Token: SSWSToken(testSecret), Sink: sink,
		Checkpoint: sink, Progress: rec.add, Sleep: (&noSleep{}).sleep}
	p := Params{Since: time.Now().Add(-time.Hour), Until: time.Now()}
	prog, err := c.Run(context.Background(), p)
	if err == nil {
		t.Fatal("a 401 did not fail the collect")
	}
	var texts []string
	texts = append(texts, err.Error())
	for _, p := range append(rec.all(), prog) {
		texts = append(texts, p.String(), p.Reason)
	}
	saved, ok, cpErr := sink.LoadCheckpoint(context.Background(), CheckpointKey(org, p))
	if !ok || cpErr != nil {
		t.Fatalf("no checkpoint after the first page: %v", cpErr)
	}
	texts = append(texts, saved, CheckpointKey(org, p))
	for _, s := range texts {
		if strings.Contains(s, testSecret) {
			t.Fatalf("the token leaked: %s", s)
		}
	}
	if !strings.Contains(err.Error(), "E0000011") || !strings.Contains(err.Error(), "Invalid token provided") || !strings.Contains(err.Error(), "401") {
		t.Errorf("error lacks Okta's code and summary: %v", err)
	}
	if n != 4 {
		t.Errorf("%d requests: the 500s are retried, the 401 is not", n)
	}
}

// stub serves canned responses in order.
func stub(t *testing.T, handlers ...http.HandlerFunc) (*url.URL, *[]*http.Request) {
	t.Helper()
	var mu sync.Mutex
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := len(reqs)
		reqs = append(reqs, r.Clone(context.Background()))
		mu.Unlock()
		handlers[min(i, len(handlers)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u, &reqs
}

const goodEvent = `{"uuid":"u-%d","published":"2025-03-03T10:00:0%d.000Z","eventType":"user.session.start","version":"0","severity":"INFO","actor":{"id":"00u1","type":"User"}}`

func eventJSON(i int) string {
	return strings.NewReplacer("%d", string(rune('0'+i))).Replace(goodEvent)
}

func TestCollect429WaitsUntilReset(t *testing.T) {
	date := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	org, reqs := stub(t,
		func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Date", date.Format(http.TimeFormat))
			h.Set("X-Okta-Request-Id", "req-1")
			h.Set(headerLimit, "120")
			h.Set(headerRemaining, "0")
			h.Set(headerReset, strconvI(date.Unix()+5))
			writeError(w, newAPIError(429, CodeRateLimit, rateLimitSummary))
		},
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[" + eventJSON(1) + "]")) },
	)
	sleeps := &noSleep{}
	rec := &recorder{}
	_, prog, err := collect(t, org, Params{Since: date.Add(-time.Hour), Until: date}, func(c *Collector) {
		c.Sleep, c.Progress = sleeps.sleep, rec.add
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sleeps.waits) == 0 || sleeps.waits[0] != 6*time.Second {
		t.Errorf("waits %v, want 6s (reset − Date + 1 s)", sleeps.waits)
	}
	if prog.RateLimited != 1 || prog.Inserted != 1 {
		t.Errorf("tally %+v", prog)
	}
	retry := (*reqs)[1]
	if retry.Header.Get("X-Okta-Retry-For") != "req-1" || retry.Header.Get("X-Okta-Retry-Count") != "1" {
		t.Errorf("retry headers %v", retry.Header)
	}
	shown := false
	for _, p := range rec.all() {
		shown = shown || (p.Phase == PhaseWait && p.Wait == 6*time.Second && strings.Contains(p.String(), "E0000047"))
	}
	if !shown {
		t.Error("the rate-limit wait was not reported")
	}
}

func TestCollectRequestShape(t *testing.T) {
	org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) })
	since := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	_, _, err := collect(t, org, Params{Since: since, Until: since.Add(time.Hour), Filter: `eventType eq "a"`, Q: "x y", SortOrder: "descending"},
		func(c *Collector) { c.Token = BearerToken(testSecret) })
	must(t, err)
	r := (*reqs)[0]
	q := r.URL.Query()
	for k, v := range map[string]string{"since": "2025-03-03T00:00:00.000Z", "until": "2025-03-03T01:00:00.000Z",
		"filter": `eventType eq "a"`, "q": "x y", "limit": "1000", "sortOrder": "DESCENDING"} {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if r.URL.Path != LogsPath || r.Header.Get("Authorization") != "Bearer "+testSecret ||
		r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != UserAgent {
		t.Errorf("request %s %v", r.URL, r.Header)
	}
}

func TestCollectFailsAtOnceOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404} {
		org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, newAPIError(status, "E0000006", "You do not have permission to perform the requested action"))
		})
		_, _, err := collect(t, org, Params{})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != status || !strings.Contains(err.Error(), "You do not have permission") {
			t.Errorf("%d: %v", status, err)
		}
		if len(*reqs) != 1 {
			t.Errorf("%d: %d requests, want 1", status, len(*reqs))
		}
	}
}

func TestCollectGivesUpAfterMaxAttempts(t *testing.T) {
	org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newAPIError(503, CodeInternal, "Internal Server Error"))
	})
	sleeps := &noSleep{}
	_, _, err := collect(t, org, Params{}, func(c *Collector) {
		c.MaxAttempts, c.Sleep, c.Jitter = 4, sleeps.sleep, func() float64 { return 0.5 }
	})
	if err == nil || !strings.Contains(err.Error(), "giving up after 4 attempts") || len(*reqs) != 4 {
		t.Fatalf("%d requests, err %v", len(*reqs), err)
	}
	want := []time.Duration{375 * time.Millisecond, 750 * time.Millisecond, 1500 * time.Millisecond}
	for i, w := range want {
		if sleeps.waits[i] != w {
			t.Errorf("backoff %d = %v, want %v", i, sleeps.waits[i], w)
		}
	}
}

func TestCollectRefusesForeignNextLink(t *testing.T) {
	org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<https://evil.example/api/v1/logs?after=1>; rel="next"`)
		w.Write([]byte("[]"))
	})
	_, _, err := collect(t, org, Params{}, func(c *Collector) { c.Token = SSWSToken(testSecret) })
	if err == nil || !strings.Contains(err.Error(), "evil.example") || len(*reqs) != 1 {
		t.Fatalf("err %v after %d requests", err, len(*reqs))
	}
}

// TestCollectSkipsImplausibleEvents: a server (or anything posing as one)
// answering events published before Okta existed or far in the future gets
// them counted as bad, as import rejects them, never stored: they would
// stretch every time-based view across centuries.
func TestCollectSkipsImplausibleEvents(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(uuid, published string) string {
		return fmt.Sprintf(`{"uuid":%q,"published":%q,"eventType":"user.session.start"}`, uuid, published)
	}
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("[" + at("year-1000", "1000-01-01T00:00:00Z") + "," + at("ok", "2025-06-01T11:00:00Z") + "," +
			at("year-2300", "2300-01-01T00:00:00Z") + "]"))
	})
	rec := &recorder{}
	sink, prog, err := collect(t, org, Params{Since: now.Add(-time.Hour), Until: now}, func(c *Collector) {
		c.Progress = rec.add
		c.Now = func() time.Time { return now }
	})
	must(t, err)
	if got := uuids(t, sink); prog.Bad != 2 || !slices.Equal(got, []string{"ok"}) {
		t.Errorf("stored %v, tally %+v; want only ok, 2 bad", got, prog)
	}
	var reasons []string
	for _, p := range rec.all() {
		if p.Phase == PhaseBadEvent {
			reasons = append(reasons, p.Reason)
		}
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], "is before 2009-01-01") || !strings.Contains(reasons[1], "more than a day after") {
		t.Errorf("bad events reported as %q", reasons)
	}
}

func TestCollectCountsBadEvents(t *testing.T) {
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("[" + eventJSON(1) + `,{"uuid":"no-time","eventType":"x"},"text",` + eventJSON(2) + "]"))
	})
	rec := &recorder{}
	sink, prog, err := collect(t, org, Params{Since: time.Now().Add(-time.Hour), Until: time.Now()}, func(c *Collector) { c.Progress = rec.add })
	must(t, err)
	if prog.Bad != 2 || prog.Inserted != 2 || prog.Events != 4 || len(uuids(t, sink)) != 2 {
		t.Errorf("tally %+v", prog)
	}
	bad := 0
	for _, p := range rec.all() {
		if p.Phase == PhaseBadEvent {
			bad++
		}
	}
	if bad != 2 {
		t.Errorf("%d bad events reported", bad)
	}
}

// TestCollectCountsConflicts checks that an event whose uuid the store
// holds with other content is counted apart, not as a duplicate.
func TestCollectCountsConflicts(t *testing.T) {
	other := strings.Replace(eventJSON(1), `"00u1"`, `"00uOther"`, 1)
	reordered := `{"actor":{"type":"User","id":"00u1"},"uuid":"u-1","eventType":"user.session.start","published":"2025-03-03T10:00:01.000Z","version":"0","severity":"INFO"}`
	org, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("[" + eventJSON(1) + "," + other + "," + reordered + "," + eventJSON(2) + "]"))
	})
	_, prog, err := collect(t, org, Params{Since: time.Now().Add(-time.Hour), Until: time.Now()})
	must(t, err)
	if prog.Inserted != 2 || prog.Duplicates != 1 || prog.Conflicts != 1 || !strings.Contains(prog.String(), "1 conflicting") {
		t.Errorf("tally %+v: %s", prog, prog)
	}
}

func TestCollectChecksParams(t *testing.T) {
	org, _ := url.Parse("http://127.0.0.1:1")
	for _, p := range []Params{
		{Follow: true, Until: time.Now()},
		{Follow: true, SortOrder: Descending},
		{Limit: 1001},
		{SortOrder: "up"},
		{Since: time.Now(), Until: time.Now().Add(-time.Hour)},
	} {
		if _, _, err := collect(t, org, p); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	remote, _ := url.Parse("http://acme.okta.com")
	if _, _, err := collect(t, remote, Params{}, func(c *Collector) { c.Token = SSWSToken("t") }); err == nil {
		t.Error("plain http to a remote org accepted")
	}
	tls, _ := url.Parse("https://acme.okta.com")
	if _, _, err := collect(t, tls, Params{}); err == nil {
		t.Error("a remote org without a token accepted")
	}
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

func TestCollectRefusesForeignRedirect(t *testing.T) {
	org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://evil.example/api/v1/logs", http.StatusFound)
	})
	_, _, err := collect(t, org, Params{}, func(c *Collector) { c.Token = SSWSToken(testSecret) })
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusFound || len(*reqs) != 1 {
		t.Fatalf("err %v after %d requests", err, len(*reqs))
	}
}
