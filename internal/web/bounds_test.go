package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// Hostile events, generated here: debugData nested
// 10,000 levels deep (60 KB that json.Indent makes 200 MB), a 14 MB
// displayMessage, and a login with a zero-width space (item 13).
const (
	deepUUID      = "deep-0000-4000-8000-000000000001"
	hugeUUID      = "huge-0000-4000-8000-000000000002"
	zeroWidthUUID = "zwsp-0000-4000-8000-000000000003"
	deepLevels    = 9990 // the decoder refuses more than 10,000 levels in all
	hugeBytes     = 14 << 20
)

func hostileEvent(uuid, published, extra string) string {
	return fmt.Sprintf(`{"uuid":%q,"published":%q,"eventType":"user.session.start","version":"0","severity":"INFO",`+
		`"actor":{"id":"00uHOSTILE","type":"User","alternateId":"mallory@acme.example"},"outcome":{"result":"SUCCESS"},`+
		`"client":{"ipAddress":"203.0.113.9"}%s}`, uuid, published, extra)
}

func deepEvent() string {
	var b strings.Builder
	b.WriteString(`,"debugContext":{"debugData":`)
	b.WriteString(strings.Repeat(`{"a":`, deepLevels))
	b.WriteString(`1`)
	b.WriteString(strings.Repeat(`}`, deepLevels))
	b.WriteString(`}`)
	return hostileEvent(deepUUID, "2025-03-03T10:00:00.000Z", b.String())
}

func hugeEvent() string {
	return hostileEvent(hugeUUID, "2025-03-03T10:00:01.000Z", `,"displayMessage":"`+strings.Repeat("A", hugeBytes)+`"`)
}

func zeroWidthEvent() string {
	return fmt.Sprintf(`{"uuid":%q,"published":"2025-03-03T10:00:02.000Z","eventType":"user.session.start","version":"0","severity":"INFO",`+
		`"actor":{"id":"00uZWSP","type":"User","alternateId":"adm`+"\u200b"+`in@acme.example","displayName":"Adm`+"\u2060"+`in"},"outcome":{"result":"SUCCESS"}}`,
		zeroWidthUUID)
}

// hostileStore is a store of the hostile events and 60 ordinary ones.
func hostileStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "hostile.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raws := []string{deepEvent(), hugeEvent(), zeroWidthEvent()}
	for i := range 60 {
		raws = append(raws, hostileEvent(fmt.Sprintf("plain-%04d", i), fmt.Sprintf("2025-03-03T11:%02d:00.000Z", i), ""))
	}
	var events []*logevent.Event
	for _, raw := range raws {
		e, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatalf("decode %.80s…: %v", raw, err)
		}
		events = append(events, e)
	}
	if _, err := st.Insert(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	return st
}

// measured serves one GET and returns the response, with the bytes the
// process allocated meanwhile (runtime.MemStats.TotalAlloc).
func measured(t *testing.T, h http.Handler, target string) (status int, text string, allocated uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := get(t, h, target)
	runtime.ReadMemStats(&after)
	return w.Code, body(w), after.TotalAlloc - before.TotalAlloc
}

func TestHostileEventsCostBoundedPages(t *testing.T) {
	h := New(hostileStore(t), Options{})
	open := url.Values{"filter": {`eventType eq "user.session.start"`}, "order": {"asc"}}
	for i := range 9000 {
		open.Add("open", fmt.Sprintf("open-%08d-0000-4000-8000-000000000000", i))
	}
	open.Add("open", "plain-0001")
	const mb = 1 << 20
	cases := []struct {
		name, target string
		maxBody      int
		maxAlloc     uint64 // bytes allocated serving it
		shortened    bool   // the page says the event is shortened
	}{
		// Before: 200 MB of page and 1.4 GB of RSS.
		{"10k-level debugData, event page", "/event?uuid=" + deepUUID, 512 << 10, 32 * mb, true},
		{"10k-level debugData, expanded row", "/ui/event?uuid=" + deepUUID, 512 << 10, 32 * mb, true},
		// Before: a 77 MB page. Reading the event itself costs about four
		// times its size (the row from SQLite, the decoded fields).
		{"14 MB string, event page", "/event?uuid=" + hugeUUID, 512 << 10, 6 * hugeBytes, true},
		{"14 MB string, expanded row", "/ui/event?uuid=" + hugeUUID, 512 << 10, 6 * hugeBytes, true},
		{"14 MB string, results table", "/?order=asc&limit=5", 512 << 10, 6 * hugeBytes, false},
		// Before: a 67 MB page.
		{"9,000 open= parameters", "/?" + open.Encode(), 2 * mb, 6 * hugeBytes, false},
	}
	for _, c := range cases {
		status, text, alloc := measured(t, h, c.target)
		t.Logf("%s: status %d, %d bytes, %.1f MB allocated", c.name, status, len(text), float64(alloc)/mb)
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %s", c.name, status, cut(text, 300))
			continue
		}
		if len(text) > c.maxBody {
			t.Errorf("%s: %d bytes of page, bound %d", c.name, len(text), c.maxBody)
		}
		if alloc > c.maxAlloc {
			t.Errorf("%s: %d bytes allocated, bound %d", c.name, alloc, c.maxAlloc)
		}
		if said := strings.Contains(text, "it is shortened below") && strings.Contains(text, "Download the raw event"); said != c.shortened {
			t.Errorf("%s: says shortened and offers the download: %v, want %v", c.name, said, c.shortened)
		}
	}
}

func TestOpenRowsAreBounded(t *testing.T) {
	var ids []string
	for i := range 9000 {
		ids = append(ids, fmt.Sprintf("id-%d", i%9000))
	}
	st := readSearchState(url.Values{"open": ids})
	if len(st.Open) != maxOpen || st.Open[0] != "id-0" {
		t.Fatalf("open: %d ids kept (first %q), want the first %d", len(st.Open), st.Open[0], maxOpen)
	}
	// Expanding one more row closes the oldest, so the newest always opens.
	if next := st.toggled("new"); len(next.Open) != maxOpen || next.Open[maxOpen-1] != "new" || !next.isOpen("new") {
		t.Errorf("toggled at the bound: %v", next.Open)
	}
	long := readSearchState(url.Values{"open": {strings.Repeat("x", maxIDLength+1), "ok", "ok"}})
	if !reflect.DeepEqual(long.Open, []string{"ok"}) {
		t.Errorf("open keeps %q", long.Open)
	}
}

func TestRawEventDownload(t *testing.T) {
	h := New(hostileStore(t), Options{})
	for _, uuid := range []string{deepUUID, hugeUUID} {
		w := get(t, h, "/event/raw?uuid="+uuid)
		text := mustStatus(t, w, http.StatusOK)
		hdr := w.Result().Header
		if cd := hdr.Get("Content-Disposition"); cd != `attachment; filename=event-`+uuid+`.json` {
			t.Errorf("%s: Content-Disposition %q", uuid, cd)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/json" || hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Content-Type %q, nosniff %q", uuid, ct, hdr.Get("X-Content-Type-Options"))
		}
		want := deepEvent()
		if uuid == hugeUUID {
			want = hugeEvent()
		}
		if text != want {
			t.Errorf("%s: the download is not the raw event (%d bytes, want %d)", uuid, len(text), len(want))
		}
	}
	if got := rawFileName(`x"; filename=../../evil.sh`); got != "event-xfilenameevilsh.json" {
		t.Errorf("file name %q", got)
	}
}

func TestAPIAnswersAreBounded(t *testing.T) {
	h := New(hostileStore(t), Options{MaxAnswerBytes: 4 << 20})
	// A page of events stops before the huge one and links to it; the
	// next page holds it alone.
	var page searchResponse
	text := mustStatus(t, get(t, h, "/api/search?order=asc&limit=10"), http.StatusOK)
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		t.Fatal(err)
	}
	if page.Count != 1 || page.NextURL == "" || !strings.Contains(string(page.Events[0]), deepUUID) {
		t.Fatalf("first page: %d events, next %q", page.Count, page.NextURL)
	}
	if len(text) > 4<<20 {
		t.Errorf("first page: %d bytes", len(text))
	}
	// The deep event, which encoding/json refuses (over 10,000 levels), is
	// answered as it is.
	if got := mustStatus(t, get(t, h, "/api/event?uuid="+deepUUID), http.StatusOK); strings.TrimSpace(got) != deepEvent() {
		t.Errorf("/api/event of the deep event: %d bytes", len(got))
	}
	// An answer past the bound is an error that says so, not 14 MB.
	w := get(t, h, "/api/event?uuid="+hugeUUID)
	if text := body(w); w.Code != http.StatusBadRequest || !strings.Contains(text, "larger than") || len(text) > 1<<10 {
		t.Errorf("huge answer: status %d, %d bytes: %.200s", w.Code, len(text), text)
	}
}

func TestPagesAreBounded(t *testing.T) {
	h := New(hostileStore(t), Options{MaxPageBytes: 64 << 10})
	w := get(t, h, "/?limit=60")
	text := body(w)
	if w.Code != http.StatusBadRequest || !strings.Contains(text, "would be larger than 65,536 bytes") || len(text) > 64<<10 {
		t.Errorf("page past the bound: status %d, %d bytes: %s", w.Code, len(text), cut(text, 300))
	}
}

func TestInvisibleCharactersShowInTheUI(t *testing.T) {
	h := New(hostileStore(t), Options{})
	for _, target := range []string{"/event?uuid=" + zeroWidthUUID, "/?filter=" + url.QueryEscape(`actor.id eq "00uZWSP"`)} {
		page := mustStatus(t, get(t, h, target), http.StatusOK)
		if !strings.Contains(page, `adm\u200bin@acme.example`) {
			t.Errorf("%s: the zero-width space is not shown", target)
		}
		if strings.Contains(page, "\u200b") || strings.Contains(page, "\u2060") || strings.Contains(page, "admin@acme.example") {
			t.Errorf("%s: the login reads as admin@acme.example", target)
		}
	}
	// The JSON view keeps the value: its escape decodes to the same text.
	page := mustStatus(t, get(t, h, "/ui/event?uuid="+zeroWidthUUID), http.StatusOK)
	if !strings.Contains(page, `&#34;adm\u200bin@acme.example&#34;`) && !strings.Contains(page, `"adm\u200bin@acme.example"`) {
		t.Errorf("JSON view: %s", cut(between(page, `<pre class="json"`, "</pre>"), 2000))
	}
}

// A page of another site cannot make the analyst's browser fetch from the
// UI (an <img> pointed at a loopback server, a script's fetch); following
// a link still works, and so do clients without Fetch Metadata.
func TestRequestsFromAnotherSitesPagesAreRefused(t *testing.T) {
	h := New(hostileStore(t), Options{})
	cases := []struct {
		site, mode, dest string
		want             int
	}{
		{"cross-site", "no-cors", "image", http.StatusForbidden}, // <img src>
		{"cross-site", "cors", "empty", http.StatusForbidden},    // fetch()
		{"cross-site", "no-cors", "script", http.StatusForbidden},
		{"same-site", "no-cors", "image", http.StatusForbidden}, // another port of localhost
		{"cross-site", "navigate", "iframe", http.StatusForbidden},
		{"cross-site", "navigate", "document", http.StatusOK}, // a link the analyst follows
		{"same-origin", "cors", "empty", http.StatusOK},       // the UI's own script
		{"none", "navigate", "document", http.StatusOK},       // typed in the address bar
		{"", "", "", http.StatusOK},                           // curl, an SDK
	}
	for _, c := range cases {
		for _, target := range []string{"/?filter=" + url.QueryEscape(`eventType eq "user.session.start"`), "/api/search?limit=1"} {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			for k, v := range map[string]string{"Sec-Fetch-Site": c.site, "Sec-Fetch-Mode": c.mode, "Sec-Fetch-Dest": c.dest} {
				if v != "" {
					r.Header.Set(k, v)
				}
			}
			if w := do(t, h, r); w.Code != c.want {
				t.Errorf("%s %s %s %s: %d, want %d", c.site, c.mode, c.dest, target, w.Code, c.want)
			}
		}
	}
}

// TestManyTargetsCostABoundedPage serves an event naming 100,000 target
// users (3 MB, which import accepts): each used to get a row of five pivot
// links, 800 bytes a target, so its page (80 MB) passed the page bound and
// answered 400, and a search page with the row open failed whole. The
// pivots list the first maxTargetPivots users and count the rest.
func TestManyTargetsCostABoundedPage(t *testing.T) {
	const targets = 100_000
	var b strings.Builder
	b.WriteString(`,"target":[`)
	for i := range targets {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"00u%07d","type":"User","alternateId":"u%d@acme.example"}`, i, i)
	}
	b.WriteString(`]`)
	const uuid = "many-0000-4000-8000-000000000004"
	e, err := logevent.Decode([]byte(hostileEvent(uuid, "2025-03-03T10:00:03.000Z", b.String())))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "many.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Insert(t.Context(), []*logevent.Event{e}); err != nil {
		t.Fatal(err)
	}
	h := New(st, Options{})
	more := fmt.Sprintf("and %s more target users", "99,980")
	for _, target := range []string{"/event?uuid=" + uuid, "/ui/event?uuid=" + uuid, "/?open=" + uuid} {
		status, text, alloc := measured(t, h, target)
		t.Logf("%s: status %d, %d bytes, %.1f MB allocated", target, status, len(text), float64(alloc)/(1<<20))
		if status != http.StatusOK {
			t.Errorf("%s: status %d: %s", target, status, cut(text, 300))
			continue
		}
		if len(text) > 512<<10 {
			t.Errorf("%s: %d bytes of page, bound %d", target, len(text), 512<<10)
		}
		if n := strings.Count(text, `<span class="pg-name">target user</span>`); n != maxTargetPivots {
			t.Errorf("%s: %d target users with pivots, want %d", target, n, maxTargetPivots)
		}
		if !strings.Contains(text, more) || !strings.Contains(text, "Download the raw event") {
			t.Errorf("%s: the page does not say %q and offer the raw event", target, more)
		}
	}
}
