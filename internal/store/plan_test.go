package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// explainPlan returns SQLite's plan for the query Search runs for q.
func explainPlan(t testing.TB, s *Store, q backend.Query) string {
	t.Helper()
	p, err := plan(q)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+p.selectSQL(q, s.rawMax > 0), p.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ")
}

// TestPlans checks that the pivots are answered by their indexes, in
// order, without a sort, once the planner has statistics.
func TestPlans(t *testing.T) {
	s := openTemp(t)
	g := backendtest.NewGenerator(backendtest.GenOptions{Seed: 8, Users: 300})
	ctx := context.Background()
	s.BeginBulk(ctx, 0)
	for range 5 {
		mustInsert(t, s, g.Events(2000))
	}
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		filter, want string
		sorts        bool // a sort of the matches is expected
	}{
		{`actor.id eq "00u00000000000000003"`, "INDEX events_actor_id", false},
		{`actor.alternateId eq "user3@example.com"`, "INDEX events_actor_alt_id", false},
		{`client.ipAddress eq "10.3.0.21"`, "INDEX events_client_ip", false},
		{`authenticationContext.externalSessionId eq "x"`, "INDEX events_session_id", false},
		{`actor.id eq "00u00000000000000003" and eventType eq "user.session.start"`, "INDEX events_actor_id", false},
		{`target.id eq "00u00000000000000003"`, "targets_id", true},
		{`target.alternateId eq "user3@example.com"`, "targets_alt_id", true},
		{`eventType sw "user.mfa." and outcome.result eq "FAILURE"`, "INDEX events_", true},
		{`(actor.id eq "00u00000000000000003" or target.id eq "00u00000000000000003") and (eventType eq "user.session.start" or eventType eq "user.authentication.sso")`, "MULTI-INDEX OR", true},
		{``, "INDEX events_published", false},
	} {
		q := backend.Query{Filter: filter.MustParse(tt.filter)}
		got := explainPlan(t, s, q)
		t.Logf("%s\n\t%s", tt.filter, got)
		if !strings.Contains(got, tt.want) || (!tt.sorts && strings.Contains(got, "TEMP B-TREE")) {
			t.Errorf("%s: plan %q, want %q (sort %v)", tt.filter, got, tt.want, tt.sorts)
		}
	}
	// In received order: a poller's first request reads the published index
	// (and sorts the positions), the next ones seek the row id.
	since := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		q    backend.Query
		want string
	}{
		{backend.Query{Order: backend.ByReceived, Since: since, Limit: 1000}, "SEARCH e USING COVERING INDEX events_published (published>?)"},
		{backend.Query{Order: backend.ByReceived, After: cursor(backend.ByReceived, position{id: 5000}), Limit: 1000}, "SEARCH e USING INTEGER PRIMARY KEY (rowid>?)"},
		{backend.Query{Order: backend.ByReceived, Since: since, After: cursor(backend.ByReceived, position{id: 5000}), Limit: 1000}, "SEARCH e USING INTEGER PRIMARY KEY (rowid>?)"},
	} {
		if got := explainPlan(t, s, tt.q); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: plan %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestUnfilteredPlans checks that a search without a filter condition (a
// whole store or a time window of it, either way, resumed or not) reads the
// published index in order, without a sort (the JSON comes from blocks).
func TestUnfilteredPlans(t *testing.T) {
	s := openTemp(t)
	mustInsert(t, s, backendtest.NewGenerator(backendtest.GenOptions{Seed: 8, Users: 30}).Events(500))
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	push, err := filter.ParseKeywords("push")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []backend.Query{
		{},
		{Desc: true, Limit: 10},
		{Since: since, Until: since.Add(time.Hour)},
		{After: cursor(backend.ByPublished, position{since.UnixNano(), 3}), Desc: true},
		{Keywords: push, Since: since},
	} {
		got := explainPlan(t, s, q)
		want := "SCAN e USING COVERING INDEX events_published"
		if strings.Contains(got, "published>") || strings.Contains(got, "published<") {
			want = "SEARCH e USING COVERING INDEX events_published"
		}
		if !strings.HasPrefix(got, want) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%+v: plan %q, want %q and no sort", q, got, want)
		}
	}
}

// TestUnmappedConnRestored checks that the connection an unfiltered search
// unmaps goes back to the pool mapping the file again.
func TestUnmappedConnRestored(t *testing.T) {
	s := openTemp(t)
	mustInsert(t, s, backendtest.NewGenerator(backendtest.GenOptions{Seed: 8, Users: 30}).Events(50))
	ctx := context.Background()
	n := 0
	if err := s.Search(ctx, backend.Query{}, func(*logevent.Event, backend.Cursor) error { n++; return nil }); err != nil || n != 50 {
		t.Fatalf("search: %d events, %v", n, err)
	}
	conn, err := s.read.Conn(ctx) // the pool's most recently returned
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var size string
	if err := conn.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if size != readMmapSize {
		t.Errorf("mmap_size after an unfiltered search = %s, want %s", size, readMmapSize)
	}
}
