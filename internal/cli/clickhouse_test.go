package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/clickhouse"
	"github.com/oktascope/oktascope/internal/clickhouse/chtest"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/web"
)

// TestCommandsOnClickHouse runs the commands on a 2-shard ClickHouse
// cluster (--db clickhouse://…) and on the embedded store, over the same
// import, and checks that they print the same: every playbook for every
// indicator of the incidents, search, explain, timeline, scope and detect.
func TestCommandsOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	db, _, incidents := importedOrg(t)
	dir := t.TempDir()
	path, events, _ := generatedLog(t, dir)
	stdout, stderr, code := run(t, dsn, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path)
	if code != 0 || !strings.Contains(stderr, "imported") {
		t.Fatalf("import into ClickHouse: exit %d: %s %s", code, stdout, stderr)
	}
	if _, stderr, _ := run(t, dsn, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path); !strings.Contains(stderr, "0 imported") {
		t.Errorf("import again: %s", stderr)
	}
	same := func(args ...string) string {
		t.Helper()
		want, _, wantCode := run(t, db, false, args...)
		got, stderr, code := run(t, dsn, false, args...)
		if code != wantCode || got != want {
			t.Errorf("%s: ClickHouse printed (exit %d, %s)\n%.400s\nthe embedded store (exit %d)\n%.400s", strings.Join(args, " "), code, stderr, got, wantCode, want)
		}
		return got
	}
	hunts := 0
	for _, inc := range incidents {
		values := map[indicator.Kind][]string{indicator.User: {inc.UserID}, indicator.IP: {inc.AttackerIP}, indicator.Session: inc.SessionIDs[:1]}
		for _, p := range catalog.Playbooks() {
			for _, v := range values[p.Parameter] {
				if out := same("hunt", p.Name, "--"+string(p.Parameter), v, "--format", "ndjson"); out != "" {
					hunts++
				}
			}
		}
		same("hunt", "user-signin", "--user", inc.UserLogin)
		same("timeline", "--user", inc.UserID)
		same("scope", "--ip", inc.AttackerIP, "--format", "json")
	}
	if hunts < 10 {
		t.Errorf("only %d hunts found events: the comparison exercises little", hunts)
	}
	same("search", `eventType sw "user.mfa." and outcome.result eq "FAILURE"`, "--format", "ndjson")
	same("search", "--q", "push", "--limit", "20", "--format", "ndjson")
	same("explain", "user.account.reset_password")
	same("detect", "--format", "json")
	if n := len(strings.Split(strings.TrimSpace(same("search", "--format", "ndjson")), "\n")); n != len(events) {
		t.Errorf("search of everything: %d events, want %d", n, len(events))
	}
}

// TestDemoOnClickHouse runs the demo on a ClickHouse database twice: it
// replaces what the database held, and prints commands that name it.
func TestDemoOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	for range 2 {
		stdout, stderr, code := run(t, dsn, false, "demo")
		if code != 0 {
			t.Fatalf("demo: exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "--db '"+dsn+"'") || !strings.Contains(stdout, "hunt user-signin") {
			t.Fatalf("demo output does not walk through %s:\n%.600s", dsn, stdout)
		}
	}
}

// TestServeOnClickHouse serves the same import from ClickHouse and from the
// embedded store through the real HTTP handler (serve), and pages through
// both the same way: the UI's search page by page, /api/v1/logs by
// published (since and until) and polling by receipt (no until). Each page
// holds the same events in the same order. A poller then gets, from its
// last next link, exactly the events stored since, even published early.
func TestServeOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	db, events, _ := importedOrg(t)
	dir := t.TempDir()
	path, _, _ := generatedLog(t, dir)
	if _, stderr, code := run(t, dsn, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path); code != 0 {
		t.Fatalf("import into ClickHouse: exit %d: %s", code, stderr)
	}
	chBase, _ := serving(t, nil, "--db", dsn, "serve", "--addr", "127.0.0.1:0")
	storeBase, _ := serving(t, nil, "--db", db, "serve", "--addr", "127.0.0.1:0")
	since := events[0].Time.Format(time.RFC3339Nano)
	until := events[len(events)-1].Time.Add(time.Second).Format(time.RFC3339Nano)
	pages := map[string]string{
		"search":        "/api/search?limit=200&filter=" + url.QueryEscape(`eventType sw "user." and outcome.result eq "SUCCESS"`),
		"search-newest": "/api/search?limit=300&order=newest&q=push",
		"logs": oktaapi.LogsPath + "?limit=500&since=" + url.QueryEscape(since) + "&until=" + url.QueryEscape(until) +
			"&filter=" + url.QueryEscape(`eventType eq "user.session.start"`),
		"logs-desc": oktaapi.LogsPath + "?limit=700&sortOrder=DESCENDING&since=" + url.QueryEscape(since) + "&until=" + url.QueryEscape(until),
		"poll":      oktaapi.LogsPath + "?limit=1000&since=" + url.QueryEscape(since),
	}
	var pollNext string
	for name, first := range pages {
		got, gotPages, next := walkPages(t, chBase, first)
		want, wantPages, _ := walkPages(t, storeBase, first)
		t.Logf("%s: %d events in %d pages", name, len(got), gotPages)
		if len(got) == 0 || gotPages < 2 {
			t.Errorf("%s: %d events in %d pages: the paging is not exercised", name, len(got), gotPages)
		}
		if !slices.Equal(got, want) || gotPages != wantPages {
			t.Errorf("%s: ClickHouse served %d events in %d pages, the embedded store %d in %d (same order: %v)",
				name, len(got), gotPages, len(want), wantPages, slices.Equal(got, want))
		}
		if name == "poll" {
			if len(got) != len(events) || next == "" {
				t.Errorf("poll: %d events of %d, next link %q", len(got), len(events), next)
			}
			pollNext = next
		}
	}

	// Events stored after the poller's last page, one published before
	// every other: the next link brings exactly them.
	b, err := clickhouse.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	late := make([]*logevent.Event, 3)
	for i := range late {
		raw := fmt.Sprintf(`{"uuid":"late-%d","published":"%s","eventType":"user.session.start","version":"0","severity":"INFO"}`,
			i, events[0].Time.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano))
		if late[i], err = logevent.Decode([]byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := b.Insert(context.Background(), late); err != nil || res.Inserted != len(late) {
		t.Fatalf("insert late events: %+v %v", res, err)
	}
	got, _, _ := walkPages(t, chBase, strings.TrimPrefix(pollNext, chBase))
	if !slices.Equal(got, []string{"late-0", "late-1", "late-2"}) {
		t.Errorf("the poller's next link brought %v, want the 3 late events in the order stored", got)
	}
}

// walkPages GETs path on base and follows the pages (nextUrl of the UI's
// API, rel="next" of /api/v1/logs) to an empty page or the last; it
// returns the uuids in order, the number of pages with events, and the
// last next link.
func walkPages(t *testing.T, base, path string) (uuids []string, pages int, next string) {
	t.Helper()
	link := regexp.MustCompile(`<([^>]+)>; rel="next"`)
	u := base + path
	for range 1000 {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v: %.300s", u, resp.StatusCode, err, body)
		}
		var events []struct{ UUID string }
		if strings.HasPrefix(path, oktaapi.LogsPath) {
			err = json.Unmarshal(body, &events)
			next = ""
			for _, v := range resp.Header.Values("Link") {
				if m := link.FindStringSubmatch(v); m != nil {
					next = m[1]
				}
			}
		} else {
			var page struct {
				Events  []struct{ UUID string }
				NextURL string
			}
			err = json.Unmarshal(body, &page)
			events, next = page.Events, ""
			if page.NextURL != "" {
				next = base + page.NextURL
			}
		}
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		if len(events) == 0 {
			return uuids, pages, u
		}
		pages++
		for _, e := range events {
			uuids = append(uuids, e.UUID)
		}
		if next == "" {
			return uuids, pages, ""
		}
		u = next
	}
	t.Fatalf("GET %s: more than 1,000 pages", base+path)
	return nil, 0, ""
}

// TestCollectOnClickHouse collects from a loopback /api/v1/logs (oktaapi's
// server over an embedded store) into ClickHouse, interrupted while its
// fourth page is asked for (collect fetches a page ahead while it stores one):
// the interrupted collect keeps its checkpoint in ClickHouse, and
// the next one resumes from it (its first request is the saved next link)
// and ends with every event stored exactly once.
func TestCollectOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	served, events, _ := importedOrg(t)
	st, err := store.Open(served)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	last := events[len(events)-1].Time
	api := oktaapi.NewServer(st, oktaapi.ServerOptions{RateLimit: -1, Now: func() time.Time { return last.Add(time.Hour) }})
	var mu sync.Mutex
	var requests []string
	var interrupt func()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.URL.RawQuery)
		if len(requests) == 4 && interrupt != nil {
			interrupt() // while the fourth page is fetched
		}
		mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	since, until := events[0].Time.Format(time.RFC3339Nano), last.Add(time.Second).Format(time.RFC3339Nano)
	collect := func(ctx context.Context) (string, int) {
		var out, errOut strings.Builder
		streams := IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Width: 160, Env: func(string) (string, bool) { return "", false }}
		code := Main(ctx, []string{"--db", dsn, "collect", "--org", srv.URL, "--since", since, "--until", until, "--limit", "500"}, streams)
		return errOut.String(), code
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	mu.Lock()
	interrupt = func() { cancel(&SignalError{Signal: os.Interrupt}) } // as Ctrl-C does
	mu.Unlock()
	stderr, code := collect(ctx)
	if code != ExitInterrupted || !strings.Contains(stderr, "the checkpoint is saved") {
		t.Fatalf("interrupted collect: exit %d: %s", code, stderr)
	}
	b, err := clickhouse.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	held, err := b.Count(context.Background(), backend.Query{})
	if err != nil || held < 500 || held >= len(events) {
		t.Fatalf("after the interruption ClickHouse holds %d events (%v), want a page or more of 500, fewer than %d", held, err, len(events))
	}
	org, err := oktaapi.ParseOrg(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	key := oktaapi.CheckpointKey(org, oktaapi.Params{Key: strings.Join([]string{since, until, "", ""}, "\x00")})
	next, ok, err := b.LoadCheckpoint(context.Background(), key)
	if err != nil || !ok || !strings.Contains(next, "after=") {
		t.Fatalf("checkpoint in ClickHouse: %q %v %v", next, ok, err)
	}

	mu.Lock()
	interrupt, requests = nil, nil
	mu.Unlock()
	if stderr, code := collect(context.Background()); code != ExitOK || !strings.Contains(stderr, "; done") {
		t.Fatalf("resumed collect: exit %d: %s", code, stderr)
	}
	mu.Lock()
	first := requests[0]
	mu.Unlock()
	if want := next[strings.Index(next, "?")+1:]; first != want {
		t.Errorf("the resumed collect asked first for %q, not the checkpoint's %q", first, want)
	}
	var uuids []string
	err = b.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error {
		uuids = append(uuids, e.UUID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(events))
	for i, e := range events {
		want[i] = e.UUID
	}
	slices.Sort(uuids)
	slices.Sort(want)
	if !slices.Equal(uuids, want) {
		t.Errorf("ClickHouse holds %d events after the resumed collect, want each of the %d once", len(uuids), len(want))
	}
}

// TestLiveOnClickHouse: serve receives Okta Event Hook deliveries of a
// generated org's day with the three planted attacks into ClickHouse, and
// watch, on the same database, alerts each attack once to a local webhook;
// a restarted watch (its findings and position kept in ClickHouse)
// repeats nothing.
func TestLiveOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	_, events, planted := generatedLog(t, t.TempDir())
	base, _ := serving(t, map[string]string{"HOOK_SECRET": hookSecret}, "--db", dsn, "serve", "--addr", "127.0.0.1:0", "--event-hook-secret-env", "HOOK_SECRET")
	sink := &alertSink{}
	hookURL := sink.serve(t)
	_, stop := watching(t, "--db", dsn, "watch", "--webhook", hookURL)
	pushOrg(t, base+web.EventHookPath, events)
	alerted := func() map[string]int {
		alerts, _ := sink.got()
		news := map[string]int{}
		for _, a := range alerts {
			if a.Status == "new" {
				news[a.ID]++
			}
		}
		return news
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(alerted()) < len(planted) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // anything else would come now
	stop()
	news := alerted()
	if len(planted) != 3 || len(news) != len(planted) {
		t.Fatalf("%d incidents alerted new, %d planted", len(news), len(planted))
	}
	for id, n := range news {
		if n != 1 {
			t.Errorf("incident %s alerted new %d times", id, n)
		}
	}
	before, _ := sink.got()
	out2, stop2 := watching(t, "--db", dsn, "watch", "--webhook", hookURL)
	time.Sleep(4 * time.Second)
	stop2()
	if again, _ := sink.got(); len(again) != len(before) || out2.String() != "" {
		t.Errorf("the restarted watch alerted again: %d alerts, stdout %q", len(again)-len(before), out2.String())
	}
}
