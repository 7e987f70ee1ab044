package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// oldEventsInsert is the row of events as stores before raw_blocks were
// written: the columns of appendEventArgs but raw_hash (version 3 stores
// have the column, NULL in rows written before it).
const oldEventsInsert = `INSERT INTO events (uuid, uuid_key, published, event_type,
	actor_id, actor_alternate_id, actor_display_name, client_ip, session_id,
	outcome_result, severity, display_message, city, country) VALUES (` + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// writeOldStore writes events to a new file at path in the layout of
// schema version `version` (1 to 4, before raw_blocks): the schema of those
// migrations, each event's JSON uncompressed in raw (one row per event,
// same id as in events), targets, counters and (from version 2) ip_users,
// as the previous release's Insert left them. Repeated uuids are skipped,
// as it did. It returns the JSON of each uuid stored.
func writeOldStore(t *testing.T, path string, version int, events []*logevent.Event) map[string][]byte {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	params := url.Values{"_pragma": writerPragmas, "_journal_mode": {"WAL"}}
	db, err := sql.Open("sqlite", dsn(path, params))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) sql.Result {
		t.Helper()
		res, err := db.Exec(q, args...)
		if err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
		return res
	}
	for _, m := range ms[:version] {
		exec(m.sql)
		exec(fmt.Sprintf("PRAGMA user_version = %d", m.version))
	}
	stored := map[string][]byte{}
	sums := map[ipUserKey]*ipUserSum{}
	exec("BEGIN")
	for _, e := range events {
		if stored[e.UUID] != nil {
			continue
		}
		stored[e.UUID] = e.Raw
		res := exec(oldEventsInsert, appendEventArgs(nil, e)[:14]...)
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		exec("INSERT INTO raw (id, json) VALUES (?, ?)", id, e.Raw)
		for pos, tg := range e.Target {
			if tg.ID != "" || tg.AlternateID != "" {
				exec(targetsInsert.sql(1), id, pos, null(tg.ID), null(tg.AlternateID))
			}
		}
		exec(sqlCountType, e.EventType, 1)
		sumIPUser(sums, e)
	}
	if version >= 2 {
		st, err := db.Prepare(sqlAddIPUser)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeIPUsers(context.Background(), st, sums); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	exec("COMMIT")
	exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return stored
}

// TestOldLayoutStoreOpens builds stores as the previous release wrote them
// (JSON uncompressed in raw), opens them with this one, and checks that
// every event comes back byte for byte, that searches of every kind and
// the lookups that read the JSON (ResolveUser, ip_users) see them, and
// that events inserted afterwards (in blocks) live beside them.
func TestOldLayoutStoreOpens(t *testing.T) {
	for _, version := range []int{1, 2, 3, 4} {
		t.Run(fmt.Sprintf("version %d", version), func(t *testing.T) {
			gen := backendtest.NewGenerator(backendtest.GenOptions{Seed: 21, Users: 12, Messy: true})
			old := gen.Events(700)
			path := filepath.Join(t.TempDir(), "old.db")
			want := writeOldStore(t, path, version, old)
			if len(want) < 600 {
				t.Fatalf("only %d distinct events: the generator changed", len(want))
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.rawMax == 0 {
				t.Fatal("the old store's raw table was not found")
			}
			checkJSON(t, s, want)

			// New events, and the old ones again: duplicates.
			newer := gen.Events(500)
			res := mustInsert(t, s, append(slices.Clone(newer), old[:100]...))
			for _, e := range newer {
				if want[e.UUID] == nil {
					want[e.UUID] = e.Raw
				}
			}
			if res.Inserted+res.Duplicates+len(res.Conflicts) != 600 || res.Inserted != len(want)-len(writeOldStoreUUIDs(old)) {
				t.Errorf("insert: %+v; want %d new", res, len(want)-len(writeOldStoreUUIDs(old)))
			}
			var blocks int
			if err := s.read.QueryRow("SELECT count(*) FROM raw_blocks").Scan(&blocks); err != nil || blocks == 0 {
				t.Fatalf("new events in %d blocks (%v)", blocks, err)
			}
			checkJSON(t, s, want)
			all := append(slices.Clone(old), newer...)
			checkFilters(t, s, all)
			ref := backendtest.NewReference()
			ref.Insert(uniqueEvents(all))
			backendtest.CheckIPUsersWhole(t, s, ref)
			checkResolveUser(t, s, ref, uniqueEvents(all))
			checkHistograms(t, s, ref)
		})
	}
}

// writeOldStoreUUIDs is the set of distinct uuids of events.
func writeOldStoreUUIDs(events []*logevent.Event) map[string]bool {
	out := map[string]bool{}
	for _, e := range events {
		out[e.UUID] = true
	}
	return out
}

// uniqueEvents keeps the first event of each uuid, as the store does.
func uniqueEvents(events []*logevent.Event) []*logevent.Event {
	seen := map[string]bool{}
	var out []*logevent.Event
	for _, e := range events {
		if !seen[e.UUID] {
			seen[e.UUID] = true
			out = append(out, e)
		}
	}
	return out
}

// checkJSON checks that the store holds exactly the events of want, each
// with its JSON byte for byte, in a scan of the whole store and one by one.
func checkJSON(t *testing.T, s *Store, want map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	got := 0
	if err := s.Search(ctx, backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error {
		got++
		if !bytes.Equal(e.Raw, want[e.UUID]) {
			return fmt.Errorf("event %s: JSON %.60q, stored %.60q", e.UUID, e.Raw, want[e.UUID])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got != len(want) {
		t.Fatalf("%d events in the store, want %d", got, len(want))
	}
	n := 0
	for uuid, raw := range want {
		if n++; n%7 != 0 {
			continue
		}
		q := backend.Query{Filter: &filter.Compare{Path: "uuid", Op: filter.Eq, Value: filter.Literal{Kind: filter.LitString, Str: uuid}}}
		var found [][]byte
		if err := s.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error { found = append(found, e.Raw); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || !bytes.Equal(found[0], raw) {
			t.Fatalf("lookup of %s: %d events", uuid, len(found))
		}
	}
}

// checkFilters checks searches pushed down, residual and mixed against the
// evaluator over the distinct events.
func checkFilters(t *testing.T, s *Store, events []*logevent.Event) {
	t.Helper()
	events = uniqueEvents(events)
	for _, text := range []string{
		`eventType sw "user.mfa."`,
		`debugContext.debugData.requestId sw "ZfT0"`,
		`actor.type eq "User" and outcome.result eq "FAILURE"`,
		`client.userAgent.rawUserAgent co "Chrome" or target.type eq "AppInstance"`,
		`not (client.geographicalContext.city eq "Paris")`,
	} {
		f := filter.MustParse(text)
		m := filter.Compile(f)
		want := map[string]bool{}
		for _, e := range events {
			if m.Match(e) {
				want[e.UUID] = true
			}
		}
		got := map[string]bool{}
		for _, u := range searchUUIDs(t, s, backend.Query{Filter: f}) {
			got[u] = true
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: %d events, want %d", text, len(got), len(want))
		}
		if len(want) == 0 || len(want) == len(events) {
			t.Errorf("%s matches %d of %d events: the check is weak", text, len(want), len(events))
		}
	}
}

// checkResolveUser checks ResolveUser, which reads targets' types from the
// JSON, against the reference for every login the events hold.
func checkResolveUser(t *testing.T, s *Store, ref *backendtest.Reference, events []*logevent.Event) {
	t.Helper()
	logins := map[string]bool{}
	for _, e := range events {
		logins[e.Actor.AlternateID] = true
		for _, tg := range e.Target {
			logins[tg.AlternateID] = true
		}
	}
	targets := 0
	for login := range logins {
		if login == "" {
			continue
		}
		got, err := s.ResolveUser(context.Background(), login)
		if err != nil {
			t.Fatal(err)
		}
		want := ref.ResolveUser(login)
		if !slices.Equal(got, want) {
			t.Errorf("ResolveUser(%q) = %+v, want %+v", login, got, want)
		}
		for _, r := range got {
			targets += r.TargetEvents
		}
	}
	if targets == 0 {
		t.Error("no login is a target of type User: the check is weak")
	}
}

// checkHistograms compares unfiltered histograms (answered from
// minute_counts, which migration 0006 fills from the events a store
// held) with the reference's.
func checkHistograms(t *testing.T, s *Store, ref *backendtest.Reference) {
	t.Helper()
	st := ref.Stats()
	counted := 0
	for _, bk := range []backend.Buckets{
		{From: st.First.Truncate(time.Hour), Step: 10 * time.Minute, N: 200},
		{From: st.First.Add(-7 * time.Second), Step: 3*time.Minute + 11*time.Second, N: 300},
	} {
		got, err := s.Histogram(context.Background(), backend.Query{}, bk)
		want := ref.Histogram(backend.Query{}, bk)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Histogram(%+v) = %v, %v\nwant %v", bk, got, err, want)
		}
		for _, n := range want {
			counted += n
		}
	}
	if counted == 0 {
		t.Error("the histograms counted no event")
	}
}
