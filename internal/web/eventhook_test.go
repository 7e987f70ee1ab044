package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

const hookSecret = "okta-hook-s3cret"

// hookServer starts a receiver over a new store.
func hookServer(t *testing.T, w backend.Writer, opts EventHookOptions) (*EventHook, string) {
	t.Helper()
	if opts.Secret == "" {
		opts.Secret = hookSecret
	}
	h, err := NewEventHook(w, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(EventHookPath, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return h, srv.URL + EventHookPath
}

func newHookStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "hook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// delivery wraps events as Okta sends them.
func delivery(raws ...[]byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1",`+
		`"source":"https://acme.okta.com/api/v1/eventHooks/who1","eventId":"%d","data":{"events":[`, time.Now().UnixNano())
	for i, r := range raws {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString("]}}")
	return b.Bytes()
}

// synthRaws returns n generated events.
func synthRaws(t *testing.T, n int) [][]byte {
	t.Helper()
	g := synth.New(synth.Options{Seed: 3, Users: 20, Events: 10 * n})
	var out [][]byte
	for len(out) < n {
		line, ok := g.Next()
		if !ok {
			t.Fatalf("only %d events generated", len(out))
		}
		out = append(out, bytes.Clone(line))
	}
	return out
}

func hookDo(t *testing.T, method, url string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func countEvents(t *testing.T, st *store.Store) int {
	t.Helper()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s.Events
}

func TestEventHookVerification(t *testing.T) {
	h, url := hookServer(t, newHookStore(t), EventHookOptions{})
	challenge := `abc"</script><x>` + "\u2028"
	status, body := hookDo(t, http.MethodGet, url, nil, "Authorization", hookSecret, "X-Okta-Verification-Challenge", challenge)
	if status != http.StatusOK {
		t.Fatalf("verification: %d %s", status, body)
	}
	var v struct{ Verification string }
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Verification != challenge {
		t.Fatalf("verification answer %s (%v)", body, err)
	}
	if strings.Contains(body, "<") {
		t.Errorf("the challenge is echoed unescaped: %s", body)
	}
	if status, _ := hookDo(t, http.MethodGet, url, nil, "Authorization", hookSecret); status != http.StatusBadRequest {
		t.Errorf("GET without a challenge: %d", status)
	}
	if status, _ := hookDo(t, http.MethodGet, url, nil, "X-Okta-Verification-Challenge", "abc"); status != http.StatusUnauthorized {
		t.Errorf("verification without the secret: %d", status)
	}
	if s := h.Stats(); s.Verifications != 1 || s.Unauthorized != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestEventHookAuthenticatesEveryRequest: the secret is checked on every
// request, from loopback too, in the header the administrator named.
func TestEventHookAuthenticatesEveryRequest(t *testing.T) {
	st := newHookStore(t)
	h, url := hookServer(t, st, EventHookOptions{Header: "X-Okta-Hook-Key"})
	body := delivery(synthRaws(t, 3)...)
	for _, header := range [][]string{
		nil,
		{"X-Okta-Hook-Key", "wrong"},
		{"X-Okta-Hook-Key", hookSecret + "x"},
		{"X-Okta-Hook-Key", hookSecret[:5]},
		{"Authorization", hookSecret}, // the right secret in the wrong header
	} {
		if status, _ := hookDo(t, http.MethodPost, url, body, header...); status != http.StatusUnauthorized {
			t.Errorf("%v: status %d", header, status)
		}
	}
	if n := countEvents(t, st); n != 0 {
		t.Fatalf("%d events stored from unauthenticated requests", n)
	}
	if status, _ := hookDo(t, http.MethodPost, url, body, "X-Okta-Hook-Key", hookSecret); status != http.StatusOK {
		t.Fatalf("authenticated delivery: %d", status)
	}
	if h.Stats().Unauthorized != 5 {
		t.Errorf("stats %+v", h.Stats())
	}
	if _, err := NewEventHook(st, EventHookOptions{}); err == nil {
		t.Error("a receiver without a secret was made")
	}
}

// TestEventHookStoresOnceByUUID: deliveries are stored before the answer,
// and Okta's retries and overlapping deliveries store nothing twice.
func TestEventHookStoresOnceByUUID(t *testing.T) {
	st := newHookStore(t)
	h, url := hookServer(t, st, EventHookOptions{})
	raws := synthRaws(t, 60)
	first, second := delivery(raws[:40]...), delivery(raws[20:]...)
	for i, body := range [][]byte{first, first, second, second} {
		if status, msg := hookDo(t, http.MethodPost, url, body, "Authorization", hookSecret); status != http.StatusOK || msg != "" {
			t.Fatalf("delivery %d: %d %q", i, status, msg)
		}
	}
	if n := countEvents(t, st); n != len(raws) {
		t.Errorf("%d events stored, %d delivered", n, len(raws))
	}
	s := h.Stats()
	if s.Deliveries != 4 || s.Inserted != int64(len(raws)) || s.Duplicates != 40+20+40 {
		t.Errorf("stats %+v", s)
	}
}

// TestEventHookRefusesBadBodies: a body that is not a delivery, or holds
// one bad event among good ones, is refused with 400 and nothing of it is
// stored.
func TestEventHookRefusesBadBodies(t *testing.T) {
	st := newHookStore(t)
	h, url := hookServer(t, st, EventHookOptions{MaxBody: 64 << 10})
	good := synthRaws(t, 5)
	noUUID := []byte(`{"published":"2025-03-03T10:00:00.000Z","eventType":"user.session.start"}`)
	badTime := []byte(`{"uuid":"u1","published":"yesterday","eventType":"user.session.start"}`)
	year1000 := []byte(`{"uuid":"u2","published":"1000-01-01T00:00:00Z","eventType":"user.session.start"}`)
	future := []byte(`{"uuid":"u3","published":"2300-01-01T00:00:00Z","eventType":"user.session.start"}`)
	cases := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"not JSON", []byte("hello"), 400, "not an Event Hook delivery"},
		{"no data", []byte(`{"eventType":"com.okta.event_hook"}`), 400, "data.events"},
		{"events not an array", []byte(`{"data":{"events":{}}}`), 400, "not an Event Hook delivery"},
		{"two values", append(delivery(good...), delivery(good...)...), 400, "more than one"},
		{"an event without uuid", delivery(good[0], good[1], noUUID), 400, "data.events[2]: uuid"},
		{"an event with a bad time", delivery(badTime, good[0]), 400, "data.events[0]: published"},
		// As import rejects them: they would stretch every view across centuries.
		{"an event published before Okta existed", delivery(good[0], year1000), 400, "data.events[1]: published: \"1000-01-01T00:00:00Z\" is before 2009-01-01"},
		{"an event published in 2300", delivery(future), 400, "data.events[0]: published: \"2300-01-01T00:00:00Z\" is more than a day after"},
		{"an event that is not an object", delivery(good[0], []byte(`"x"`)), 400, "data.events[1]"},
		{"too large", delivery(bytes.Repeat([]byte(`{"x":1},`), 10000)), 413, "at most"},
	}
	for _, c := range cases {
		status, msg := hookDo(t, http.MethodPost, url, c.body, "Authorization", hookSecret)
		if status != c.status || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want %d with %q", c.name, status, msg, c.status, c.want)
		}
	}
	if n := countEvents(t, st); n != 0 {
		t.Errorf("%d events stored from bad bodies", n)
	}
	if status, _ := hookDo(t, http.MethodPut, url, delivery(good...), "Authorization", hookSecret); status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", status)
	}
	if s := h.Stats(); s.Rejected != int64(len(cases)+1) || s.Deliveries != 0 {
		t.Errorf("stats %+v", s)
	}
	// An empty delivery is a delivery.
	if status, _ := hookDo(t, http.MethodPost, url, delivery(), "Authorization", hookSecret); status != http.StatusOK {
		t.Errorf("empty delivery: %d", status)
	}
}

// stuckWriter is a store that never finishes a write before its deadline.
type stuckWriter struct {
	mu    sync.Mutex
	calls int
}

func (s *stuckWriter) Insert(ctx context.Context, _ []*logevent.Event) (backend.InsertResult, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	<-ctx.Done()
	return backend.InsertResult{}, ctx.Err()
}

// TestEventHookAnswersWithinOktasTimeout: when the store cannot take a
// delivery in time, the receiver answers 503 before Okta's 3 seconds run
// out, so that Okta sends it again.
func TestEventHookAnswersWithinOktasTimeout(t *testing.T) {
	w := &stuckWriter{}
	h, url := hookServer(t, w, EventHookOptions{StoreTimeout: 200 * time.Millisecond})
	start := time.Now()
	status, _ := hookDo(t, http.MethodPost, url, delivery(synthRaws(t, 2)...), "Authorization", hookSecret)
	if elapsed := time.Since(start); status != http.StatusServiceUnavailable || elapsed > 3*time.Second {
		t.Errorf("status %d after %s", status, elapsed)
	}
	if w.calls != 1 || h.Stats().Failed != 1 {
		t.Errorf("calls %d, stats %+v", w.calls, h.Stats())
	}
}

func FuzzParseEventHookDelivery(f *testing.F) {
	f.Add(delivery([]byte(`{"uuid":"a","published":"2025-03-03T10:00:00Z","eventType":"x"}`)))
	f.Add([]byte(`{"data":{"events":[null]}}`))
	f.Add([]byte(`{"data":{"events":[{"uuid":1}]}}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseEventHookDelivery(body, time.Now())
		if err != nil {
			return
		}
		for _, e := range events {
			if e.UUID == "" || e.EventType == "" || e.Time.IsZero() {
				t.Fatalf("an event without uuid, type or time: %+v", e)
			}
		}
	})
}

// BenchmarkEventHookDelivery measures a delivery of 50 events, from the
// request to the answer, into a real store (each a new uuid).
func BenchmarkEventHookDelivery(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "hook.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h, err := NewEventHook(st, EventHookOptions{Secret: hookSecret})
	if err != nil {
		b.Fatal(err)
	}
	g := synth.New(synth.Options{Seed: 4, Users: 200, Events: 100 * (b.N + 1)})
	bodies := make([][]byte, 0, b.N)
	for range b.N {
		var raws [][]byte
		for range 50 {
			line, ok := g.Next()
			if !ok {
				break
			}
			raws = append(raws, bytes.Clone(line))
		}
		bodies = append(bodies, delivery(raws...))
	}
	b.ResetTimer()
	for _, body := range bodies {
		req := httptest.NewRequest(http.MethodPost, EventHookPath, bytes.NewReader(body))
		req.Header.Set("Authorization", hookSecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
