package web

import (
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/oktascope/oktascope/internal/synth"
)

// End-to-end tests in a real browser: Debian's chromium, driven by
// chromedp. They are skipped when the browser is absent, unless
// OKTASCOPE_BROWSER_TESTS=1 (as in CI), which makes its absence a failure.
//
//	go test ./internal/web -run Browser -v
//	go test ./internal/web -run Browser -update-screenshot   # also writes docs/ui.png
//
// Screenshots go to $OKTASCOPE_SCREENSHOT_DIR (default: the test's
// temporary directory).

var updateScreenshot = flag.Bool("update-screenshot", false, "write docs/ui.png from the browser test")

// chromiumPath is the browser to drive: $OKTASCOPE_CHROMIUM or Debian's.
func chromiumPath() string {
	if p := os.Getenv("OKTASCOPE_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// requireBrowser skips (or, in CI, fails) when there is no browser.
func requireBrowser(t testing.TB) string {
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("OKTASCOPE_BROWSER_TESTS") == "1" {
			t.Fatalf("OKTASCOPE_BROWSER_TESTS=1 but no browser at %s: apt-get install -y chromium chromium-driver", path)
		}
		t.Skipf("no browser at %s (apt-get install -y chromium chromium-driver; set OKTASCOPE_BROWSER_TESTS=1 to make this a failure)", path)
	}
	return path
}

// browserWatch records what the page must never do: open a dialog (an
// alert of the XSS payload), throw, or break the Content-Security-Policy.
type browserWatch struct {
	mu         sync.Mutex
	dialogs    []string
	exceptions []string
	errors     []string
}

func (b *browserWatch) add(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

func (b *browserWatch) check(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		t.Errorf("the page opened dialogs: %q", b.dialogs)
	}
	if len(b.exceptions) > 0 {
		t.Errorf("the page threw: %q", b.exceptions)
	}
	if len(b.errors) > 0 {
		t.Errorf("the browser logged errors (CSP violations, failed loads): %q", b.errors)
	}
}

// watch starts recording a tab's dialogs (dismissing them), exceptions and
// logged errors.
func watch(ctx context.Context) *browserWatch {
	b := &browserWatch{}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.add(&b.dialogs, ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.add(&b.exceptions, ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry != nil && ev.Entry.Level == log.EntryLevelError {
				b.add(&b.errors, string(ev.Entry.Source)+": "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}()
	return b
}

// newBrowser starts a headless chromium with the flags this machine needs,
// for at most a minute.
func newBrowser(t testing.TB, path string) context.Context {
	return newBrowserFor(t, path, time.Minute)
}

// newBrowserFor starts a headless chromium for at most the given time.
func newBrowserFor(t testing.TB, path string, limit time.Duration) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1200),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	return tab
}

// screenshot saves a full-page screenshot as a test artifact.
func screenshot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return nil
	}
	dir := os.Getenv("OKTASCOPE_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return png
}

// must runs actions and fails the test at the first error.
func must(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// clickToLoad clicks what leads to another page and waits until it has
// loaded.
func clickToLoad[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel))(ctx, t)
		return chromedp.Void{}, err
	}
}

// settled waits until the page's fragments (the histogram) have loaded,
// so that nothing moves under a click.
func settled() chromedp.Action[chromedp.Void] {
	return waitFor(`document.querySelector("[data-src], [aria-busy]") === null`)
}

// setValue sets the value of a form field by id.
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(value)
	return chromedp.Evaluate[chromedp.Void](`document.getElementById("` + id + `").value = ` + string(js))
}

// waitFor waits until a JavaScript expression is true.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		return chromedp.Void{}, err
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// browserOnStore starts what a browser test needs: a store of a generated
// log of 5,000 events with the planted incidents and the hostile events, a
// server on it asking for token, and a watched chromium tab that may run
// for at most limit.
func browserOnStore(t *testing.T, token string, limit time.Duration) (context.Context, *httptest.Server, *synth.Generator, *browserWatch) {
	path := requireBrowser(t)
	st, g := buildStore(t, filepath.Join(t.TempDir(), "browser.db"), 5000, 3)
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(New(st, Options{Token: token}))
	t.Cleanup(srv.Close)
	ctx := newBrowserFor(t, path, limit)
	return ctx, srv, g, watch(ctx)
}

func TestBrowserInvestigation(t *testing.T) {
	const token = "browser-token"
	ctx, srv, g, seen := browserOnStore(t, token, time.Minute)

	// The token link sets the cookie and lands on the search page.
	must(t, ctx, "open with the token link", chromedp.Navigate(srv.URL+"/?token="+token),
		chromedp.WaitVisible(chromedp.CSS("table.results tr.ev")), chromedp.WaitVisible(chromedp.CSS("#histogram svg.hist rect.bar")), settled())
	if loc := eval[string](t, ctx, "location.href"); strings.Contains(loc, "token") {
		t.Errorf("the token stayed in the address: %s", loc)
	}

	t.Run("the watch sees dialogs and CSP violations", func(t *testing.T) { browserWatchWorks(t, ctx, seen) })
	t.Run("query", func(t *testing.T) { browserQuery(t, ctx) })
	t.Run("expand", func(t *testing.T) { browserExpand(t, ctx) })
	t.Run("shared URL", func(t *testing.T) { browserSharedURL(t, ctx) })
	t.Run("pivot on an IP", func(t *testing.T) { browserPivotIP(t, ctx) })
	t.Run("timeline", func(t *testing.T) { browserTimeline(t, ctx, g.Incidents()[2].SessionIDs[0]) })
	t.Run("scope", func(t *testing.T) { browserScope(t, ctx, g.Incidents()[1].AttackerIP, g.Incidents()[1].UserID) })
	t.Run("XSS renders as text", func(t *testing.T) { browserXSS(t, ctx) })
	t.Run("screenshot", func(t *testing.T) { browserScreenshot(t, ctx, g.Incidents()[0].UserID) })
	seen.check(t)
}

// browserWatchWorks proves that the watch would see an alert and a CSP
// violation, so that its silence later means something; then resets it.
func browserWatchWorks(t *testing.T, ctx context.Context, seen *browserWatch) {
	must(t, ctx, "break the rules", chromedp.Evaluate[chromedp.Void](`alert("probe")`),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.createElement("script"); s.textContent = "1"; document.body.append(s) })()`),
		waitFor(`true`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		seen.mu.Lock()
		ok := len(seen.dialogs) == 1 && len(seen.errors) > 0
		if ok || time.Now().After(deadline) {
			if !ok {
				t.Errorf("the watch saw dialogs %q, errors %q", seen.dialogs, seen.errors)
			}
			seen.dialogs, seen.errors = nil, nil
			seen.mu.Unlock()
			return
		}
		seen.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
}

// browserQuery types a filter, sees it checked live, and runs it.
func browserQuery(t *testing.T, ctx context.Context) {
	must(t, ctx, "type a bad filter", setValue("filter", ""),
		chromedp.SendKeys(chromedp.ID("filter"), `eventType eqq "x"`),
		waitFor(`document.getElementById("filter-check").textContent.includes("column")`))
	must(t, ctx, "run a query", setValue("filter", `eventType eq "user.session.start"`),
		clickToLoad(chromedp.ID("search-button")), chromedp.WaitVisible(chromedp.CSS("#results")), settled())
	types := eval[[]string](t, ctx, `[...document.querySelectorAll("#results tr.ev td.type")].map(td => td.textContent.trim())`)
	if len(types) == 0 {
		t.Fatal("no results")
	}
	for _, et := range types {
		if et != "user.session.start" {
			t.Errorf("result of type %q", et)
		}
	}
	if loc := eval[string](t, ctx, "location.search"); !strings.Contains(loc, "filter=eventType") {
		t.Errorf("the query is not in the URL: %s", loc)
	}
	title := eval[string](t, ctx, `document.querySelector("#results td.type a").title`)
	if !strings.Contains(title, "Okta issues a session") {
		t.Errorf("event type definition on hover: %q", title)
	}
}

// browserExpand clicks a row and sees the event's JSON.
func browserExpand(t *testing.T, ctx context.Context) {
	uuid := eval[string](t, ctx, `document.querySelector("#results tr.ev").dataset.uuid`)
	must(t, ctx, "expand a row", chromedp.Click(chromedp.CSS("#results tr.ev td.msg")),
		chromedp.WaitVisible(chromedp.CSS("#results tr.detail pre.json")))
	text := eval[string](t, ctx, `document.querySelector("#results tr.detail pre.json").textContent`)
	if !strings.Contains(text, `"uuid": "`+uuid+`"`) {
		t.Errorf("expanded JSON lacks the uuid %s:\n%s", uuid, cut(text, 300))
	}
	if loc := eval[string](t, ctx, "location.search"); !strings.Contains(loc, "open="+url.QueryEscape(uuid)) {
		t.Errorf("the expanded row is not in the URL: %s", loc)
	}
}

// browserSharedURL opens the current address in a new tab and finds the
// same view: filter, results, expanded row.
func browserSharedURL(t *testing.T, ctx context.Context) {
	shared := eval[string](t, ctx, "location.href")
	want := eval[string](t, ctx, `[...document.querySelectorAll("#results tr.ev")].map(r => r.dataset.uuid).join(",")`)
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	must(t, tab, "open the shared URL", chromedp.Navigate(shared), chromedp.WaitVisible(chromedp.CSS("#results tr.detail pre.json")), settled())
	if got := eval[string](t, tab, `[...document.querySelectorAll("#results tr.ev")].map(r => r.dataset.uuid).join(",")`); got != want {
		t.Errorf("shared URL shows other rows:\n%s\n%s", got, want)
	}
	if f := eval[string](t, tab, `document.getElementById("filter").value`); f != `eventType eq "user.session.start"` {
		t.Errorf("shared URL's filter box: %q", f)
	}
	must(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#results tr.detail pre.json")), settled())
}

// browserPivotIP clicks an IP address and lands on the ip-signin playbook.
func browserPivotIP(t *testing.T, ctx context.Context) {
	ip := eval[string](t, ctx, `document.querySelector("#results tr.ev a.ip-link").textContent`)
	must(t, ctx, "pivot on an IP", clickToLoad(chromedp.CSS("#results tr.ev a.ip-link")),
		chromedp.WaitVisible(chromedp.ID("hunt")), chromedp.WaitVisible(chromedp.CSS("#results")), settled())
	if got := eval[string](t, ctx, `document.getElementById("hunt-value").textContent`); got != ip {
		t.Errorf("hunt value %q, want %q", got, ip)
	}
	for _, cell := range eval[[]string](t, ctx, `[...document.querySelectorAll("#results tr.ev td.ip")].map(td => td.textContent.trim())`) {
		if cell != ip {
			t.Errorf("row from %q in the hunt of %q", cell, ip)
		}
	}
	if loc := eval[string](t, ctx, "location.pathname + location.search"); !strings.HasPrefix(loc, "/hunt?playbook=ip-signin&value="+ip) {
		t.Errorf("pivot URL %s", loc)
	}
}

// browserTimeline opens a hijacked session's timeline from a row.
func browserTimeline(t *testing.T, ctx context.Context, session string) {
	search := "/?filter=" + url.QueryEscape(`authenticationContext.externalSessionId eq "`+session+`"`)
	base := eval[string](t, ctx, "location.origin")
	must(t, ctx, "search the session", chromedp.Navigate(base+search), chromedp.WaitVisible(chromedp.CSS("#results a.session-link")), settled(),
		clickToLoad(chromedp.CSS("#results a.session-link")), chromedp.WaitVisible(chromedp.CSS("section.flow")))
	kinds := eval[[]string](t, ctx, `[...document.querySelectorAll(".dev-kind")].map(e => e.textContent)`)
	if !strings.Contains(strings.Join(kinds, " "), "session_hijack") {
		t.Errorf("timeline of the hijacked session shows deviations %q", kinds)
	}
	screenshot(t, ctx, "timeline.png")
}

// browserScope opens the scope of an attacker's address from the
// timeline's pivots and finds the victim.
func browserScope(t *testing.T, ctx context.Context, ip, victim string) {
	base := eval[string](t, ctx, "location.origin")
	must(t, ctx, "open the address's timeline", chromedp.Navigate(base+"/timeline?kind=ip&value="+url.QueryEscape(ip)),
		chromedp.WaitVisible(chromedp.CSS("section.flow")))
	must(t, ctx, "pivot to its scope", clickToLoad(chromedp.CSS(`#timeline-summary a.chip[href^="/scope"]`)),
		chromedp.WaitVisible(chromedp.ID("scope-summary")))
	if text := eval[string](t, ctx, "document.body.innerText"); !strings.Contains(text, victim) {
		t.Errorf("the scope of %s does not name the victim %s", ip, victim)
	}
	screenshot(t, ctx, "scope.png")
}

// browserXSS finds the hostile event and sees its payloads as text.
func browserXSS(t *testing.T, ctx context.Context) {
	base := eval[string](t, ctx, "location.origin")
	target := base + "/?filter=" + url.QueryEscape(`actor.id sw "`+xssUser+`"`) + "&open=" + url.QueryEscape(evilUUID)
	must(t, ctx, "open the hostile events", chromedp.Navigate(target), chromedp.WaitVisible(chromedp.CSS("#results tr.detail pre.json")), settled(),
		chromedp.Click(chromedp.CSS(`#results tr.ev[data-uuid="`+xssUUID+`"] td.msg`)),
		chromedp.WaitVisible(chromedp.CSS(`#results tr.detail[data-uuid="`+xssUUID+`"] pre.json`)))
	actor := eval[string](t, ctx, `document.querySelector('#results tr.ev[data-uuid="`+xssUUID+`"] td.actor a').textContent`)
	if actor != scriptPayload {
		t.Errorf("actor cell %q, want the payload as text", actor)
	}
	detail := eval[string](t, ctx, `document.querySelector('#results tr.detail[data-uuid="`+xssUUID+`"] pre.json').textContent`)
	if !strings.Contains(detail, `"rawUserAgent": "\"><img src=x onerror=alert(1)>"`) {
		t.Errorf("user agent not shown as text:\n%s", cut(detail, 600))
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('img, svg [onload], script:not([src])').length`); n != 0 {
		t.Errorf("%d injected elements in the page", n)
	}
	visible := eval[string](t, ctx, "document.body.innerText")
	if !strings.Contains(visible, scriptPayload) {
		t.Error("the payload is not visible as text")
	}
	must(t, ctx, "timeline of the hostile user", chromedp.Navigate(base+"/timeline?kind=user&value="+xssUser),
		chromedp.WaitVisible(chromedp.CSS("section.flow")))
	if ua := eval[string](t, ctx, `[...document.querySelectorAll("td.ua")].map(e => e.textContent).join("|")`); !strings.Contains(ua, imgPayload) {
		t.Errorf("timeline user agents %q", ua)
	}
}

// browserScreenshot takes the picture for the README: a hunt with the
// histogram and an expanded row.
func browserScreenshot(t *testing.T, ctx context.Context, user string) {
	base := eval[string](t, ctx, "location.origin")
	must(t, ctx, "open a hunt", chromedp.Navigate(base+"/hunt?playbook=user-signin&value="+user),
		chromedp.WaitVisible(chromedp.CSS("#histogram svg.hist rect.bar")), chromedp.WaitVisible(chromedp.CSS("#results tr.ev")), settled(),
		chromedp.Click(chromedp.CSS("#results tr.ev:nth-child(2) td.msg")), chromedp.WaitVisible(chromedp.CSS("#results tr.detail pre.json")),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "search.png")
	if *updateScreenshot {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "ui.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
