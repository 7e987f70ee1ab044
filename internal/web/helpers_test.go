package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oktascope/oktascope/internal/samples"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// XSS payloads, planted in events of the test stores.
const (
	scriptPayload = `<script>alert(1)</script>`
	imgPayload    = `"><img src=x onerror=alert(1)>`
)

// xssUUID is the event whose actor's display name and user agent hold the
// payloads; evilUUID holds payloads in every field the UI shows, its uuid
// included.
const (
	xssUUID  = "xss-00000000-0000-4000-8000-000000000001"
	evilUUID = `evil-"><img src=x onerror=alert(4)>`
	xssIP    = "203.0.113.66"
	xssUser  = "00uXSSVICTIM00000001"
)

// xssEvents are two hostile events, published inside the synth log's day.
func xssEvents() [][]byte {
	first := fmt.Sprintf(`{"uuid":%q,"published":"2025-03-03T12:00:00.000Z","eventType":"user.session.start","version":"0","severity":"INFO",`+
		`"displayMessage":"User login to Okta","actor":{"id":%q,"type":"User","alternateId":"mallory@acme.example","displayName":%q},`+
		`"client":{"userAgent":{"rawUserAgent":%q,"os":"Unknown","browser":"UNKNOWN"},"zone":"null","device":"Computer","ipAddress":%q,`+
		`"geographicalContext":{"city":"Springfield","state":"Oregon","country":"United States"}},`+
		`"outcome":{"result":"SUCCESS"},"target":[],"transaction":{"type":"WEB","id":"txXSS"},`+
		`"authenticationContext":{"externalSessionId":"102XSSSESSION0000000001"},"securityContext":{"asNumber":64496,"asOrg":"example"}}`,
		xssUUID, xssUser, scriptPayload, imgPayload, xssIP)
	evil := fmt.Sprintf(`{"uuid":%q,"published":"2025-03-03T12:00:01.000Z","eventType":%q,"version":"0","severity":"WARN",`+
		`"displayMessage":%q,"actor":{"id":%q,"type":"User","alternateId":%q,"displayName":%q},`+
		`"client":{"userAgent":{"rawUserAgent":%q},"ipAddress":%q,"geographicalContext":{"city":%q,"country":%q}},`+
		`"outcome":{"result":"FAILURE","reason":%q},"target":[{"id":%q,"type":"User","alternateId":%q,"displayName":%q}],`+
		`"authenticationContext":{"externalSessionId":%q},"securityContext":{"asOrg":%q}}`,
		evilUUID, `user.session.start"><img src=x onerror=alert(2)>`, "Bidi \u202etxt.exe "+scriptPayload, xssUser+`"><b>`,
		`javascript:alert(5)`, scriptPayload, imgPayload, `"><svg onload=alert(3)>`, scriptPayload, imgPayload, scriptPayload,
		`00u"><i>target`, imgPayload, scriptPayload, `102"><img src=x onerror=alert(6)>`, scriptPayload)
	return [][]byte{[]byte(first), []byte(evil)}
}

// buildStore fills a new store at path with a generated log of about n
// events with the planted incidents, plus the hostile events.
func buildStore(tb testing.TB, path string, n int, seed int64) (*store.Store, *synth.Generator) {
	tb.Helper()
	return buildStoreOf(tb, path, storeOptions(n, seed))
}

// buildStoreOf is buildStore of the log that opts generate.
func buildStoreOf(tb testing.TB, path string, opts synth.Options) (*store.Store, *synth.Generator) {
	tb.Helper()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	g := synth.New(opts)
	batch := make([]*logevent.Event, 0, 2000)
	flush := func() {
		if _, err := st.Insert(context.Background(), batch); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	add := func(raw []byte) {
		e, err := logevent.Decode(raw)
		if err != nil {
			tb.Fatalf("decode %s: %v", raw, err)
		}
		if batch = append(batch, e); len(batch) == cap(batch) {
			flush()
		}
	}
	for _, raw := range xssEvents() {
		add(raw)
	}
	for line, ok := g.Next(); ok; line, ok = g.Next() {
		add(append([]byte(nil), line...))
	}
	flush()
	samples.CheckIncidents(tb, g.Incidents()) // tests loop over them
	if err := st.Analyze(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return st, g
}

// storeOptions are the options of the generated log of buildStore's store
// of n events.
func storeOptions(n int, seed int64) synth.Options {
	return synth.Options{Seed: seed, Events: n, Incidents: true, Users: max(50, n/500)}
}

// busiestOfficeIP is the office address (192.0.2.0/24) the most users act
// from in the log of buildStore's store of n events: the widest scope.
func busiestOfficeIP(tb testing.TB, n int, seed int64) string {
	tb.Helper()
	return busiestOfficeIPOf(tb, storeOptions(n, seed))
}

// busiestOfficeIPOf is busiestOfficeIP in the log that opts generate.
func busiestOfficeIPOf(tb testing.TB, opts synth.Options) string {
	tb.Helper()
	events, _ := samples.Generated(tb, opts)
	return samples.BusiestOfficeIP(tb, events)
}

// fixture is the store the handler tests share, built once.
var fixture struct {
	once sync.Once
	dir  string
	st   *store.Store
	gen  *synth.Generator
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.st != nil {
		fixture.st.Close()
	}
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	closeBench()
	os.Exit(code)
}

// sharedStore returns the handler tests' store: about 3,000 generated
// events with incidents, and the hostile events.
func sharedStore(t testing.TB) (*store.Store, *synth.Generator) {
	fixture.once.Do(func() {
		dir, err := os.MkdirTemp("", "oktascope-web-test-")
		if err != nil {
			t.Fatal(err)
		}
		fixture.dir = dir
		fixture.st, fixture.gen = buildStore(t, filepath.Join(dir, "test.db"), 3000, 7)
	})
	if fixture.st == nil {
		t.Fatal("test store unavailable")
	}
	return fixture.st, fixture.gen
}

// testHandler is New over the shared store.
func testHandler(t testing.TB, opts Options) http.Handler {
	st, _ := sharedStore(t)
	return New(st, opts)
}

// get sends a GET to h as a browser on loopback would.
func get(t testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, httptest.NewRequest(http.MethodGet, target, nil))
}

// do sends r to h from loopback.
func do(t testing.TB, h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if r.Host == "example.com" {
		r.Host = "127.0.0.1:8080"
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// body reads a response's body as text.
func body(w *httptest.ResponseRecorder) string {
	b, _ := io.ReadAll(w.Result().Body)
	return string(b)
}

// mustStatus fails unless the response has the status.
func mustStatus(t testing.TB, w *httptest.ResponseRecorder, want int) string {
	t.Helper()
	text := body(w)
	if w.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, want, cut(text, 2000))
	}
	return text
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// between returns the text between two markers, or "".
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	inner, _, _ := strings.Cut(after, end)
	return inner
}
