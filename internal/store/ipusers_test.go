package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/oktascope/oktascope/internal/backend/backendtest"
)

// TestIPUsersInBulk checks IPUsers after a bulk load, whose sums stay in
// memory until EndBulk (the conformance suite checks it after inserts).
func TestIPUsersInBulk(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 5, Users: 9, Messy: true}).Events(1500)
	s := openTemp(t)
	ctx := context.Background()
	if err := s.BeginBulk(ctx, len(events)); err != nil || !s.bulk {
		t.Fatalf("no bulk load (%v)", err)
	}
	ref := backendtest.NewReference()
	for i := 0; i < len(events); {
		n := min(1+i%61, len(events)-i)
		mustInsert(t, s, events[i:i+n])
		ref.Insert(events[i : i+n])
		i += n
	}
	mustInsert(t, s, events[:200]) // duplicates add nothing
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	backendtest.CheckIPUsers(t, s, ref)
}

// TestMigrationBuildsIPUsers opens a store of schema version 1 (as the
// release before ip_users wrote it): the migration to version 2 fills
// ip_users from the events it holds.
func TestMigrationBuildsIPUsers(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 6, Users: 7, Messy: true}).Events(600)
	path := filepath.Join(t.TempDir(), "v1.db")
	writeOldStore(t, path, 1, events)
	ref := backendtest.NewReference()
	ref.Insert(events)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	backendtest.CheckIPUsersWhole(t, s, ref)
}
