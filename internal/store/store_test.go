package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustInsert(t testing.TB, s *Store, events []*logevent.Event) (int, int) {
	t.Helper()
	ins, dup, err := s.Insert(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	return ins, dup
}

// insertUneven inserts the events in batches of uneven sizes, 1 to
// maxBatch events.
func insertUneven(t testing.TB, s *Store, events []*logevent.Event, maxBatch int) {
	t.Helper()
	for i := 0; i < len(events); {
		n := min(1+i%maxBatch, len(events)-i)
		mustInsert(t, s, events[i:i+n])
		i += n
	}
}

func searchUUIDs(t testing.TB, s *Store, q Query) []string {
	t.Helper()
	var out []string
	err := s.Search(context.Background(), q, func(e *logevent.Event) error {
		out = append(out, e.UUID)
		return nil
	})
	if err != nil {
		t.Fatalf("Search(%v): %v", q.Filter, err)
	}
	return out
}

func TestOpenCreatesSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd dir?#%", "a b.db")
	os.MkdirAll(filepath.Dir(path), 0o755)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var pageSize, version, appID int
	var mode string
	db := s.write
	for _, p := range []struct {
		pragma string
		dst    any
	}{{"page_size", &pageSize}, {"user_version", &version}, {"application_id", &appID}, {"journal_mode", &mode}} {
		if err := db.QueryRow("PRAGMA " + p.pragma).Scan(p.dst); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if pageSize != 16384 || version != len(ms) || version < 3 || appID != applicationID || mode != "wal" {
		t.Errorf("page_size %d, user_version %d, application_id %#x, journal_mode %s", pageSize, version, appID, mode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store is not at its path: %v", err)
	}
	s, err = Open(path) // reopening applies nothing
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestOpenRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "x.db")
	os.WriteFile(notDB, bytes.Repeat([]byte("not a database "), 200), 0o644)
	if _, err := Open(notDB); err == nil {
		t.Error("Open of a text file succeeded")
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(other); err == nil || !strings.Contains(err.Error(), "not an oktascope store") {
		t.Errorf("Open of another SQLite database: %v", err)
	}
	newer := filepath.Join(dir, "newer.db")
	s, err := Open(newer)
	if err != nil {
		t.Fatal(err)
	}
	s.write.Exec("PRAGMA user_version = 99")
	s.Close()
	if _, err := Open(newer); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer store: %v", err)
	}
}

// loadSamples reads every event of testdata/okta-samples that decodes:
// JSON arrays, objects wrapping an array, and NDJSON.
func loadSamples(t *testing.T) []*logevent.Event {
	t.Helper()
	var out []*logevent.Event
	root := filepath.Join("..", "..", "testdata", "okta-samples")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".ndjson")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, raw := range splitEvents(data) {
			if e, err := logevent.Decode(raw); err == nil {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func splitEvents(data []byte) [][]byte {
	var arr []json.RawMessage
	if json.Unmarshal(data, &arr) == nil {
		return rawList(arr)
	}
	var wrapped struct {
		Events []json.RawMessage
		Data   struct{ Events []json.RawMessage }
	}
	if json.Unmarshal(data, &wrapped) == nil && len(wrapped.Events)+len(wrapped.Data.Events) > 0 {
		return rawList(append(wrapped.Events, wrapped.Data.Events...))
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	return out
}

func rawList(msgs []json.RawMessage) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = m
	}
	return out
}

func TestSamplesInsertTwice(t *testing.T) {
	events := loadSamples(t)
	if len(events) < 200 {
		t.Fatalf("only %d sample events decode", len(events))
	}
	distinct := map[string]bool{}
	for _, e := range events {
		distinct[e.UUID] = true
	}
	s := openTemp(t)
	ins, dup := mustInsert(t, s, events)
	if ins != len(distinct) || dup != len(events)-len(distinct) {
		t.Errorf("first insert: %d inserted, %d duplicates; want %d, %d", ins, dup, len(distinct), len(events)-len(distinct))
	}
	ins, dup = mustInsert(t, s, events)
	if ins != 0 || dup != len(events) {
		t.Errorf("second insert: %d inserted, %d duplicates; want 0, %d", ins, dup, len(events))
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Events != len(distinct) {
		t.Errorf("Stats = %+v, %v; want %d events", st, err, len(distinct))
	}
	// Every stored event comes back byte for byte.
	stored := map[string][]byte{}
	s.Search(context.Background(), Query{}, func(e *logevent.Event) error { stored[e.UUID] = e.Raw; return nil })
	for _, e := range events {
		if first := firstByUUID(events, e.UUID); !bytes.Equal(stored[e.UUID], first.Raw) {
			t.Fatalf("event %s: raw bytes differ", e.UUID)
		}
	}
}

func firstByUUID(events []*logevent.Event, uuid string) *logevent.Event {
	for _, e := range events {
		if e.UUID == uuid {
			return e
		}
	}
	return nil
}

func TestHelpers(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	st, err := s.Stats(ctx)
	if err != nil || st != (Stats{}) {
		t.Errorf("empty Stats = %+v, %v", st, err)
	}
	events := newGenerator(genOptions{Seed: 3, Users: 20}).events(500)
	mustInsert(t, s, events[:200])
	mustInsert(t, s, events[150:])
	st, err = s.Stats(ctx)
	if err != nil || st.Events != 500 || !st.First.Equal(events[0].Time) || !st.Last.Equal(events[499].Time) {
		t.Errorf("Stats = %+v, %v", st, err)
	}
	counts, err := s.EventTypeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, e := range events {
		want[e.EventType]++
	}
	total := 0
	for i, c := range counts {
		total += c.Count
		if want[c.EventType] != c.Count || (i > 0 && counts[i-1].Count < c.Count) {
			t.Errorf("EventTypeCounts[%d] = %+v, want %d, descending", i, c, want[c.EventType])
		}
	}
	if total != 500 || len(counts) != len(want) {
		t.Errorf("EventTypeCounts: %d types, %d events", len(counts), total)
	}
	testResolveUser(t, s, events)
}

func testResolveUser(t *testing.T, s *Store, events []*logevent.Event) {
	login := events[0].Actor.AlternateID
	actor, target := map[string]int{}, map[string]int{}
	for _, e := range events {
		if e.Actor.AlternateID == login && e.Actor.ID != "" {
			actor[e.Actor.ID]++
		}
		seen := map[string]bool{}
		for _, tg := range e.Target {
			if tg.AlternateID == login && tg.ID != "" && !seen[tg.ID] {
				seen[tg.ID] = true
				target[tg.ID]++
			}
		}
	}
	refs, err := s.ResolveUser(context.Background(), login)
	if err != nil || len(refs) != 1 {
		t.Fatalf("ResolveUser(%q) = %+v, %v", login, refs, err)
	}
	r := refs[0]
	if r.ID != events[0].Actor.ID || r.ActorEvents != actor[r.ID] || r.TargetEvents != target[r.ID] {
		t.Errorf("ResolveUser = %+v; want actor %v target %v", r, actor, target)
	}
	if refs, _ := s.ResolveUser(context.Background(), strings.ToUpper(login)); len(refs) != 0 {
		t.Errorf("ResolveUser is exact; got %+v", refs)
	}
}

func TestCursorPaging(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	events := newGenerator(genOptions{Seed: 4, Users: 10, Messy: true}).events(400)
	mustInsert(t, s, events)
	expr := filter.MustParse(`eventType sw "user." or target.id pr`)
	for _, desc := range []bool{false, true} {
		all := searchUUIDs(t, s, Query{Filter: expr, Desc: desc})
		var paged []string
		var after *Cursor
		for {
			q := Query{Filter: expr, Desc: desc, Limit: 37, After: after}
			n := 0
			err := s.SearchWithCursor(ctx, q, func(e *logevent.Event, c Cursor) error {
				paged = append(paged, e.UUID)
				after, n = &c, n+1
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n < 37 {
				break
			}
		}
		if !slices.Equal(all, paged) {
			t.Errorf("desc=%v: paging returned %d events, one search %d", desc, len(paged), len(all))
		}
		c, err := ParseCursor(after.String())
		if err != nil || c != *after {
			t.Errorf("ParseCursor(%q) = %v, %v", after.String(), c, err)
		}
	}
}

func TestInsertCancelled(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	events := newGenerator(genOptions{Seed: 5}).events(10)
	if _, _, err := s.Insert(ctx, events); err == nil {
		t.Fatal("Insert with a cancelled context succeeded")
	}
	if n, err := s.Count(context.Background(), Query{}); n != 0 || err != nil {
		t.Errorf("Count after a cancelled insert = %d, %v", n, err)
	}
	if ins, _ := mustInsert(t, s, events); ins != 10 {
		t.Errorf("inserted %d", ins)
	}
}

func TestSinceUntil(t *testing.T) {
	s := openTemp(t)
	events := newGenerator(genOptions{Seed: 6}).events(300)
	mustInsert(t, s, events)
	since, until := events[100].Time, events[200].Time
	var want []string
	for _, e := range events {
		if !e.Time.Before(since) && e.Time.Before(until) {
			want = append(want, e.UUID)
		}
	}
	got := searchUUIDs(t, s, Query{Since: since, Until: until})
	if !slices.Equal(got, want) {
		t.Errorf("since/until: got %d events, want %d", len(got), len(want))
	}
	if got := searchUUIDs(t, s, Query{Since: time.Time{}, Until: time.Unix(0, 0)}); len(got) != 0 {
		t.Errorf("until 1970: %d events", len(got))
	}
}

func indexCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.write.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBulk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulk.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	all := indexCount(t, s)
	g := newGenerator(genOptions{Seed: 9, Users: 30})
	events := g.events(600)
	if err := s.BeginBulk(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n := indexCount(t, s); n != 0 {
		t.Fatalf("during a bulk load: %d indexes", n)
	}
	mustInsert(t, s, events[:300])
	if ins, dup := mustInsert(t, s, events[200:400]); ins != 100 || dup != 100 {
		t.Errorf("bulk insert: %d inserted, %d duplicates", ins, dup)
	}
	expr := filter.MustParse(`actor.id eq "00u00000000000000001" or target.id eq "00u00000000000000001"`)
	ref := newReference(events[:400])
	if got, want := searchUUIDs(t, s, Query{Filter: expr}), ref.search(Query{Filter: expr}); !slices.Equal(got, want) {
		t.Errorf("search without indexes: %d events, want %d", len(got), len(want))
	}
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	if n := indexCount(t, s); n != all {
		t.Fatalf("after EndBulk: %d indexes, want %d", n, all)
	}
	// A load smaller than the store keeps the indexes; Close ends a bulk load.
	if err := s.BeginBulk(ctx, 10); err != nil || indexCount(t, s) != all {
		t.Fatalf("BeginBulk(10) on 400 events: %v, %d indexes", err, indexCount(t, s))
	}
	if err := s.BeginBulk(ctx, 1000); err != nil || indexCount(t, s) != 0 {
		t.Fatalf("BeginBulk(1000) on 400 events: %v, %d indexes", err, indexCount(t, s))
	}
	mustInsert(t, s, events[400:])
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := indexCount(t, s); n != all {
		t.Fatalf("after Close in a bulk load: %d indexes, want %d", n, all)
	}
	ref = newReference(events)
	if got, want := searchUUIDs(t, s, Query{Filter: expr}), ref.search(Query{Filter: expr}); !slices.Equal(got, want) {
		t.Errorf("search after the bulk load: %d events, want %d", len(got), len(want))
	}
}
