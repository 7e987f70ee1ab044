package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/logevent"
)

// crashEnv names the store a child process of TestKillDuringInsert inserts
// into, and the NDJSON file of its events.
const (
	crashEnv       = "OKTASCOPE_STORE_CRASH_CHILD"
	crashEventsEnv = "OKTASCOPE_STORE_CRASH_EVENTS"
	crashStartEnv  = "OKTASCOPE_STORE_CRASH_START"
	crashBulkEnv   = "OKTASCOPE_STORE_CRASH_BULK"
	crashBatchSize = 200
)

// crashEvents are the events the child inserts, in batches of
// crashBatchSize; their uuids are all distinct.
func crashEvents() []*logevent.Event {
	return backendtest.NewGenerator(backendtest.GenOptions{Seed: 21, Users: 50}).Events(6000)
}

// TestCrashChild is the child process of TestKillDuringInsert: it inserts
// every batch, in order from a given one and wrapping around, until it is
// killed, in a bulk load (indexes dropped) if asked. It prints "ready" once
// the store is open, then the number of events each batch inserted.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process of TestKillDuringInsert")
	}
	data, err := os.ReadFile(os.Getenv(crashEventsEnv))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	start, _ := strconv.Atoi(os.Getenv(crashStartEnv))
	start *= crashBatchSize
	lines = append(lines[start:], lines[:start]...)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(crashBulkEnv) != "" {
		if err := s.BeginBulk(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("ready")
	for len(lines) > 0 {
		n := min(crashBatchSize, len(lines))
		batch := make([]*logevent.Event, n)
		for i, raw := range lines[:n] {
			if batch[i], err = logevent.Decode(raw); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.Insert(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(res.Inserted)
		lines = lines[n:]
	}
	s.Close()
}

// TestKillDuringInsert kills an inserting child process with SIGKILL at
// random moments, and checks after each kill that the store is intact and
// holds each batch wholly or not at all; then that inserting everything
// again yields exactly the events of all batches.
func TestKillDuringInsert(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crash.db")
	events := crashEvents()
	var ndjson bytes.Buffer
	var batches [][]*logevent.Event
	for i, e := range events {
		ndjson.Write(e.Raw)
		ndjson.WriteByte('\n')
		if i%crashBatchSize == 0 {
			batches = append(batches, nil)
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], e)
	}
	eventsFile := filepath.Join(dir, "events.ndjson")
	if err := os.WriteFile(eventsFile, ndjson.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := range 10 {
		bulk := round%2 == 1
		after, delay := rnd.IntN(3), time.Duration(rnd.IntN(40))*time.Millisecond
		killChild(t, path, eventsFile, rnd.IntN(len(batches)), bulk, after, delay)
		whole := checkAfterCrash(t, path, batches)
		t.Logf("round %d (bulk %v): %d of %d batches in", round, bulk, whole, len(batches))
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]bool{}
	for _, b := range batches {
		mustInsert(t, s, b)
		for _, e := range b {
			want[e.UUID] = true
		}
	}
	got := map[string]bool{}
	s.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error { got[e.UUID] = true; return nil })
	if len(got) != len(want) {
		t.Fatalf("after re-inserting: %d events, want %d", len(got), len(want))
	}
	for u := range want {
		if !got[u] {
			t.Fatalf("event %s missing", u)
		}
	}
}

// killChild starts a child inserting into the store from batch start and
// kills it with SIGKILL once it has committed after batches that added
// events and the delay passed (so that the kill lands anywhere in a batch
// or between batches, however fast the machine).
func killChild(t *testing.T, path, eventsFile string, start int, bulk bool, after int, delay time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashEventsEnv+"="+eventsFile, crashStartEnv+"="+strconv.Itoa(start))
	if bulk {
		cmd.Env = append(cmd.Env, crashBulkEnv+"=1")
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("child: %q, %v", lines.Text(), lines.Err())
	}
	for after > 0 && lines.Scan() {
		if lines.Text() != "0" {
			after--
		}
	}
	time.Sleep(delay)
	cmd.Process.Kill() // SIGKILL
	go io.Copy(io.Discard, stdout)
	cmd.Wait()
}

// checkAfterCrash opens the store left by a killed child and checks it; it
// returns how many batches are in.
func checkAfterCrash(t *testing.T, path string, batches [][]*logevent.Event) int {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer s.Close()
	db := s.write
	var result string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Fatalf("integrity_check: %q, %v", result, err)
	}
	checkCounters(t, s)
	checkRaws(t, s, batches)
	var indexes, deferred int
	db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").Scan(&indexes)
	db.QueryRow("SELECT count(*) FROM deferred_indexes").Scan(&deferred)
	if indexes != 9 || deferred != 0 {
		t.Fatalf("after reopening: %d indexes, %d deferred; want 9, 0", indexes, deferred)
	}
	whole := 0
	for i, b := range batches {
		args := make([]any, len(b))
		for j, e := range b {
			args[j] = e.UUID
		}
		var n int
		q := "SELECT count(*) FROM events WHERE uuid IN (" + placeholders(len(args)) + ")"
		if err := db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		switch n {
		case 0:
		case len(b):
			whole++
		default:
			t.Fatalf("batch %d is partly in the store: %d of %d events", i, n, len(b))
		}
	}
	return whole
}

// checkCounters checks that the blocks of JSON, targets, the type counters
// and ip_users agree with events.
func checkCounters(t *testing.T, s *Store) {
	t.Helper()
	for _, check := range []string{
		// every event in exactly one block, and no more events in blocks
		`SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM raw_blocks b
		 WHERE b.id = (SELECT max(id) FROM raw_blocks WHERE id <= e.id) AND e.id < b.id + b.n)`,
		"SELECT count(*) FROM raw_blocks a JOIN raw_blocks b ON b.id > a.id AND b.id < a.id + a.n",
		"SELECT (SELECT coalesce(sum(n), 0) FROM raw_blocks) - (SELECT count(*) FROM events)",
		"SELECT count(*) FROM raw",
		"SELECT count(*) FROM targets WHERE event NOT IN (SELECT id FROM events)",
		`SELECT count(*) FROM (SELECT event_type, count(*) AS n FROM events GROUP BY event_type) AS g
		 FULL JOIN event_type_counts AS c USING (event_type) WHERE g.n IS NOT c.n AND coalesce(c.n, 0) <> 0`,
	} {
		var n int
		if err := s.write.QueryRow(check).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: %d, %v", strings.Join(strings.Fields(check), " "), n, err)
		}
	}
	var events []*logevent.Event
	if err := s.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error {
		events = append(events, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ref := backendtest.NewReference()
	ref.Insert(events)
	backendtest.CheckIPUsersWhole(t, s, ref)
}

// checkRaws checks that every event in the store has the JSON it was
// inserted with, byte for byte (checkJSON).
func checkRaws(t *testing.T, s *Store, batches [][]*logevent.Event) {
	t.Helper()
	want := map[string][]byte{}
	for _, b := range batches {
		for _, e := range b {
			want[e.UUID] = e.Raw
		}
	}
	stored := map[string][]byte{}
	if err := s.Search(context.Background(), backend.Query{}, func(e *logevent.Event, _ backend.Cursor) error {
		stored[e.UUID] = want[e.UUID]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkJSON(t, s, stored)
}
