package store

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// referenceIPUsers computes IPUsers' answer from the events themselves: the
// first occurrence of each uuid counts, as in the store, and a user's id and
// login are the greatest seen.
func referenceIPUsers(events []*logevent.Event, since, until time.Time) map[ipUserKey]IPUser {
	out := map[ipUserKey]IPUser{}
	ids := map[ipUserKey]logevent.Actor{} // over the whole store, not the window
	seen := map[string]bool{}
	for _, e := range events {
		if seen[e.UUID] {
			continue
		}
		seen[e.UUID] = true
		a, ok := e.ActingUser()
		ip := e.ClientIP()
		if !ok || ip == "" {
			continue
		}
		k := ipUserKey{ip, a.Key()}
		id := ids[k]
		ids[k] = logevent.Actor{ID: max(id.ID, a.ID), AlternateID: max(id.AlternateID, a.AlternateID)}
		if (!since.IsZero() && e.Time.Before(since)) || (!until.IsZero() && !e.Time.Before(until)) {
			continue
		}
		u, ok := out[k]
		if !ok {
			u = IPUser{IP: ip, First: e.Time, Last: e.Time}
		}
		u.Events++
		if e.Time.Before(u.First) {
			u.First = e.Time
		}
		if e.Time.After(u.Last) {
			u.Last = e.Time
		}
		out[k] = u
	}
	for k, u := range out {
		u.User = ids[k]
		out[k] = u
	}
	return out
}

// storeIPUsers collects IPUsers over every address of want.
func storeIPUsers(t *testing.T, s *Store, ips []string, since, until time.Time) map[ipUserKey]IPUser {
	t.Helper()
	got := map[ipUserKey]IPUser{}
	err := s.IPUsers(context.Background(), ips, since, until, func(u IPUser) error {
		k := ipUserKey{u.IP, u.User.Key()}
		if _, dup := got[k]; dup {
			t.Errorf("IPUsers: %v twice", k)
		}
		u.User.DisplayName = "" // the reference does not pick one
		got[k] = u
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sameIPUser compares the fields IPUsers fills (but the display name).
func sameIPUser(a, b IPUser) bool {
	return a.IP == b.IP && a.User.ID == b.User.ID && a.User.AlternateID == b.User.AlternateID &&
		a.Events == b.Events && a.First.Equal(b.First) && a.Last.Equal(b.Last)
}

func allIPs(m map[ipUserKey]IPUser) []string {
	var ips []string
	for k := range m {
		ips = append(ips, k.ip)
	}
	return ips
}

func TestIPUsersMatchEvents(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(map[bool]string{false: "inserts", true: "bulk load"}[bulk], func(t *testing.T) { testIPUsers(t, bulk) })
	}
}

// testIPUsers checks IPUsers after inserts, in a bulk load or not.
func testIPUsers(t *testing.T, bulk bool) {
	gen := newGenerator(genOptions{Seed: 5, Users: 9, Messy: true})
	events := gen.events(1500)
	s := openTemp(t)
	ctx := context.Background()
	if bulk {
		if err := s.BeginBulk(ctx, len(events)); err != nil || !s.bulk {
			t.Fatalf("no bulk load (%v)", err)
		}
	}
	insertUneven(t, s, events, 61)
	mustInsert(t, s, events[:200]) // duplicates add nothing
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	all := referenceIPUsers(events, time.Time{}, time.Time{})
	ips := append(allIPs(all), "203.0.113.250") // and an address nobody used
	mid := events[len(events)/2].Time
	for _, w := range []struct {
		name         string
		since, until time.Time
	}{
		{"whole store", time.Time{}, time.Time{}},
		{"since", mid, time.Time{}},
		{"until", time.Time{}, mid},
		{"both", events[len(events)/4].Time, events[3*len(events)/4].Time},
		{"empty window", mid, mid},
	} {
		t.Run(w.name, func(t *testing.T) {
			want := referenceIPUsers(events, w.since, w.until)
			got := storeIPUsers(t, s, ips, w.since, w.until)
			if !maps.EqualFunc(got, want, sameIPUser) {
				for k, u := range want {
					if !sameIPUser(got[k], u) {
						t.Errorf("%v: got %+v, want %+v", k, got[k], u)
					}
				}
				for k := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("%v: unexpected %+v", k, got[k])
					}
				}
			}
			if w.name == "whole store" && len(want) < 20 {
				t.Fatalf("only %d (address, user) pairs: the test exercises little", len(want))
			}
		})
	}
	var kinds = map[string]bool{}
	for _, e := range events {
		kinds[e.Actor.Type] = true
	}
	if !kinds["User"] || len(kinds) < 3 {
		t.Errorf("actor types %v: want users and others", slices.Collect(maps.Keys(kinds)))
	}
}

// TestMigrationBuildsIPUsers opens a store of schema version 1: the
// migration to version 2 fills ip_users from the events it holds.
func TestMigrationBuildsIPUsers(t *testing.T) {
	gen := newGenerator(genOptions{Seed: 6, Users: 7, Messy: true})
	events := gen.events(600)
	path := filepath.Join(t.TempDir(), "v1.db")
	writeOldStore(t, path, 1, events)
	want := referenceIPUsers(events, time.Time{}, time.Time{})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := storeIPUsers(t, s, allIPs(want), time.Time{}, time.Time{}); !maps.EqualFunc(got, want, sameIPUser) {
		t.Errorf("after migration: %d pairs, want %d", len(got), len(want))
		for k, u := range want {
			if !sameIPUser(got[k], u) {
				t.Errorf("%v: got %+v, want %+v", k, got[k], u)
			}
		}
	}
}
