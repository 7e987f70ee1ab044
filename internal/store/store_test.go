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

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
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

func mustInsert(t testing.TB, s *Store, events []*logevent.Event) backend.InsertResult {
	t.Helper()
	res, err := s.Insert(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	return res
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

func searchUUIDs(t testing.TB, s *Store, q backend.Query) []string {
	t.Helper()
	var out []string
	err := s.Search(context.Background(), q, func(e *logevent.Event, _ backend.Cursor) error {
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
	if pageSize != 16384 || version != len(ms) || appID != applicationID || mode != "wal" {
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
	res := mustInsert(t, s, events)
	if res.Inserted != len(distinct) || res.Duplicates+len(res.Conflicts) != len(events)-len(distinct) {
		t.Errorf("first insert: %d inserted, %d duplicates, %d conflicts; want %d, %d in all", res.Inserted,
			res.Duplicates, len(res.Conflicts), len(distinct), len(events)-len(distinct))
	}
	res = mustInsert(t, s, events)
	if res.Inserted != 0 || res.Duplicates+len(res.Conflicts) != len(events) {
		t.Errorf("second insert: %+v; want nothing inserted", res)
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Events != len(distinct) {
		t.Errorf("Stats = %+v, %v; want %d events", st, err, len(distinct))
	}
	// Every stored event comes back byte for byte.
	stored := map[string][]byte{}
	s.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error { stored[e.UUID] = e.Raw; return nil })
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

// TestDuplicatesWithoutChecksum checks duplicates of rows stored before
// raw_hash (NULL): their JSON is read and compared.
func TestDuplicatesWithoutChecksum(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 12, Users: 10}).Events(100)
	s := openTemp(t)
	mustInsert(t, s, events)
	if _, err := s.write.Exec("UPDATE events SET raw_hash = NULL"); err != nil {
		t.Fatal(err)
	}
	if res := mustInsert(t, s, events); res.Duplicates != len(events) {
		t.Errorf("identical events again: %+v", res)
	}
	changed, err := logevent.Decode(bytes.Replace(events[7].Raw, []byte(`"severity":"INFO"`), []byte(`"severity":"WARN"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	res := mustInsert(t, s, []*logevent.Event{events[3], changed})
	if res.Duplicates != 1 || len(res.Conflicts) != 1 || res.Conflicts[0].Index != 1 || !bytes.Equal(res.Conflicts[0].Stored, events[7].Raw) {
		t.Errorf("a duplicate and a conflict: %+v", res)
	}
}

func TestInsertCancelled(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 5}).Events(10)
	if _, err := s.Insert(ctx, events); err == nil {
		t.Fatal("Insert with a cancelled context succeeded")
	}
	if n, err := s.Count(context.Background(), backend.Query{}); n != 0 || err != nil {
		t.Errorf("Count after a cancelled insert = %d, %v", n, err)
	}
	if res := mustInsert(t, s, events); res.Inserted != 10 {
		t.Errorf("inserted %d", res.Inserted)
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
	g := backendtest.NewGenerator(backendtest.GenOptions{Seed: 9, Users: 30})
	events := g.Events(600)
	if err := s.BeginBulk(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if n := indexCount(t, s); n != 0 {
		t.Fatalf("during a bulk load: %d indexes", n)
	}
	mustInsert(t, s, events[:300])
	if res := mustInsert(t, s, events[200:400]); res.Inserted != 100 || res.Duplicates != 100 {
		t.Errorf("bulk insert: %+v", res)
	}
	expr := filter.MustParse(`actor.id eq "00u00000000000000001" or target.id eq "00u00000000000000001"`)
	ref := backendtest.NewReference()
	ref.Insert(events[:400])
	if got, want := searchUUIDs(t, s, backend.Query{Filter: expr}), uuids(ref.Matches(backend.Query{Filter: expr})); !slices.Equal(got, want) {
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
	ref.Insert(events[400:])
	if got, want := searchUUIDs(t, s, backend.Query{Filter: expr}), uuids(ref.Matches(backend.Query{Filter: expr})); !slices.Equal(got, want) {
		t.Errorf("search after the bulk load: %d events, want %d", len(got), len(want))
	}
}

func uuids(events []*logevent.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.UUID
	}
	return out
}

// TestMayBeHeld checks which uuids of a chunk are looked up in the store
// before inserting: none in an empty store; only those whose key is not
// above the greatest held key (a non-v1 uuid's key is below every v1
// one's), padded with the last to a power of two.
func TestMayBeHeld(t *testing.T) {
	v1 := func(hi string) string { return "00000000-0000-1" + hi + "-8000-000000000000" } // time_hi orders first
	ev := func(uuids ...string) []*logevent.Event {
		var out []*logevent.Event
		for _, u := range uuids {
			out = append(out, &logevent.Event{LogEvent: logevent.LogEvent{UUID: u}})
		}
		return out
	}
	chunk := ev(v1("005"), "not-v1", v1("001"), v1("009"))
	cases := []struct {
		max  []byte
		want []string // uuids whose keys are looked up, in order
	}{
		{nil, nil},
		{uuidKey(v1("000")), []string{"not-v1"}},
		{uuidKey(v1("001")), []string{"not-v1", v1("001")}},
		{uuidKey(v1("005")), []string{v1("005"), "not-v1", v1("001"), v1("001")}}, // padded to 4
		{uuidKey(v1("fff")), []string{v1("005"), "not-v1", v1("001"), v1("009")}},
		{uuidKey("a"), nil}, // a non-v1 maximum: "not-v1" sorts above it
	}
	for _, c := range cases {
		got := mayBeHeld(nil, chunk, c.max)
		var want []any
		for _, u := range c.want {
			want = append(want, uuidKey(u))
		}
		if len(got) != len(want) {
			t.Fatalf("max %x: %d keys, want %d", c.max, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i].([]byte), want[i].([]byte)) {
				t.Errorf("max %x: key %d is %x, want %x", c.max, i, got[i], want[i])
			}
		}
	}
}
