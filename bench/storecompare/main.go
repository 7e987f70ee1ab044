// Command storecompare runs one workload on two embedded stores: oktascope's
// own (internal/store: pure-Go SQLite, modernc.org/sqlite) and DuckDB
// (github.com/duckdb/duckdb-go/v2, cgo), and prints a Markdown table.
//
// The workload: insert N events of the synthetic org (internal/synth, about
// 2 KB each, deduplicated by uuid), then look up every event of an actor
// (the busiest one and a median one), an IP address, a session and a
// target id, and run the column filter
// `eventType sw "user.mfa." and outcome.result eq "FAILURE"`. Each lookup
// returns the matching events' JSON in published order and decodes it with
// logevent.Decode, as oktascope's commands do.
//
// It lives in its own module so that DuckDB never enters oktascope's:
//
//	cd bench/storecompare && go run . -n 200000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

func main() {
	n := flag.Int("n", 200_000, "events to insert")
	batch := flag.Int("batch", 5000, "events per insert transaction")
	runs := flag.Int("runs", 7, "runs of each lookup (the median is reported)")
	dir := flag.String("dir", "", "directory for the stores (default: a temporary one)")
	only := flag.String("only", "", "run only the engines whose name contains this (sqlite, duckdb, bulk, live)")
	flag.Parse()
	if err := run(*n, *batch, *runs, *dir, *only); err != nil {
		log.Fatal(err)
	}
}

// engine is one store under test.
type engine interface {
	name() string
	insert(ctx context.Context, events []*logevent.Event) error
	finish(ctx context.Context) error // after the last insert (indexes, checkpoint)
	// lookup returns the events matching a filter, decoded, in order.
	lookup(ctx context.Context, l lookup) (int, error)
	files() []string
	close() error
}

// lookup is one query: its Okta filter (for oktascope) and its SQL
// condition over the shared column names (for DuckDB).
type lookup struct {
	label, filter, where string
	args                 []any
}

type result struct {
	engine               string
	insertWall, cpu      time.Duration
	finish               time.Duration
	size                 int64
	lookups              []time.Duration
	matches              []int
	labels               []string
	events, bytes, batch int
}

func run(n, batch, runs int, dir, only string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "storecompare-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	events, size := generate(n)
	log.Printf("%d events, %.0f MB of JSON", len(events), float64(size)/1e6)
	var results []result
	for _, open := range []func(string) (engine, error){openSQLiteBulk, openSQLite, openDuckDB, openDuckDBAppend} {
		e, err := open(dir)
		if err != nil {
			return err
		}
		if only != "" && !strings.Contains(strings.ToLower(e.name()), only) {
			e.close()
			continue
		}
		r, err := measure(e, events, size, batch, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name(), err)
		}
		results = append(results, r)
		events = reload(events) // each engine gets the same, fresh, events
	}
	printTable(results)
	return nil
}

// generate returns n events of the synthetic org over a week, decoded.
func generate(n int) ([]*logevent.Event, int) {
	g := synth.New(synth.Options{Seed: 7, Users: 5000, Events: n, Duration: 7 * 24 * time.Hour})
	var out []*logevent.Event
	size := 0
	for len(out) < n {
		raw, ok := g.Next()
		if !ok {
			break
		}
		e, err := logevent.Decode(append([]byte(nil), raw...))
		if err != nil {
			log.Fatalf("synth event does not decode: %v", err)
		}
		out = append(out, e)
		size += len(raw)
	}
	return out, size
}

// reload decodes the events again, so that no engine sees state (decoded
// generic maps) another left behind.
func reload(events []*logevent.Event) []*logevent.Event {
	out := make([]*logevent.Event, len(events))
	for i, e := range events {
		out[i], _ = logevent.Decode(e.Raw)
	}
	runtime.GC()
	return out
}

func measure(e engine, events []*logevent.Event, size, batch, runs int) (result, error) {
	ctx := context.Background()
	r := result{engine: e.name(), events: len(events), bytes: size, batch: batch}
	runtime.GC()
	cpu0, start := cpuTime(), time.Now()
	for i := 0; i < len(events); i += batch {
		if err := e.insert(ctx, events[i:min(i+batch, len(events))]); err != nil {
			return r, err
		}
	}
	r.insertWall = time.Since(start)
	t := time.Now()
	if err := e.finish(ctx); err != nil {
		return r, err
	}
	r.finish = time.Since(t)
	r.cpu = cpuTime() - cpu0
	for _, l := range lookups(events) {
		times := make([]time.Duration, runs)
		matches := 0
		for i := range times {
			t := time.Now()
			m, err := e.lookup(ctx, l)
			if err != nil {
				return r, fmt.Errorf("%s: %w", l.label, err)
			}
			times[i], matches = time.Since(t), m
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		r.lookups = append(r.lookups, times[len(times)/2])
		r.matches = append(r.matches, matches)
		r.labels = append(r.labels, l.label)
	}
	if err := e.close(); err != nil {
		return r, err
	}
	for _, f := range e.files() { // after closing, which checkpoints
		if fi, err := os.Stat(f); err == nil {
			r.size += fi.Size()
		}
	}
	return r, nil
}

// lookups picks the indicators from the events: the busiest actor, a
// median one, the IP and session of the median actor's first event, and
// the most frequent user target of it.
func lookups(events []*logevent.Event) []lookup {
	count := map[string]int{}
	for _, e := range events {
		if e.Actor.Type == "User" && e.Actor.ID != "" {
			count[e.Actor.ID]++
		}
	}
	ids := make([]string, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return count[ids[i]] > count[ids[j]] || (count[ids[i]] == count[ids[j]] && ids[i] < ids[j])
	})
	busiest, median := ids[0], ids[len(ids)/2]
	var ip, session string
	for _, e := range events {
		if e.Actor.ID == median && e.Client.IPAddress != "" && strings.HasPrefix(e.AuthenticationContext.ExternalSessionID, "102") {
			ip, session = e.Client.IPAddress, e.AuthenticationContext.ExternalSessionID
			break
		}
	}
	eq := func(label, path, column, value string) lookup {
		return lookup{label: label, filter: fmt.Sprintf("%s eq %q", path, value), where: column + " = ?", args: []any{value}}
	}
	return []lookup{
		eq(fmt.Sprintf("actor.id, median user (%d events)", count[median]), "actor.id", "actor_id", median),
		eq(fmt.Sprintf("actor.id, busiest user (%d events)", count[busiest]), "actor.id", "actor_id", busiest),
		eq("client.ipAddress", "client.ipAddress", "client_ip", ip),
		eq("authenticationContext.externalSessionId", "authenticationContext.externalSessionId", "session_id", session),
		{label: "target.id (median user)", filter: fmt.Sprintf("target.id eq %q", median),
			where: "id IN (SELECT event FROM targets WHERE target_id = ?)", args: []any{median}},
		{label: `eventType sw "user.mfa." and outcome.result eq "FAILURE"`,
			filter: `eventType sw "user.mfa." and outcome.result eq "FAILURE"`,
			where:  "starts_with(event_type, 'user.mfa.') AND outcome_result = 'FAILURE'"},
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func printTable(results []result) {
	if len(results) == 0 {
		return
	}
	r0 := results[0]
	fmt.Printf("%d events (%.0f MB of JSON), batches of %d, GOMAXPROCS %d; lookups: median of runs, events decoded\n\n",
		r0.events, float64(r0.bytes)/1e6, r0.batch, runtime.GOMAXPROCS(0))
	fmt.Printf("| | %s |\n|---|%s\n", joinNames(results), strings.Repeat("---|", len(results)))
	row := func(label string, f func(r result) string) {
		cells := make([]string, len(results))
		for i, r := range results {
			cells[i] = f(r)
		}
		fmt.Printf("| %s | %s |\n", label, strings.Join(cells, " | "))
	}
	row("insert (wall, incl. finish)", func(r result) string {
		wall := r.insertWall + r.finish
		return fmt.Sprintf("%.0f events/s (%.1f s; finish %.1f s)", float64(r.events)/wall.Seconds(), wall.Seconds(), r.finish.Seconds())
	})
	row("insert (CPU time)", func(r result) string {
		return fmt.Sprintf("%.0f events/CPU-s", float64(r.events)/r.cpu.Seconds())
	})
	row("file size", func(r result) string { return fmt.Sprintf("%.0f MB", float64(r.size)/1e6) })
	for i, label := range r0.labels {
		row(label, func(r result) string {
			return fmt.Sprintf("%.2f ms (%d)", float64(r.lookups[i])/1e6, r.matches[i])
		})
	}
}

func joinNames(results []result) string {
	names := make([]string, len(results))
	for i, r := range results {
		names[i] = r.engine
	}
	return strings.Join(names, " | ")
}

// storeFiles lists a database file and its SQLite/DuckDB companions.
func storeFiles(path string) []string {
	return []string{path, path + "-wal", path + "-shm", path + ".wal", filepath.Join(path + "-journal")}
}
