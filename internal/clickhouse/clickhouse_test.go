package clickhouse

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/go-faster/city"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/clickhouse/chtest"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// open opens a backend on a new database of the shared test cluster.
func open(t *testing.T, dsn string) *Backend {
	t.Helper()
	b, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// generated is a small synthetic org log with the planted incidents.
func generated(t *testing.T, n int) []*logevent.Event {
	t.Helper()
	events, _ := samples.Generated(t, synth.Options{Seed: 7, Events: n, Users: 40, Incidents: true, Duration: 30 * time.Hour})
	return events
}

func mustInsert(t *testing.T, b backend.Writer, events []*logevent.Event) backend.InsertResult {
	t.Helper()
	res, err := b.Insert(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func uuidsOf(t *testing.T, r backend.Reader, q backend.Query) ([]string, []backend.Cursor) {
	t.Helper()
	var uuids []string
	var cursors []backend.Cursor
	err := r.Search(context.Background(), q, func(e *logevent.Event, c backend.Cursor) error {
		uuids, cursors = append(uuids, e.UUID), append(cursors, c)
		return nil
	})
	if err != nil {
		t.Fatalf("search %v: %v", q.Filter, err)
	}
	return uuids, cursors
}

// TestSchemaOnEveryShard checks that Open creates the schema on each shard,
// that the events are spread over both by uuid, and that each shard's
// pivots index its own events.
func TestSchemaOnEveryShard(t *testing.T) {
	dsn := chtest.DSN(t)
	b := open(t, dsn)
	events := generated(t, 600)
	if res := mustInsert(t, b, events); res.Inserted != len(events) {
		t.Fatalf("inserted %d of %d", res.Inserted, len(events))
	}
	total := 0
	for i, s := range chtest.Shared(t).Shards {
		tables, err := s.Query("SELECT name FROM system.tables WHERE database = '" + b.cfg.database + "' ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		if want := "checkpoints\ncheckpoints_local\nevents\nevents_local\npivots_local\n"; tables != want {
			t.Errorf("shard %d tables:\n%s want\n%s", i, tables, want)
		}
		n := count(t, s, "SELECT count() FROM "+b.cfg.database+".events_local")
		uuids := count(t, s, "SELECT count() FROM "+b.cfg.database+".pivots_local WHERE kind IN (0, 7)")
		if n == 0 || n == len(events) || uuids != n {
			t.Errorf("shard %d holds %d events of %d, %d uuid pivots", i, n, len(events), uuids)
		}
		total += n
	}
	if total != len(events) {
		t.Errorf("the shards hold %d events, want %d", total, len(events))
	}
	// Opening again finds the schema and goes on numbering insertions.
	again := open(t, dsn)
	if again.received != b.received || b.received == 0 {
		t.Errorf("reopened: last insertion %d, want %d", again.received, b.received)
	}
}

func count(t *testing.T, s *chtest.Shard, q string) int {
	t.Helper()
	out, err := s.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestShardOf checks that Insert puts each event on the shard the
// Distributed table would (cityHash64 computed in Go as the server does)
// with its pivots, and that the uuid pivots find every event.
func TestShardOf(t *testing.T) {
	c := chtest.Shared(t)
	inputs := []string{"", "a", "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a", "nul\x00byte", "ünïcode", strings.Repeat("long", 100)}
	for _, e := range generated(t, 200)[:40] {
		inputs = append(inputs, e.UUID)
	}
	for _, u := range inputs {
		out, err := c.Shards[0].Query("SELECT cityHash64(unhex('" + hex.EncodeToString([]byte(u)) + "'))")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out); got != strconv.FormatUint(city.CH64([]byte(u)), 10) {
			t.Errorf("cityHash64(%q): server %s, Go %d", u, got, city.CH64([]byte(u)))
		}
	}
	b := open(t, chtest.DSN(t))
	events := generated(t, 400)
	mustInsert(t, b, events)
	db := b.cfg.database
	for i, s := range c.Shards {
		if n := count(t, s, "SELECT count() FROM "+db+".events_local WHERE cityHash64(uuid) % 2 != "+strconv.Itoa(i)); n != 0 {
			t.Errorf("shard %d holds %d events of the other", i, n)
		}
		if n := count(t, s, "SELECT count() FROM "+db+".events_local WHERE published NOT IN (SELECT published FROM "+db+".pivots_local WHERE kind IN (0, 7))"); n != 0 {
			t.Errorf("shard %d holds %d events without uuid pivots", i, n)
		}
	}
}

// TestSearchPaths checks that a search gives the same events in the same
// order whether it runs as one query or by spans of time (hours, merged,
// and the minutes of a busy hour), and in ByReceived order by chunks,
// against filter.Compile.
func TestSearchPaths(t *testing.T) {
	dsn := chtest.DSN(t)
	b := open(t, dsn)
	events := generated(t, 1500)
	for start := 0; start < len(events); start += 300 {
		mustInsert(t, b, events[start:min(start+300, len(events))])
	}
	small := open(t, dsn)
	small.limits = limits{fewRows: 16, sliceRows: 40, receivedChunk: 7}
	user := events[len(events)/2].Actor.ID
	filters := []string{
		``, `eventType eq "user.session.start"`, `actor.id eq "` + user + `" or target.id eq "` + user + `"`,
		`outcome.result eq "FAILURE" and debugContext.debugData.requestUri co "authn"`, `client.userAgent.rawUserAgent co "curl"`,
		`securityContext.isProxy eq true`, `not (eventType sw "user.authentication.")`,
	}
	checked := 0
	for _, f := range filters {
		var expr filter.Expr
		if f != "" {
			expr = filter.MustParse(f)
		}
		m := filter.Compile(expr)
		var want []*logevent.Event
		for _, e := range events {
			if m.Match(e) {
				want = append(want, e)
			}
		}
		for _, q := range []backend.Query{
			{Filter: expr}, {Filter: expr, Desc: true}, {Filter: expr, Limit: 45}, {Filter: expr, Desc: true, Limit: 3},
			{Filter: expr, Order: backend.ByReceived}, {Filter: expr, Order: backend.ByReceived, Desc: true, Limit: 30},
			{Filter: expr, Since: events[100].Time, Until: events[900].Time},
		} {
			got, _ := uuidsOf(t, small, q)
			one, _ := uuidsOf(t, b, q)
			if !slices.Equal(got, one) {
				t.Fatalf("%s %+v: by spans or chunks %d events, in one query %d", f, q, len(got), len(one))
			}
			if q.Order == backend.ByPublished {
				checkPublishedOrder(t, small, q)
			}
			if n := len(wantIn(want, q)); q.Limit == 0 && len(got) != n || q.Limit > 0 && len(got) != min(n, q.Limit) {
				t.Fatalf("%s %+v: %d events, want %d", f, q, len(got), n)
			}
			checked += len(got)
		}
	}
	if checked < 5000 {
		t.Errorf("only %d events returned: the test exercises little", checked)
	}
}

// wantIn are the events of want in q's window.
func wantIn(want []*logevent.Event, q backend.Query) []*logevent.Event {
	var out []*logevent.Event
	for _, e := range want {
		if (q.Since.IsZero() || !e.Time.Before(q.Since)) && (q.Until.IsZero() || e.Time.Before(q.Until)) {
			out = append(out, e)
		}
	}
	return out
}

// checkPublishedOrder checks that a search returns events in published
// order, ascending or descending, each uuid once.
func checkPublishedOrder(t *testing.T, r backend.Reader, q backend.Query) {
	t.Helper()
	var prev *logevent.Event
	seen := map[string]bool{}
	err := r.Search(context.Background(), q, func(e *logevent.Event, _ backend.Cursor) error {
		if prev != nil {
			c := e.Time.Compare(prev.Time)
			if q.Desc {
				c = -c
			}
			if c < 0 || seen[e.UUID] {
				return fmt.Errorf("%s (%v) after %s (%v)", e.UUID, e.Time, prev.UUID, prev.Time)
			}
		}
		prev, seen[e.UUID] = e, true
		return nil
	})
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
}

// TestCopiesShownOnce stores a second copy of events directly on the shard
// that holds them (as two writers racing on the same events would, before
// ClickHouse merges them) and checks that a search returns each once.
func TestCopiesShownOnce(t *testing.T) {
	b := open(t, chtest.DSN(t))
	events := generated(t, 300)
	mustInsert(t, b, events)
	db := b.cfg.database
	for _, s := range chtest.Shared(t).Shards {
		if err := s.Exec("INSERT INTO " + db + ".events_local SELECT * FROM " + db + ".events_local"); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []backend.Query{{}, {Desc: true}, {Filter: filter.MustParse(`eventType eq "user.session.start"`)}} {
		got, _ := uuidsOf(t, b, q)
		if len(got) != len(wantIn(events, q)) && q.Filter == nil {
			t.Errorf("%+v: %d events, want %d", q, len(got), len(events))
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("%+v: an event returned twice", q)
		}
	}
}

// TestMaxExecutionTime checks that queries carry the DSN's
// max_execution_time, which the server enforces whatever the client does.
func TestMaxExecutionTime(t *testing.T) {
	b := open(t, chtest.DSN(t)+"&max_execution_time=1")
	ctx := context.Background()
	start := time.Now()
	rows, err := b.conn.Query(b.ctx(ctx, map[string]any{"max_block_size": 1}), "SELECT sleep(0.5) FROM numbers(20)")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	var ex *proto.Exception
	if !errors.As(err, &ex) || ex.Code != 159 { // TIMEOUT_EXCEEDED
		t.Fatalf("a 10 s query with max_execution_time=1: %v after %v", err, time.Since(start))
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("stopped after %v", d)
	}
}

// TestSingleServer checks a DSN without a cluster: one server, no
// Distributed tables.
func TestSingleServer(t *testing.T) {
	dsn := chtest.DSN(t)
	dsn = dsn[:strings.Index(dsn, "?")]
	b := open(t, dsn)
	if b.events != b.cfg.database+".events_local" {
		t.Errorf("single server reads %s", b.events)
	}
	events := generated(t, 300)
	mustInsert(t, b, events)
	if res := mustInsert(t, b, events[:10]); res.Duplicates != 10 {
		t.Errorf("again: %+v", res)
	}
	got, _ := uuidsOf(t, b, backend.Query{Filter: filter.MustParse(`actor.id eq "` + events[5].Actor.ID + `"`)})
	if len(got) == 0 {
		t.Error("no events of a user")
	}
	out, err := chtest.Shared(t).Shards[0].Query("EXISTS TABLE " + b.cfg.database + ".events")
	if err != nil || strings.TrimSpace(out) != "0" {
		t.Errorf("a Distributed table on a single server: %q %v", out, err)
	}
}

// TestOpenErrors checks Open's errors: they name the server, never the
// password.
func TestOpenErrors(t *testing.T) {
	c := chtest.Shared(t)
	ctx := context.Background()
	for _, dsn := range []string{
		"clickhouse://alice:hunter2@" + c.Shards[0].TCP + "/db?cluster=nosuchcluster",
		"clickhouse://alice:hunter2@127.0.0.1:1/db",
	} {
		_, err := Open(ctx, dsn)
		if err == nil {
			t.Fatalf("%s: no error", dsn)
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "clickhouse://") {
			t.Errorf("error %q", err)
		}
	}
	_, err := Open(ctx, "clickhouse://"+c.Shards[0].TCP+"/db?cluster=nosuchcluster")
	if err == nil || !strings.Contains(err.Error(), `no cluster "nosuchcluster"`) {
		t.Errorf("unknown cluster: %v", err)
	}
}
