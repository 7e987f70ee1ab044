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

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// writeOldStore writes events to a new file at path in the layout of
// schema version `version` (1 or 2, before raw_blocks): the schema of those
// migrations, each event's JSON uncompressed in raw (one row per event,
// same id as in events), targets, counters and (version 2) ip_users, as
// the previous release's Insert left them. Repeated uuids are skipped, as
// it did. It returns the JSON of each uuid stored.
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
		res := exec(eventsInsert.sql(1), appendEventArgs(nil, e)...)
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
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("version %d", version), func(t *testing.T) {
			gen := newGenerator(genOptions{Seed: 21, Users: 12, Messy: true})
			old := gen.events(700)
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
			newer := gen.events(500)
			ins, dup := mustInsert(t, s, append(slices.Clone(newer), old[:100]...))
			for _, e := range newer {
				if want[e.UUID] == nil {
					want[e.UUID] = e.Raw
				}
			}
			if ins+dup != 600 || ins != len(want)-len(writeOldStoreUUIDs(old)) {
				t.Errorf("inserted %d, duplicates %d; want %d new", ins, dup, len(want)-len(writeOldStoreUUIDs(old)))
			}
			var blocks int
			if err := s.read.QueryRow("SELECT count(*) FROM raw_blocks").Scan(&blocks); err != nil || blocks == 0 {
				t.Fatalf("new events in %d blocks (%v)", blocks, err)
			}
			checkJSON(t, s, want)
			all := append(slices.Clone(old), newer...)
			checkFilters(t, s, all)
			ipWant := referenceIPUsers(uniqueEvents(all), time.Time{}, time.Time{})
			if got := storeIPUsers(t, s, allIPs(ipWant), time.Time{}, time.Time{}); !maps.EqualFunc(got, ipWant, sameIPUser) {
				t.Errorf("ip_users: %d pairs, want %d", len(got), len(ipWant))
			}
			checkResolveUser(t, s, uniqueEvents(all))
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
	if err := s.Search(ctx, Query{}, func(e *logevent.Event) error {
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
		q := Query{Filter: &filter.Compare{Path: "uuid", Op: filter.Eq, Value: filter.Literal{Kind: filter.LitString, Str: uuid}}}
		var found [][]byte
		if err := s.Search(ctx, q, func(e *logevent.Event) error { found = append(found, e.Raw); return nil }); err != nil {
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
		for _, u := range searchUUIDs(t, s, Query{Filter: f}) {
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
// JSON, against the events for every login they hold.
func checkResolveUser(t *testing.T, s *Store, events []*logevent.Event) {
	t.Helper()
	type counts struct{ actor, target int }
	want := map[string]map[string]*counts{} // login → id → counts
	get := func(login, id string) *counts {
		if want[login] == nil {
			want[login] = map[string]*counts{}
		}
		if want[login][id] == nil {
			want[login][id] = &counts{}
		}
		return want[login][id]
	}
	for _, e := range events {
		if e.Actor.AlternateID != "" && e.Actor.ID != "" {
			get(e.Actor.AlternateID, e.Actor.ID).actor++
		}
		seen := map[[2]string]bool{}
		for _, tg := range e.Target {
			k := [2]string{tg.AlternateID, tg.ID}
			if tg.Type == "User" && tg.ID != "" && tg.AlternateID != "" && !seen[k] {
				seen[k] = true
				get(tg.AlternateID, tg.ID).target++
			}
		}
	}
	targets := 0
	for login, ids := range want {
		refs, err := s.ResolveUser(context.Background(), login)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]counts{}
		for _, r := range refs {
			got[r.ID] = counts{r.ActorEvents, r.TargetEvents}
			targets += r.TargetEvents
		}
		for id, c := range ids {
			if got[id] != *c {
				t.Errorf("ResolveUser(%q)[%s] = %+v, want %+v", login, id, got[id], *c)
			}
		}
	}
	if targets == 0 {
		t.Error("no login is a target of type User: the check is weak")
	}
}
