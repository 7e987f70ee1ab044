package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// memStore keeps events in memory in the order they were inserted, with
// the backend contract's orders and cursors, and checkpoints; its findings
// go to a real store (SQLite file).
type memStore struct {
	*store.Store
	mu     sync.Mutex
	events []*logevent.Event // in the order stored
	uuids  map[string]bool
	ckpt   map[string]string
}

func newMemStore(t testing.TB) *memStore {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "findings.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &memStore{Store: st, uuids: map[string]bool{}, ckpt: map[string]string{}}
}

// Insert stores events, each once by uuid.
func (m *memStore) Insert(_ context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r backend.InsertResult
	for _, e := range events {
		if m.uuids[e.UUID] {
			r.Duplicates++
			continue
		}
		m.uuids[e.UUID] = true
		c, err := logevent.Decode(bytes.Clone(e.Raw)) // the engine trims what it is given
		if err != nil {
			return r, err
		}
		m.events = append(m.events, c)
		r.Inserted++
	}
	return r, nil
}

// Search follows backend.Reader's contract for the queries watch makes.
func (m *memStore) Search(ctx context.Context, q backend.Query, fn func(*logevent.Event, backend.Cursor) error) error {
	m.mu.Lock()
	idx := make([]int, len(m.events))
	for i := range idx {
		idx[i] = i
	}
	events := m.events
	m.mu.Unlock()
	if q.Order == backend.ByPublished {
		sort.SliceStable(idx, func(a, b int) bool { return events[idx[a]].Time.Before(events[idx[b]].Time) })
	}
	if q.Desc {
		for a, b := 0, len(idx)-1; a < b; a, b = a+1, b-1 {
			idx[a], idx[b] = idx[b], idx[a]
		}
	}
	pos := map[int]int{}
	for p, i := range idx {
		pos[i] = p
	}
	start := 0
	if q.After != "" {
		i, err := strconv.Atoi(string(q.After))
		if err != nil || i < 0 || i >= len(events) {
			return fmt.Errorf("mem: %w", backend.ErrInvalidCursor)
		}
		start = pos[i] + 1
	}
	var m2 *filter.Matcher
	if q.Filter != nil {
		m2 = filter.Compile(q.Filter)
	}
	n := 0
	for _, i := range idx[start:] {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := events[i]
		if (!q.Since.IsZero() && e.Time.Before(q.Since)) || (!q.Until.IsZero() && !e.Time.Before(q.Until)) {
			continue
		}
		if m2 != nil && !m2.Match(e) {
			continue
		}
		c, err := logevent.Decode(bytes.Clone(e.Raw))
		if err != nil {
			return err
		}
		if err := fn(c, backend.Cursor(strconv.Itoa(i))); err != nil {
			return err
		}
		if n++; q.Limit > 0 && n == q.Limit {
			return nil
		}
	}
	return nil
}

var errUnused = errors.New("not used by watch")

func (m *memStore) Count(context.Context, backend.Query) (int, error) { return 0, errUnused }
func (m *memStore) Histogram(context.Context, backend.Query, backend.Buckets) ([]int, error) {
	return nil, errUnused
}
func (m *memStore) Stats(context.Context) (backend.Stats, error) { return backend.Stats{}, errUnused }
func (m *memStore) EventTypeCounts(context.Context) ([]backend.TypeCount, error) {
	return nil, errUnused
}

// ResolveUser lists the ids seen with the login, as actor or User target.
func (m *memStore) ResolveUser(_ context.Context, login string) ([]backend.UserRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	refs := map[string]*backend.UserRef{}
	ref := func(id string) *backend.UserRef {
		if refs[id] == nil {
			refs[id] = &backend.UserRef{ID: id}
		}
		return refs[id]
	}
	for _, e := range m.events {
		if e.Actor.AlternateID == login && e.Actor.ID != "" {
			ref(e.Actor.ID).ActorEvents++
		}
		for _, tg := range e.Target {
			if tg.Type == "User" && tg.AlternateID == login && tg.ID != "" {
				ref(tg.ID).TargetEvents++
			}
		}
	}
	var out []backend.UserRef
	for _, r := range refs {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
func (m *memStore) IPUsers(context.Context, []string, time.Time, time.Time, func(backend.IPUser) error) error {
	return errUnused
}

func (m *memStore) LoadCheckpoint(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.ckpt[key]
	return v, ok, nil
}

func (m *memStore) SaveCheckpoint(_ context.Context, key, next string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ckpt[key] = next
	return nil
}

func (m *memStore) DeleteCheckpoint(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.ckpt, key)
	return nil
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
