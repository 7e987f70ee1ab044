package watch

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// newStore opens a new store (a real SQLite file) in the test's
// directory.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "watch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// generated returns the events of a generated log, in published order.
func generated(t testing.TB, opts synth.Options) ([]*logevent.Event, []synth.Incident) {
	t.Helper()
	g := synth.New(opts)
	var out []*logevent.Event
	for line, ok := g.Next(); ok; line, ok = g.Next() {
		e, err := logevent.Decode(bytes.Clone(line))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out, g.Incidents()
}

// receiver is a webhook receiver that records the alerts, failing the
// first failFirst requests with status failWith.
type receiver struct {
	mu        sync.Mutex
	alerts    []render.Alert
	bodies    [][]byte
	failFirst int
	failWith  int
	requests  int
}

func (r *receiver) serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests++
		if r.requests <= r.failFirst {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(r.failWith)
			return
		}
		r.bodies = append(r.bodies, body)
		var a render.Alert
		if json.Unmarshal(body, &a) == nil {
			r.alerts = append(r.alerts, a)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/alerts/T0123/secret-path"
}

func (r *receiver) got() []render.Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]render.Alert(nil), r.alerts...)
}

// lines decodes NDJSON alerts.
func lines(t *testing.T, out []byte) []render.Alert {
	t.Helper()
	var alerts []render.Alert
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var a render.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("not an alert: %v", err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}

// syncBuffer is a bytes.Buffer safe for the deliverer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
