package oktaapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// smallOrg is a served store of 1,000 synthetic events.
func smallOrg(t *testing.T, opts ServerOptions) (*store.Store, *url.URL) {
	t.Helper()
	so := synthOptions(1000)
	st := openStore(t, "served.db")
	fill(t, st, so)
	if opts.Now == nil {
		opts.Now = evidenceClock(so)
	}
	return st, serve(t, st, opts)
}

// get sends a GET to org's /api/v1/logs with the query and returns the
// response and its body.
func get(t *testing.T, org *url.URL, query string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return getURL(t, org.String()+LogsPath+"?"+query, header...)
}

func getURL(t *testing.T, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	must(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp, body
}

// events decodes a page body.
func events(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		t.Fatalf("body is not a JSON array: %v: %.200s", err, body)
	}
	return raws
}

// apiError decodes an error body and checks its status and code.
func apiError(t *testing.T, resp *http.Response, body []byte, status int, code string) *APIError {
	t.Helper()
	var e APIError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body: %v: %s", err, body)
	}
	if resp.StatusCode != status || e.ErrorCode != code {
		t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.ErrorCode, e.ErrorSummary, status, code)
	}
	if e.ErrorLink != code || !strings.HasPrefix(e.ErrorID, "oae") || e.ErrorCauses == nil {
		t.Errorf("error object incomplete: %s", body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return &e
}

const day = "since=2025-03-03T00:00:00Z&until=2025-03-04T00:00:00Z"

func TestServerBoundedPages(t *testing.T) {
	st, org := smallOrg(t, ServerOptions{})
	want := uuids(t, st)
	next := org.String() + LogsPath + "?" + day + "&limit=300"
	var got []string
	var last time.Time
	pages := 0
	for next != "" {
		resp, body := getURL(t, next)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		l := links(resp.Header)
		if l["self"] == "" {
			t.Error("no self link")
		}
		for _, raw := range events(t, body) {
			e, err := logevent.Decode(raw)
			must(t, err)
			if e.Time.Before(last) {
				t.Fatal("bounded page out of published order")
			}
			last = e.Time
			got = append(got, e.UUID)
		}
		next = l["next"]
		if strings.Contains(next, "since=") {
			t.Errorf("next link sends since with after: %s", next)
		}
		pages++
	}
	if pages != 4 { // 300+300+300+100: the last page has no next link
		t.Errorf("%d pages, want 4", pages)
	}
	sortStrings(got)
	sameUUIDs(t, got, want)
}

func TestServerDefaultsAndLimits(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	resp, body := get(t, org, day)
	if n := len(events(t, body)); n != DefaultLimit {
		t.Errorf("default page: %d events, want %d", n, DefaultLimit)
	}
	if links(resp.Header)["next"] == "" {
		t.Error("a bounded request with more events has no next link")
	}
	resp, body = get(t, org, day+"&limit=0")
	if resp.StatusCode != 200 || len(events(t, body)) != 0 {
		t.Errorf("limit=0: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{"limit=1001", "limit=-1", "limit=ten", "sortOrder=SIDEWAYS", "since=yesterday", "until=2025-13-01", "after=not-a-cursor"} {
		resp, body := get(t, org, bad)
		e := apiError(t, resp, body, 400, CodeValidation)
		if !strings.HasPrefix(e.ErrorSummary, "Api validation failed: '") || len(e.ErrorCauses) != 1 {
			t.Errorf("%s: %s", bad, body)
		}
	}
	// No since: 7 days before until; the synthetic day is 8 days before.
	_, body = get(t, org, "until=2025-03-11T00:00:01Z")
	if n := len(events(t, body)); n != 0 {
		t.Errorf("default since reached back %d events too far", n)
	}
	_, body = get(t, org, "until=2025-03-10T00:00:00+00:00&limit=5") // "+" unescaped
	if n := len(events(t, body)); n != 5 {
		t.Errorf("default since (7 days) missed the day: %d events", n)
	}
}

func TestServerSinceTooOld(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	resp, body := get(t, org, "since=2024-03-03T00:00:00Z")
	e := apiError(t, resp, body, 400, CodeBadFilter)
	if !strings.Contains(e.ErrorSummary, "over 180 days") {
		t.Errorf("summary %q", e.ErrorSummary)
	}
}

func TestServerBadFilter(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	resp, body := get(t, org, day+"&filter="+url.QueryEscape(`display_message eqq "Create okta user"`))
	e := apiError(t, resp, body, 400, CodeBadFilter)
	if !strings.HasPrefix(e.ErrorSummary, `Invalid filter 'display_message eqq "Create okta user"': `) ||
		len(e.ErrorCauses) != 1 || !strings.Contains(e.ErrorCauses[0].ErrorSummary, "column 17") {
		t.Errorf("bad filter error: %s", body)
	}
	resp, body = get(t, org, day+"&q="+strings.Repeat("x", 41))
	apiError(t, resp, body, 400, CodeValidation)
}

func TestServerFilterAndKeywords(t *testing.T) {
	st, org := smallOrg(t, ServerOptions{})
	const text = `eventType eq "user.session.start" and outcome.result eq "SUCCESS"`
	expr := filter.MustParse(text)
	kw, _ := filter.ParseKeywords("okta")
	var want []string
	st.Search(context.Background(), backend.Query{Filter: expr, Keywords: kw}, func(e *logevent.Event, _ backend.Cursor) error {
		want = append(want, string(e.Raw))
		return nil
	})
	if len(want) == 0 {
		t.Fatal("the filter matches nothing in the synthetic day")
	}
	_, body := get(t, org, day+"&limit=1000&q=okta&filter="+url.QueryEscape(text))
	raws := events(t, body)
	if len(raws) != len(want) {
		t.Fatalf("%d events, want %d", len(raws), len(want))
	}
	for i, raw := range raws {
		if string(raw) != want[i] { // the original bytes, in order
			t.Fatalf("event %d differs from the stored bytes", i)
		}
	}
}

func TestServerDescending(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	_, body := get(t, org, day+"&sortOrder=DESCENDING&limit=50")
	var prev time.Time
	for i, raw := range events(t, body) {
		e, err := logevent.Decode(raw)
		must(t, err)
		if i > 0 && e.Time.After(prev) {
			t.Fatal("DESCENDING page out of order")
		}
		prev = e.Time
	}
	// Descending without until is bounded (until = now), not polling.
	resp, _ := get(t, org, "since=2025-03-03T23:59:00Z&sortOrder=DESCENDING")
	if links(resp.Header)["next"] != "" {
		t.Error("a finished descending request has a next link")
	}
}

func TestServerPollingAlwaysHasNext(t *testing.T) {
	so := synthOptions(1000)
	st := openStore(t, "served.db")
	fill(t, st, so)
	now := evidenceClock(so)
	org := serve(t, st, ServerOptions{Now: now})
	// Empty: nothing after the synthetic day.
	resp, body := get(t, org, "since=2025-03-04T00:00:00Z")
	next := links(resp.Header)["next"]
	if len(events(t, body)) != 0 || next == "" {
		t.Fatalf("empty polling page: %d events, next %q", len(events(t, body)), next)
	}
	// Events published later show up on the next link.
	late := lateEvents(t, 3, time.Date(2025, 3, 4, 0, 30, 0, 0, time.UTC))
	_, err := st.Insert(context.Background(), late)
	must(t, err)
	resp, body = getURL(t, next)
	if n := len(events(t, body)); n != 3 {
		t.Fatalf("polling after insert: %d events, want 3", n)
	}
	next2 := links(resp.Header)["next"]
	resp, body = getURL(t, next2)
	if len(events(t, body)) != 0 || links(resp.Header)["next"] == "" {
		t.Fatal("caught-up polling page: want no events and a next link")
	}
}

// TestServerPollingPersistenceOrder checks that a polling request pages in
// the order the store received the events, as Okta pages in persistence
// order: an event stored after the poller caught up, published earlier than
// events it has seen, reaches it on its next page and is never skipped;
// and that an after token of the other order is refused.
func TestServerPollingPersistenceOrder(t *testing.T) {
	so := synthOptions(1000)
	st := openStore(t, "served.db")
	n := fill(t, st, so)
	org := serve(t, st, ServerOptions{Now: evidenceClock(so)})
	seen := map[string]bool{}
	next := org.String() + LogsPath + "?since=2025-03-03T00:00:00Z&limit=300"
	var bounded string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("polling never caught up")
		}
		resp, body := getURL(t, next)
		page := events(t, body)
		for _, raw := range page {
			e, err := logevent.Decode(raw)
			must(t, err)
			seen[e.UUID] = true
		}
		next = links(resp.Header)["next"]
		if len(page) < 300 {
			break
		}
		if bounded == "" {
			bounded = next
		}
	}
	if len(seen) != n {
		t.Fatalf("polling saw %d events, want %d", len(seen), n)
	}
	// Stored now, published in the middle of the day already polled.
	late := lateEvents(t, 3, time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC))
	_, err := st.Insert(context.Background(), late)
	must(t, err)
	resp, body := getURL(t, next)
	got := events(t, body)
	if len(got) != 3 {
		t.Fatalf("the next polling page holds %d events, want the 3 stored late", len(got))
	}
	for i, raw := range got {
		if string(raw) != string(late[i].Raw) {
			t.Errorf("event %d: %.60s, want %.60s", i, raw, late[i].Raw)
		}
	}
	if resp, body = getURL(t, links(resp.Header)["next"]); len(events(t, body)) != 0 {
		t.Errorf("caught up, yet %d events", len(events(t, body)))
	}
	// A polling page's after token in a bounded request.
	u, err := url.Parse(bounded)
	must(t, err)
	resp, body = get(t, org, day+"&after="+u.Query().Get("after"))
	apiError(t, resp, body, 400, CodeValidation)
}

func TestServerToken(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{Token: testSecret})
	for _, auth := range []string{"", "SSWS wrong", "SSWS " + testSecret + "x", testSecret} {
		resp, body := get(t, org, day, "Authorization", auth)
		e := apiError(t, resp, body, 401, CodeInvalidToken)
		if e.ErrorSummary != "Invalid token provided" {
			t.Errorf("summary %q", e.ErrorSummary)
		}
	}
	for _, auth := range []string{"SSWS " + testSecret, "Bearer " + testSecret} {
		if resp, body := get(t, org, day, "Authorization", auth); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", strings.Fields(auth)[0], resp.StatusCode, body)
		}
	}
}

func TestServerRateLimit(t *testing.T) {
	clock := time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)
	_, org := smallOrg(t, ServerOptions{RateLimit: 3, Now: func() time.Time { return clock }})
	for i := 1; i <= 4; i++ {
		resp, body := get(t, org, day+"&limit=1")
		h := resp.Header
		if h.Get(headerLimit) != "3" || h.Get(headerReset) != "1741050060" {
			t.Errorf("request %d: headers %v", i, h)
		}
		if i < 4 {
			if resp.StatusCode != 200 || h.Get(headerRemaining) != string(rune('0'+3-i)) {
				t.Errorf("request %d: %d remaining %s", i, resp.StatusCode, h.Get(headerRemaining))
			}
			continue
		}
		apiError(t, resp, body, 429, CodeRateLimit)
		if h.Get(headerRemaining) != "0" || h.Get("Date") != "Tue, 04 Mar 2025 01:00:00 GMT" {
			t.Errorf("429 headers %v", h)
		}
	}
	clock = clock.Add(time.Minute)
	if resp, _ := get(t, org, day+"&limit=1"); resp.StatusCode != 200 {
		t.Errorf("after the reset: %d", resp.StatusCode)
	}
}

func TestServerPathsAndMethods(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	resp, body := getURL(t, org.String()+"/api/v1/users")
	apiError(t, resp, body, 404, CodeNotFound)
	resp2, err := http.Post(org.String()+LogsPath, "application/json", strings.NewReader("{}"))
	must(t, err)
	body, _ = io.ReadAll(resp2.Body)
	resp2.Body.Close()
	apiError(t, resp2, body, 405, CodeMethod)
}

// lateEvents makes n valid events published from at on, with fresh uuids.
func lateEvents(t testing.TB, n int, at time.Time) []*logevent.Event {
	t.Helper()
	var out []*logevent.Event
	for i := 0; i < n; i++ {
		raw := `{"uuid":"late-` + at.Format("150405.000") + `-` + string(rune('a'+i)) + `","published":"` +
			at.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z") +
			`","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"User login to Okta","actor":{"id":"00ulate","type":"User"},"outcome":{"result":"SUCCESS"}}`
		e, err := logevent.Decode([]byte(raw))
		must(t, err)
		out = append(out, e)
	}
	return out
}
