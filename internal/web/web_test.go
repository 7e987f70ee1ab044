package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// routes the safety tests visit: every page, fragment and API.
func routesToCheck(t *testing.T) []string {
	_, g := sharedStore(t)
	inc := g.Incidents()[0]
	return []string{
		"/", "/?filter=" + url.QueryEscape(`eventType eq "user.session.start"`),
		"/hunt?playbook=ip-signin&value=" + xssIP,
		"/timeline?kind=user&value=" + xssUser, "/timeline",
		"/scope?kind=ip&value=" + xssIP, "/scope",
		"/event?uuid=" + xssUUID, "/ui/event?uuid=" + xssUUID, "/ui/histogram",
		"/timeline?kind=session&value=" + url.QueryEscape(inc.SessionIDs[0]),
		"/api/search", "/api/hunt?playbook=ip-signin&value=" + xssIP, "/api/timeline?kind=ip&value=" + xssIP,
		"/api/scope?kind=ip&value=" + xssIP, "/api/histogram", "/api/event?uuid=" + xssUUID,
		"/api/validate?filter=x", "/api/playbooks",
		"/assets/app.css", "/assets/app.js", "/nowhere", "/?filter=" + url.QueryEscape("eventType eqq 1"),
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := testHandler(t, Options{})
	for _, target := range routesToCheck(t) {
		w := get(t, h, target)
		hdr := w.Result().Header
		if got := hdr.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("%s: CSP %q", target, got)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: nosniff %q, referrer %q", target, hdr.Get("X-Content-Type-Options"), hdr.Get("Referrer-Policy"))
		}
		if w.Code >= 500 {
			t.Errorf("%s: status %d: %s", target, w.Code, cut(body(w), 500))
		}
	}
}

func TestCSPHasTheIssuesDirectives(t *testing.T) {
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, d) {
			t.Errorf("CSP lacks %q", d)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe") {
		t.Error("CSP allows something unsafe")
	}
}

// tagPattern matches an HTML start tag as html/template writes it: event
// text is escaped (no raw "<"), so every match is markup of ours.
var (
	tagPattern  = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>`)
	attrPattern = regexp.MustCompile(`([^\s=>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?`)
)

// inlineCode finds what a strict CSP would block, or what would run on its
// own: inline script, event handler and style attributes, style elements,
// javascript: URLs.
func inlineCode(page string) []string {
	var found []string
	for _, m := range tagPattern.FindAllStringSubmatchIndex(page, -1) {
		name := strings.ToLower(page[m[2]:m[3]])
		if name == "style" {
			found = append(found, "<style>")
		}
		if name == "script" && !strings.HasPrefix(page[m[1]:], "</script>") && !jsonBlock(page[m[4]:m[5]], page[m[1]:]) {
			found = append(found, "inline <script>")
		}
		for _, a := range attrPattern.FindAllStringSubmatch(page[m[4]:m[5]], -1) {
			attr, value := strings.ToLower(a[1]), strings.ToLower(strings.Trim(a[2], `"'`))
			if strings.HasPrefix(attr, "on") || attr == "style" || strings.HasPrefix(strings.TrimSpace(value), "javascript:") {
				found = append(found, page[m[0]:m[1]])
			}
		}
	}
	return found
}

// jsonBlock reports whether a script element is a JSON data block, which
// browsers do not run: of type application/json, holding valid JSON with no
// "<" before its end tag.
func jsonBlock(attrs, rest string) bool {
	end := strings.Index(rest, "</script>")
	return strings.Contains(attrs, `type="application/json"`) && end >= 0 &&
		json.Valid([]byte(rest[:end])) && !strings.Contains(rest[:end], "<")
}

func TestInlineCodeFinder(t *testing.T) {
	for _, bad := range []string{`<img src=x onerror=alert(1)>`, `<p style="color:red">`, `<a href="javascript:alert(1)">`,
		`<script>alert(1)</script>`, `<style>p{}</style>`, `<svg onload='x'>`,
		`<script type="application/json">alert(1)</script>`, `<script type="module">{"a":1}</script>`} {
		if len(inlineCode(bad)) == 0 {
			t.Errorf("missed %s", bad)
		}
	}
	for _, good := range []string{`<script src="/assets/app.js" defer></script>`, `<td title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">x</td>`,
		`<script type="application/json" id="graph-data">{"nodes":["\u003cb\u003e"]}</script>`,
		`&lt;img src=x onerror=alert(1)&gt;`} {
		if found := inlineCode(good); len(found) != 0 {
			t.Errorf("false alarm %v in %s", found, good)
		}
	}
}

func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	h := testHandler(t, Options{})
	for _, target := range routesToCheck(t) {
		w := get(t, h, target)
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			continue
		}
		page := body(w)
		// The hostile events are escaped, so their text never matches.
		if found := inlineCode(page); len(found) != 0 {
			t.Errorf("%s: inline code %q", target, found)
		}
	}
}

func TestXSSPayloadsAreEscaped(t *testing.T) {
	h := testHandler(t, Options{})
	evilQ := url.QueryEscape(evilUUID)
	targets := []string{
		"/?filter=" + url.QueryEscape(`actor.id sw "`+xssUser+`"`) + "&open=" + xssUUID + "&open=" + evilQ,
		"/hunt?playbook=user-signin&value=" + xssUser + "&open=" + evilQ,
		"/timeline?kind=user&value=" + xssUser,
		"/scope?kind=user&value=" + xssUser,
		"/event?uuid=" + xssUUID, "/event?uuid=" + evilQ, "/ui/event?uuid=" + evilQ,
	}
	for _, target := range targets {
		page := mustStatus(t, get(t, h, target), http.StatusOK)
		for _, raw := range []string{scriptPayload, "<img src=x", "<svg onload", "<b>", "<i>target", "\u202e"} {
			if strings.Contains(page, raw) {
				t.Errorf("%s: raw %q in the page", target, raw)
			}
		}
		if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the script payload is not shown as text", target)
		}
	}
	timeline := body(get(t, h, "/timeline?kind=user&value="+xssUser))
	if !strings.Contains(timeline, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("timeline: the user agent payload is not shown as text")
	}
}

func TestEventJSONIsPrettyAndEscaped(t *testing.T) {
	h := testHandler(t, Options{})
	page := mustStatus(t, get(t, h, "/ui/event?uuid="+xssUUID), http.StatusOK)
	pre := between(page, `<pre class="json" tabindex="0">`, "</pre>")
	if !strings.Contains(pre, "\n  &#34;uuid&#34;: &#34;"+xssUUID+"&#34;,\n") {
		t.Errorf("not indented JSON:\n%s", cut(pre, 400))
	}
	if !strings.Contains(pre, `&#34;displayName&#34;: &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;`) {
		t.Errorf("display name not escaped:\n%s", pre)
	}
	evil := body(get(t, h, "/ui/event?uuid="+url.QueryEscape(evilUUID)))
	if !strings.Contains(evil, `\u202etxt.exe`) {
		t.Error("a bidirectional override is not shown as an escape")
	}
}

func TestReadOnly(t *testing.T) {
	h := testHandler(t, Options{})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		for _, target := range []string{"/", "/api/search", "/assets/app.js", "/api/v1/logs"} {
			w := do(t, h, httptest.NewRequest(method, target, strings.NewReader("x=1")))
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: status %d, Allow %q", method, target, w.Code, w.Header().Get("Allow"))
			}
		}
	}
	if w := do(t, h, httptest.NewRequest(http.MethodHead, "/", nil)); w.Code != http.StatusOK {
		t.Errorf("HEAD /: status %d", w.Code)
	}
}

func TestTokenRequiredWhenSet(t *testing.T) {
	const token = "s3cret-token"
	h := testHandler(t, Options{Token: token})
	request := func(target string, header map[string]string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Host = "192.0.2.10:8080" // not loopback: the token is what counts
		for k, v := range header {
			r.Header.Set(k, v)
		}
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return do(t, h, r)
	}
	for _, target := range []string{"/", "/api/search", "/assets/app.js", "/timeline?kind=ip&value=1.2.3.4"} {
		if w := request(target, nil); w.Code != http.StatusUnauthorized {
			t.Errorf("%s without token: %d", target, w.Code)
		}
		if w := request(target, map[string]string{"Authorization": "Bearer wrong"}); w.Code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", target, w.Code)
		}
		if w := request(target, map[string]string{"Authorization": "Bearer " + token}); w.Code != http.StatusOK {
			t.Errorf("%s with the token: %d", target, w.Code)
		}
	}
	if w := request("/?token=wrong", nil); w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 {
		t.Errorf("wrong link token: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	w := request("/?filter=x&token="+token, nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/?filter=x" {
		t.Fatalf("link token: %d, Location %q", w.Code, w.Header().Get("Location"))
	}
	for target, want := range map[string]string{"//evil.example/x?token=" + token: "/evil.example/x", "/%5Cevil.example?token=" + token: "/%5Cevil.example"} {
		if got := request(target, nil).Header().Get("Location"); got != want {
			t.Errorf("%s redirects to %q, want %q", target, got, want)
		}
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Value == token {
		t.Fatalf("cookie %+v", cookies)
	}
	if w := request("/", nil, cookies[0]); w.Code != http.StatusOK {
		t.Errorf("with the cookie: %d", w.Code)
	}
	if w := request("/", nil, &http.Cookie{Name: TokenCookie, Value: token}); w.Code != http.StatusUnauthorized {
		t.Errorf("with the raw token as cookie: %d", w.Code)
	}
}

func TestLoopbackOnlyWithoutToken(t *testing.T) {
	h := testHandler(t, Options{})
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "oktascope.localhost": 200,
		"evil.example:8080": http.StatusMisdirectedRequest, "192.0.2.10": http.StatusMisdirectedRequest,
	} {
		r := httptest.NewRequest(http.MethodGet, "/api/playbooks", nil)
		r.Host = host
		if w := do(t, h, r); w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
	allowed := testHandler(t, Options{AllowedHosts: []string{"analyst.example"}})
	r := httptest.NewRequest(http.MethodGet, "/api/playbooks", nil)
	r.Host = "analyst.example:8080"
	if w := do(t, allowed, r); w.Code != http.StatusOK {
		t.Errorf("allowed host: %d", w.Code)
	}
}

func TestDoesNotClaimAPIv1(t *testing.T) {
	h := testHandler(t, Options{})
	if w := get(t, h, "/api/v1/logs"); w.Code != http.StatusNotFound {
		t.Errorf("/api/v1/logs: %d", w.Code)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", Guard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) }), Options{Token: "t"}))
	mux.Handle("/", testHandler(t, Options{Token: "t"}))
	r := httptest.NewRequest(http.MethodGet, "/api/v1/logs", nil)
	r.Header.Set("Authorization", "Bearer t")
	if w := do(t, mux, r); w.Code != 299 || w.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("mounted /api/v1/: %d", w.Code)
	}
	if w := get(t, mux, "/api/v1/logs"); w.Code != http.StatusUnauthorized {
		t.Errorf("mounted /api/v1/ without token: %d", w.Code)
	}
}

func TestSyntaxErrorIsShownWithLineAndColumn(t *testing.T) {
	h := testHandler(t, Options{})
	text := "eventType eq \"user.session.start\" and\n  outcome.result eqq \"FAILURE\""
	_, perr := filter.Parse(text)
	se, ok := perr.(*filter.SyntaxError)
	if !ok {
		t.Fatalf("parse: %v", perr)
	}
	page := mustStatus(t, get(t, h, "/?filter="+url.QueryEscape(text)), http.StatusBadRequest)
	want := "line 2, column " + strconv.Itoa(se.Column) + ":"
	if box := between(page, `id="input-error">`, "</div>"); !strings.Contains(box, want) || !strings.Contains(box, "eqq") {
		t.Errorf("error box %q lacks %q", box, want)
	}
	caret := between(page, `<pre class="caret" id="filter-caret">`, "</pre>")
	lines := strings.Split(caret, "\n")
	if len(lines) != 2 || strings.Index(lines[1], "^") != se.Column-1 {
		t.Errorf("caret:\n%s\n(column %d)", caret, se.Column)
	}
	if !strings.Contains(page, "outcome.result eqq") {
		t.Error("the filter is not kept in the box")
	}
	w := get(t, h, "/api/search?filter="+url.QueryEscape(text))
	var apiErr apiError
	if err := json.Unmarshal([]byte(mustStatus(t, w, http.StatusBadRequest)), &apiErr); err != nil {
		t.Fatal(err)
	}
	if apiErr.Error.Line != 2 || apiErr.Error.Column != se.Column || apiErr.Error.Field != "filter" {
		t.Errorf("API error %+v", apiErr.Error)
	}
	var v validateResponse
	if err := json.Unmarshal([]byte(body(get(t, h, "/api/validate?filter="+url.QueryEscape(text)))), &v); err != nil || v.Valid || v.Error.Line != 2 {
		t.Errorf("validate: %+v %v", v, err)
	}
}

func storeQuery(expr filter.Expr) backend.Query { return backend.Query{Filter: expr} }

// formValues reads the values the search form would submit.
func formValues(page string) url.Values {
	v := url.Values{}
	form := between(page, `id="search-form">`, "</form>")
	v.Set("filter", htmlUnescape(between(form, `aria-describedby="filter-check">`, "</textarea>")))
	for _, name := range []string{"q", "since", "until"} {
		v.Set(name, htmlUnescape(between(form, `name="`+name+`" value="`, `"`)))
	}
	if strings.Contains(form, `<option value="asc" selected>`) {
		v.Set("order", "asc")
	} else {
		v.Set("order", "desc")
	}
	return v
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&#43;", "+", "&amp;", "&")
	return r.Replace(s)
}

func TestURLStateRoundTrip(t *testing.T) {
	st := searchState{Filter: "eventType eq \"user.session.start\"\nor eventType sw \"user.mfa\"", Keywords: "okta verify",
		Since: "2025-03-03T06:00:00Z", Until: "2025-03-03T18:00:00Z", Order: "asc", Page: 1, Open: []string{"a", "b"}}
	u, _ := url.Parse(st.URL())
	if got := readSearchState(u.Query()); !equalState(got, st) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, st)
	}
	h := testHandler(t, Options{})
	page := mustStatus(t, get(t, h, st.URL()), http.StatusOK)
	form := formValues(page)
	for key, want := range map[string]string{"filter": st.Filter, "q": st.Keywords, "since": st.Since, "until": st.Until, "order": "asc"} {
		if form.Get(key) != want {
			t.Errorf("form %s = %q, want %q", key, form.Get(key), want)
		}
	}
	// Submitting the form reproduces the view (rows collapsed).
	again := mustStatus(t, get(t, h, "/?"+form.Encode()), http.StatusOK)
	if firstRows(page, 5) != firstRows(again, 5) || firstRows(page, 5) == "" {
		t.Errorf("resubmitted view differs:\n%s\n%s", firstRows(page, 5), firstRows(again, 5))
	}
}

func equalState(a, b searchState) bool {
	return a.Filter == b.Filter && a.Keywords == b.Keywords && a.Since == b.Since && a.Until == b.Until &&
		a.Order == b.Order && a.Page == b.Page && slices.Equal(a.Open, b.Open) && a.After == b.After
}

var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next" id="next-page">`)

var rowUUID = regexp.MustCompile(`<tr class="ev[^"]*" id="ev-([^"]+)"`)

// firstRows lists the uuids of the first n rows of a results page.
func firstRows(page string, n int) string {
	var ids []string
	for _, m := range rowUUID.FindAllStringSubmatch(page, n) {
		ids = append(ids, m[1])
	}
	return strings.Join(ids, ",")
}

func TestPagingWalksEveryMatchOnce(t *testing.T) {
	st, _ := sharedStore(t)
	h := testHandler(t, Options{PageSize: 40})
	text := `eventType eq "user.session.start" or eventType eq "user.session.end"`
	expr, _ := filter.Parse(text)
	want, err := st.Count(t.Context(), storeQuery(expr))
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []string{"desc", "asc"} {
		seen := map[string]bool{}
		var last time.Time
		next := "/?filter=" + url.QueryEscape(text) + "&order=" + order
		for pages := 0; next != ""; pages++ {
			if pages > want/40+2 {
				t.Fatal("too many pages")
			}
			page := mustStatus(t, get(t, h, next), http.StatusOK)
			for _, m := range rowUUID.FindAllStringSubmatch(page, -1) {
				if seen[m[1]] {
					t.Fatalf("%s: %s twice", order, m[1])
				}
				seen[m[1]] = true
			}
			for _, ts := range regexp.MustCompile(`<td class="time" title="([^"]+)"`).FindAllStringSubmatch(page, -1) {
				at, _ := time.Parse(fullTime, ts[1])
				if !last.IsZero() && ((order == "asc" && at.Before(last)) || (order == "desc" && at.After(last))) {
					t.Fatalf("%s: %v after %v", order, at, last)
				}
				last = at
			}
			next = ""
			if m := nextLink.FindStringSubmatch(page); m != nil {
				next = htmlUnescape(m[1])
			}
		}
		if len(seen) != want {
			t.Errorf("%s: %d events over the pages, want %d", order, len(seen), want)
		}
	}
}

func TestHistogramCountsEveryMatch(t *testing.T) {
	st, _ := sharedStore(t)
	h := testHandler(t, Options{})
	for _, text := range []string{"", `eventType eq "user.session.start"`, `actor.displayName co "a"`} {
		expr, _ := filter.Parse(text)
		want, err := st.Count(t.Context(), storeQuery(expr))
		if err != nil {
			t.Fatal(err)
		}
		var hj histogramJSON
		if err := json.Unmarshal([]byte(mustStatus(t, get(t, h, "/api/histogram?filter="+url.QueryEscape(text)), 200)), &hj); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for i, b := range hj.Buckets {
			if b.Count == nil {
				t.Fatalf("%q: bucket %d not counted", text, i)
			}
			sum += *b.Count
			if i > 0 && !b.Start.Equal(hj.Buckets[i-1].End) {
				t.Errorf("%q: gap before bucket %d", text, i)
			}
		}
		if sum != want || hj.Total != want || !hj.Complete || len(hj.Buckets) > MaxBuckets || len(hj.Buckets) == 0 {
			t.Errorf("%q: sum %d, total %d, want %d; %d buckets, complete %v", text, sum, hj.Total, want, len(hj.Buckets), hj.Complete)
		}
	}
	frag := mustStatus(t, get(t, h, "/ui/histogram?filter="+url.QueryEscape(`eventType eq "user.session.start"`)), 200)
	if strings.Count(frag, "<rect class=\"bar") == 0 || !strings.Contains(frag, "since=") {
		t.Errorf("fragment has no zoomable bars:\n%s", cut(frag, 800))
	}
}

func TestHistogramStopsAtItsBudget(t *testing.T) {
	h := testHandler(t, Options{HistogramBudget: time.Nanosecond})
	var hj histogramJSON
	if err := json.Unmarshal([]byte(mustStatus(t, get(t, h, "/api/histogram"), 200)), &hj); err != nil {
		t.Fatal(err)
	}
	if hj.Complete || len(hj.Buckets) == 0 || hj.Buckets[0].Count != nil {
		t.Errorf("complete %v, %d buckets", hj.Complete, len(hj.Buckets))
	}
	frag := mustStatus(t, get(t, h, "/ui/histogram"), 200)
	if !strings.Contains(frag, `class="bar uncounted"`) || !strings.Contains(frag, "events not counted") {
		t.Errorf("uncounted buckets not shown:\n%s", cut(frag, 600))
	}
	if page := mustStatus(t, get(t, h, "/"), 200); !strings.Contains(page, `<tr class="ev`) {
		t.Error("the results do not depend on the histogram")
	}
}

func TestHistogramBuckets(t *testing.T) {
	from := time.Date(2025, 3, 3, 0, 7, 0, 0, time.UTC)
	for _, span := range []time.Duration{time.Nanosecond, time.Second, 59 * time.Minute, 24 * time.Hour, 90 * 24 * time.Hour, 3 * 365 * 24 * time.Hour} {
		h := newBuckets(from, from.Add(span), MaxBuckets)
		if len(h.Buckets) == 0 || len(h.Buckets) > MaxBuckets || h.From.After(from) || h.To.Before(from.Add(span)) {
			t.Errorf("span %v: %d buckets of %v, %v → %v", span, len(h.Buckets), h.Step, h.From, h.To)
		}
	}
}

// TestHistogramTimesAreBounded checks that absurd time parameters get a
// 400 naming the field, and that a store holding an event of the year 1000
// (stored at the earliest instant published holds) still gets a histogram:
// each request has a deadline, and used to spin forever.
func TestHistogramTimesAreBounded(t *testing.T) {
	for target, field := range map[string]string{
		"/ui/histogram?since=1700-01-01":                "since",
		"/api/histogram?until=2400-01-01":               "until",
		"/api/histogram?since=1969-12-31T23:59:59Z":     "since",
		"/ui/histogram?until=2100-01-01T00:00:01Z":      "until",
		"/api/search?since=1000-01-01&until=2000-01-01": "since",
	} {
		w := getWithin(t, testHandler(t, Options{}), target)
		text := mustStatus(t, w, http.StatusBadRequest)
		if !strings.Contains(text, field+": ") && !strings.Contains(text, `"field":"`+field+`"`) {
			t.Errorf("%s: the error does not name %s:\n%s", target, field, cut(text, 400))
		}
	}
	h, hj := histogramOfStore(t, "1000-01-01T00:00:00Z", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z")
	if !hj.Complete || hj.Total != 2 || len(hj.Buckets) == 0 || len(hj.Buckets) > MaxBuckets || hj.From.Before(earliestTime.AddDate(-1, 0, 0)) {
		t.Errorf("histogram of a store with an event of the year 1000: from %v, %d buckets, total %d, complete %v",
			hj.From, len(hj.Buckets), hj.Total, hj.Complete)
	}
	for _, target := range []string{"/ui/histogram", "/ui/histogram?filter=" + url.QueryEscape(`eventType eq "user.session.start"`), "/"} {
		mustStatus(t, getWithin(t, h, target), http.StatusOK)
	}
}

// TestHistogramOverTheWholeRange asks for the widest histogram the time
// parameters allow, and for one over a store whose events span centuries
// (as a hostile server or Event Hook could write them): each is counted,
// never a 500 because the buckets outgrow what a backend counts.
func TestHistogramOverTheWholeRange(t *testing.T) {
	for _, target := range []string{
		"/api/histogram?since=" + earliestTime.Format(time.RFC3339) + "&until=" + latestTime.Format(time.RFC3339),
		"/ui/histogram?since=" + earliestTime.Format(time.RFC3339) + "&until=" + latestTime.Format(time.RFC3339),
		"/api/histogram?until=" + latestTime.Format(time.RFC3339),
	} {
		mustStatus(t, getWithin(t, testHandler(t, Options{}), target), http.StatusOK)
	}
	h, hj := histogramOfStore(t, "1000-01-01T00:00:00Z", "2024-05-01T10:00:00Z", "2300-01-01T00:00:00Z")
	if !hj.Complete || hj.Total != 1 || len(hj.Buckets) == 0 || len(hj.Buckets) > MaxBuckets {
		t.Errorf("histogram of a store from the year 1000 to 2300: from %v to %v, %d buckets, total %d, complete %v",
			hj.From, hj.To, len(hj.Buckets), hj.Total, hj.Complete)
	}
	mustStatus(t, getWithin(t, h, "/ui/histogram"), http.StatusOK)
}

// getWithin is get with a deadline of a few seconds on the request's
// context: a handler that ignores it fails the test instead of hanging.
func getWithin(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- do(t, h, httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)) }()
	select {
	case w := <-done:
		return w
	case <-ctx.Done():
		t.Fatalf("%s: no answer before the deadline", target)
		return nil
	}
}

func TestHuntResolvesLoginAndRunsThePlaybook(t *testing.T) {
	_, g := sharedStore(t)
	inc := g.Incidents()[0]
	h := testHandler(t, Options{})
	page := mustStatus(t, get(t, h, "/hunt?playbook=user-signin&value="+url.QueryEscape(inc.UserLogin)), http.StatusOK)
	if !strings.Contains(page, "user id <code>"+inc.UserID+"</code>") {
		t.Errorf("login %s not resolved to %s", inc.UserLogin, inc.UserID)
	}
	if !strings.Contains(page, `(actor.id eq &#34;`+inc.UserID+`&#34; or target.id eq &#34;`+inc.UserID+`&#34;) and (`) {
		t.Error("the playbook's filter is not in the filter box")
	}
	var resp searchResponse
	if err := json.Unmarshal([]byte(mustStatus(t, get(t, h, "/api/hunt?playbook=user-signin&value="+url.QueryEscape(inc.UserLogin)), 200)), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.UserID != inc.UserID || resp.Count == 0 || resp.Playbook.Name != "user-signin" {
		t.Errorf("api hunt: user %q, %d events", resp.UserID, resp.Count)
	}
	for target, field := range map[string]string{
		"/hunt?playbook=nope&value=1": "playbook", "/hunt?playbook=ip-signin": "value",
		"/hunt?playbook=user-signin&value=nobody@nowhere.example": "value",
	} {
		page := mustStatus(t, get(t, h, target), http.StatusBadRequest)
		if !strings.Contains(between(page, `id="input-error">`, "</div>"), field+":") {
			t.Errorf("%s: no %s error", target, field)
		}
	}
}

func TestTimelineAndScopeShowTheIncidents(t *testing.T) {
	_, g := sharedStore(t)
	h := testHandler(t, Options{})
	want := map[synth.IncidentKind]string{
		synth.MFAPushFatigue: "mfa_fatigue", synth.PasswordResetTakeover: "recovery_takeover", synth.SessionHijack: "session_hijack",
	}
	for _, inc := range g.Incidents() {
		page := mustStatus(t, get(t, h, "/timeline?kind=user&value="+url.QueryEscape(inc.UserID)), http.StatusOK)
		if !strings.Contains(page, `<span class="dev-kind">`+want[inc.Kind]+`</span>`) {
			t.Errorf("%s: timeline of %s lacks %s", inc.Kind, inc.UserID, want[inc.Kind])
		}
		scope := mustStatus(t, get(t, h, "/scope?kind=ip&value="+url.QueryEscape(inc.AttackerIP)), http.StatusOK)
		if !strings.Contains(scope, inc.UserID) || !strings.Contains(scope, want[inc.Kind]) {
			t.Errorf("%s: scope of %s lacks the victim or the deviation", inc.Kind, inc.AttackerIP)
		}
		var tr timelineResponse
		if err := json.Unmarshal([]byte(mustStatus(t, get(t, h, "/api/timeline?kind=user&value="+inc.UserID), 200)), &tr); err != nil {
			t.Fatal(err)
		}
		if tr.Events == 0 || !strings.Contains(string(tr.Timeline), want[inc.Kind]) {
			t.Errorf("%s: api timeline has %d events", inc.Kind, tr.Events)
		}
	}
	for target, field := range map[string]string{"/timeline?kind=planet&value=x": "kind", "/scope?kind=ip": "value"} {
		page := mustStatus(t, get(t, h, target), http.StatusBadRequest)
		if !strings.Contains(between(page, `id="input-error">`, "</div>"), field+":") {
			t.Errorf("%s: no %s error", target, field)
		}
	}
}

func TestPivotLinks(t *testing.T) {
	h := testHandler(t, Options{})
	page := mustStatus(t, get(t, h, "/?filter="+url.QueryEscape(`uuid eq "`+xssUUID+`"`)), http.StatusOK)
	row := between(page, `id="ev-`+xssUUID+`"`, "</tr>")
	for _, want := range []string{
		`href="/hunt?playbook=user-signin&amp;value=` + xssUser + `"`,
		`href="/hunt?playbook=ip-signin&amp;value=` + xssIP + `"`,
		`href="/timeline?kind=session&amp;value=102XSSSESSION0000000001"`,
		`href="/?filter=eventType&#43;eq&#43;%22user.session.start%22" title="Okta issues a session`,
	} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %s:\n%s", want, row)
		}
	}
}

func TestAPISearchReturnsOriginalEvents(t *testing.T) {
	h := testHandler(t, Options{})
	var resp searchResponse
	text := mustStatus(t, get(t, h, "/api/search?limit=3&order=asc&filter="+url.QueryEscape(`client.ipAddress eq "`+xssIP+`"`)), 200)
	if err := json.Unmarshal([]byte(text), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Count != 1 || !strings.Contains(string(resp.Events[0]), xssUUID) || resp.Next != "" {
		t.Fatalf("response %s", text)
	}
	var page1, page2 searchResponse
	json.Unmarshal([]byte(body(get(t, h, "/api/search?limit=5"))), &page1)
	json.Unmarshal([]byte(body(get(t, h, page1.NextURL))), &page2)
	if page1.Count != 5 || page2.Count != 5 || string(page1.Events[4]) == string(page2.Events[0]) {
		t.Errorf("paging: %d then %d events (next %q)", page1.Count, page2.Count, page1.NextURL)
	}
}

func TestEmptyStore(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := New(st, Options{})
	for target, want := range map[string]string{
		"/": "No events match.", "/ui/histogram": "No events to chart.", "/timeline?kind=ip&value=192.0.2.1": "No events.",
		"/scope?kind=session&value=x": "None.", "/api/search": `"events":[]`, "/api/histogram": `"buckets":[]`,
	} {
		if page := mustStatus(t, get(t, h, target), http.StatusOK); !strings.Contains(page, want) {
			t.Errorf("%s lacks %q:\n%s", target, want, cut(page, 400))
		}
	}
	w := get(t, h, "/ui/event?uuid=nope")
	if text := mustStatus(t, w, http.StatusNotFound); !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") || strings.Contains(text, "<") {
		t.Errorf("fragment error: %q", text)
	}
	mustStatus(t, get(t, h, "/event?uuid=nope"), http.StatusNotFound)
	mustStatus(t, get(t, h, "/api/event?uuid=nope"), http.StatusNotFound)
}

func TestTimelineIsBounded(t *testing.T) {
	h := testHandler(t, Options{MaxTimelineEvents: 3})
	page := mustStatus(t, get(t, h, "/timeline?kind=user&value="+xssUser), http.StatusOK)
	if n := strings.Count(page, `<td class="step"`); n != 1 || strings.Contains(page, "Only the first") {
		t.Errorf("%d steps shown, want the user's one event, without a notice", n)
	}
	_, g := sharedStore(t)
	page = body(get(t, h, "/timeline?kind=user&value="+g.Incidents()[0].UserID))
	if n := strings.Count(page, `<td class="step"`); n != 3 || !strings.Contains(page, "Only the first 3 events") {
		t.Errorf("%d steps shown, want 3", n)
	}
}

// TestScopeMaxShared checks the scope page's limit on shared links: 1
// reports a victim's address shared with two others, 0 follows through
// everything, the default (25) none of this small store's, and a bad value
// is an input error naming the field.
func TestScopeMaxShared(t *testing.T) {
	_, g := sharedStore(t)
	h := testHandler(t, Options{})
	shared := func(user, limit string) int {
		t.Helper()
		target := "/api/scope?kind=user&depth=2&value=" + url.QueryEscape(user)
		if limit != "" {
			target += "&maxShared=" + limit
		}
		var report struct {
			SharedLinks []json.RawMessage `json:"sharedLinks"`
		}
		if err := json.Unmarshal([]byte(mustStatus(t, get(t, h, target), http.StatusOK)), &report); err != nil {
			t.Fatal(err)
		}
		return len(report.SharedLinks)
	}
	found := 0
	for _, inc := range g.Incidents() {
		if shared(inc.UserID, "1") == 0 {
			continue
		}
		found++
		if n := shared(inc.UserID, "0"); n != 0 {
			t.Errorf("%s, maxShared=0 (no limit): %d shared links", inc.UserID, n)
		}
		if n := shared(inc.UserID, ""); n != 0 {
			t.Errorf("%s, default limit: %d shared links", inc.UserID, n)
		}
	}
	if found == 0 {
		t.Error("maxShared=1: no victim has a shared link")
	}
	victim := url.QueryEscape(g.Incidents()[0].UserID)
	page := mustStatus(t, get(t, h, "/scope?kind=user&maxShared=-2&value="+victim), http.StatusBadRequest)
	if !strings.Contains(between(page, `id="input-error">`, "</div>"), "maxShared:") {
		t.Errorf("maxShared=-2: no maxShared error")
	}
	form := mustStatus(t, get(t, h, "/scope?kind=user&maxShared=3&value="+victim), http.StatusOK)
	if !strings.Contains(form, `name="maxShared" type="number" min="0" value="3"`) {
		t.Errorf("the form does not keep maxShared=3")
	}
}

// histogramOfStore stores a session start published at each instant (RFC
// 3339) in a new store and returns a handler over it and its unfiltered
// /api/histogram.
func histogramOfStore(t *testing.T, published ...string) (http.Handler, histogramJSON) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "span.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var events []*logevent.Event
	for i, p := range published {
		e, err := logevent.Decode([]byte(fmt.Sprintf(`{"uuid":"span-%d","published":%q,"eventType":"user.session.start"}`, i, p)))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	if _, err := st.Insert(t.Context(), events); err != nil {
		t.Fatal(err)
	}
	h := New(st, Options{})
	var hj histogramJSON
	if err := json.Unmarshal([]byte(mustStatus(t, getWithin(t, h, "/api/histogram"), http.StatusOK)), &hj); err != nil {
		t.Fatal(err)
	}
	return h, hj
}
