package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// Benchmarks on the synthetic org's log (internal/synth: the article's
// event sequences, 5,000 users, a week, events of about 2 KB):
//
//	go test ./internal/store -run '^$' -bench . -benchtime 5x
//
// OKTASCOPE_BENCH_EVENTS sets the number of events (default 200,000);
// OKTASCOPE_BENCH_DB names a store to search instead (a bench/run.sh
// store: it is migrated to this version when older).
// BenchmarkInsert times Insert alone, on events decoded beforehand. The
// search benchmarks share one store, bulk-loaded once per run (not timed),
// and report the CPU time per search next to the elapsed time, which a
// busy machine inflates.

func benchEventCount() int {
	if n, err := strconv.Atoi(os.Getenv("OKTASCOPE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

const benchBatch = 5000 // ingest.DefaultBatchSize

// benchSynth returns the generator of the benchmarks' log.
func benchSynth(n int) *synth.Generator {
	return synth.New(synth.Options{Seed: 7, Users: 5000, Events: n, Duration: 7 * 24 * time.Hour})
}

// nextEvents decodes up to n events from g.
func nextEvents(g *synth.Generator, n int) []*logevent.Event {
	out := make([]*logevent.Event, 0, n)
	for len(out) < n {
		raw, ok := g.Next()
		if !ok {
			break
		}
		e, err := logevent.Decode(append([]byte(nil), raw...))
		if err != nil {
			panic(fmt.Sprintf("synth event does not decode: %v", err))
		}
		out = append(out, e)
	}
	return out
}

var benchData struct {
	once   sync.Once
	events []*logevent.Event
	bytes  int64
}

// benchEvents generates the insert benchmark's events once.
func benchEvents() ([]*logevent.Event, int64) {
	benchData.once.Do(func() {
		n := benchEventCount()
		benchData.events = nextEvents(benchSynth(n), n)
		for _, e := range benchData.events {
			benchData.bytes += int64(len(e.Raw))
		}
	})
	return benchData.events, benchData.bytes
}

// BenchmarkInsert measures inserting every event into a new store in
// batches of benchBatch: "live" keeps the indexes up to date, "bulk" defers
// them to EndBulk (included in the time).
func BenchmarkInsert(b *testing.B) {
	events, size := benchEvents()
	for _, bulk := range []bool{false, true} {
		name := map[bool]string{false: "live", true: "bulk"}[bulk]
		b.Run(name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := cpuTime()
				load(b, s, bulk, func(i int) []*logevent.Event { return events[min(i, len(events)):min(i+benchBatch, len(events))] })
				cpu += cpuTime() - start
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			perRun := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(len(events))/perRun, "events/s")
			b.ReportMetric(float64(size)/perRun/1e6, "MB/s")
			b.ReportMetric(float64(len(events))/(cpu.Seconds()/float64(b.N)), "events/cpu-s")
		})
	}
}

// BenchmarkReimport measures inserting every event again into a store that
// holds them all (a repeated import): each is a duplicate, found by the
// uuid index, its stored JSON read and compared with the new one.
func BenchmarkReimport(b *testing.B) {
	events, size := benchEvents()
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	load(b, s, true, func(i int) []*logevent.Event { return events[min(i, len(events)):min(i+benchBatch, len(events))] })
	ctx := context.Background()
	cpu := cpuTime()
	for b.Loop() {
		for i := 0; i < len(events); i += benchBatch {
			res, err := s.Insert(ctx, events[i:min(i+benchBatch, len(events))])
			if err != nil || res.Inserted != 0 || len(res.Conflicts) != 0 {
				b.Fatalf("re-insert: %+v, %v", res, err)
			}
		}
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(len(events))/perRun, "events/s")
	b.ReportMetric(float64(size)/perRun/1e6, "MB/s")
	b.ReportMetric(float64(len(events))/((cpuTime()-cpu).Seconds()/float64(b.N)), "events/cpu-s")
}

// load inserts the batches batch(0), batch(benchBatch)… up to an empty one.
func load(b *testing.B, s *Store, bulk bool, batch func(i int) []*logevent.Event) {
	ctx := context.Background()
	if bulk {
		if err := s.BeginBulk(ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; ; i += benchBatch {
		events := batch(i)
		if len(events) == 0 {
			break
		}
		if _, err := s.Insert(ctx, events); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.EndBulk(ctx); err != nil {
		b.Fatal(err)
	}
}

var benchStore struct {
	once       sync.Once
	store      *Store
	dir        string
	indicators indicators
	err        error
}

// indicators are the values the lookups search for, picked from the log.
type indicators struct {
	busiest, median     string // user ids: the most active actor, a median one
	busiestN, medianN   int    // their events as actor
	ip, session, target string // of the median user
}

// sharedStore is a store of benchEventCount() events, built by streaming
// the generator (so that large counts fit in memory).
func sharedStore(b *testing.B) (*Store, indicators) {
	benchStore.once.Do(func() {
		benchStore.err = buildSharedStore(b)
	})
	if benchStore.err != nil {
		b.Fatal(benchStore.err)
	}
	return benchStore.store, benchStore.indicators
}

func buildSharedStore(b *testing.B) error {
	if path := os.Getenv("OKTASCOPE_BENCH_DB"); path != "" {
		s, err := Open(path)
		if err != nil {
			return err
		}
		benchStore.store = s
		benchStore.indicators, err = pickIndicators(s)
		return err
	}
	dir, err := os.MkdirTemp("", "oktascope-bench-")
	if err != nil {
		return err
	}
	benchStore.dir = dir
	s, err := Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	benchStore.store = s
	g := benchSynth(benchEventCount())
	start := time.Now()
	load(b, s, true, func(int) []*logevent.Event { return nextEvents(g, benchBatch) })
	elapsed := time.Since(start)
	st, err := s.Stats(context.Background())
	if err != nil {
		return err
	}
	fi, err := os.Stat(s.Location())
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "shared store: %d events generated and bulk-loaded in %.1f s (%.0f events/s), %d MB\n",
		st.Events, elapsed.Seconds(), float64(st.Events)/elapsed.Seconds(), fi.Size()>>20)
	benchStore.indicators, err = pickIndicators(s)
	return err
}

func pickIndicators(s *Store) (indicators, error) {
	var ind indicators
	const byActivity = `SELECT actor_id, count(*) AS n FROM events WHERE actor_id LIKE '00u%'
	GROUP BY actor_id ORDER BY n DESC, actor_id`
	rows, err := s.read.Query(byActivity)
	if err != nil {
		return ind, err
	}
	var ids []string
	var counts []int
	for rows.Next() {
		var id string
		var n int
		rows.Scan(&id, &n)
		ids, counts = append(ids, id), append(counts, n)
	}
	rows.Close()
	if len(ids) == 0 {
		return ind, fmt.Errorf("no user in the benchmark's log")
	}
	ind.busiest, ind.busiestN = ids[0], counts[0]
	ind.median, ind.medianN = ids[len(ids)/2], counts[len(ids)/2]
	ind.target = ind.median
	const first = `SELECT client_ip, session_id FROM events WHERE actor_id = ? AND client_ip IS NOT NULL
	AND session_id LIKE '102%' ORDER BY published LIMIT 1`
	return ind, s.read.QueryRow(first, ind.median).Scan(&ind.ip, &ind.session)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore.store != nil {
		benchStore.store.Close()
	}
	if benchStore.dir != "" {
		os.RemoveAll(benchStore.dir)
	}
	os.Exit(code)
}

// benchSearch times one Search (every match decoded and passed to fn) per
// iteration and reports the matches and the CPU time. A first, untimed,
// search warms the connection (its first query costs 10 to 20 ms more:
// opening, reading the schema, preparing).
func benchSearch(b *testing.B, s *Store, q backend.Query) {
	ctx := context.Background()
	n := 0
	if err := s.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { return nil }); err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime()
	for b.Loop() {
		n = 0
		if err := s.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(n), "events/op")
}

// cpuTime is the process's CPU time (user and system): on a shared
// machine it varies less than the elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per iteration since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// userSignin is the article's user-signin query (the hunt playbook) for id.
func userSignin(id string) string {
	return fmt.Sprintf(`(actor.id eq %[1]q or target.id eq %[1]q) and (
(eventType eq "user.session.start") or (eventType eq "policy.evaluate_sign_on") or
(eventType eq "user.authentication.verify") or (eventType eq "application.policy.sign_on.deny_access") or
(eventType eq "user.authentication.sso") or (eventType eq "user.authentication.auth_via_mfa") or
(eventType eq "user.mfa.factor.activate") or (eventType eq "system.push.send_factor_verify_push") or
(eventType eq "system.email.send_factor_verify_message") or (eventType eq "system.sms.send_factor_verify_message") or
(eventType eq "user.account.reset_password") or (eventType eq "user.account.update_password") or
(eventType eq "user.account.unlock_token") or (eventType eq "user.account.unlock"))`, id)
}

// BenchmarkHunt measures indicator lookups (docs/performance.md: under 50 ms on 10
// million events): every matching event, in order, decoded.
func BenchmarkHunt(b *testing.B) {
	_, ind := sharedStore(b)
	for _, l := range []struct{ name, filter string }{
		{"actor.id median user", fmt.Sprintf(`actor.id eq %q`, ind.median)},
		{"actor.id busiest user", fmt.Sprintf(`actor.id eq %q`, ind.busiest)},
		{"client.ipAddress", fmt.Sprintf(`client.ipAddress eq %q`, ind.ip)},
		{"externalSessionId", fmt.Sprintf(`authenticationContext.externalSessionId eq %q`, ind.session)},
		{"target.id", fmt.Sprintf(`target.id eq %q`, ind.target)},
		{"user-signin playbook median user", userSignin(ind.median)},
		{"user-signin playbook busiest user", userSignin(ind.busiest)},
	} {
		b.Run(l.name, func(b *testing.B) {
			s, _ := sharedStore(b)
			benchSearch(b, s, backend.Query{Filter: filter.MustParse(l.filter)})
		})
	}
}

// BenchmarkFilter measures filters that scan (docs/performance.md: an arbitrary
// filter under 2 s on 10 million events): answered by columns and
// indexes, by a scan of the columns, and by decoding every event in Go.
func BenchmarkFilter(b *testing.B) {
	mfa := filter.MustParse(`eventType sw "user.mfa." and outcome.result eq "FAILURE"`)
	for _, f := range []struct{ name, filter string }{
		{"column filter", mfa.String()},
		{"displayMessage co (column scan)", `displayMessage co "factor"`},
		{"residual (decode every event)", `debugContext.debugData.requestUri eq "/nowhere"`},
	} {
		b.Run(f.name, func(b *testing.B) {
			s, _ := sharedStore(b)
			benchSearch(b, s, backend.Query{Filter: filter.MustParse(f.filter)})
		})
	}
	b.Run("column filter count", func(b *testing.B) {
		s, _ := sharedStore(b)
		cpu := cpuTime()
		for b.Loop() {
			if _, err := s.Count(context.Background(), backend.Query{Filter: mfa}); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu)
	})
	b.Run("first page, newest 50", func(b *testing.B) {
		s, _ := sharedStore(b)
		benchSearch(b, s, backend.Query{Limit: 50, Desc: true})
	})
}

// BenchmarkHistogram measures a histogram of the whole store in 60
// buckets: one Histogram call (a GROUP BY over the published index when
// SQL decides the filter; a scan in Go otherwise), and, for comparison,
// the way the web UI counted before: one Count per bucket, three at a
// time.
func BenchmarkHistogram(b *testing.B) {
	for _, f := range []struct{ name, filter string }{
		{"unfiltered", ""},
		{"eventType", `eventType eq "user.authentication.sso"`},
		{"residual", `securityContext.isProxy eq true`},
	} {
		for _, perBucket := range []bool{false, true} {
			if perBucket && f.name == "residual" {
				continue // minutes: every bucket decodes its events
			}
			name := f.name + map[bool]string{false: "/one query", true: "/count per bucket"}[perBucket]
			b.Run(name, func(b *testing.B) {
				s, _ := sharedStore(b)
				ctx := context.Background()
				st, err := s.Stats(ctx)
				if err != nil {
					b.Fatal(err)
				}
				q := backend.Query{Filter: filter.MustParse(f.filter)}
				bk := backend.Buckets{From: st.First, Step: st.Last.Sub(st.First)/60 + 1, N: 60}
				var counts []int
				cpu := cpuTime()
				for b.Loop() {
					if perBucket {
						counts, err = countPerBucket(ctx, s, q, bk)
					} else {
						counts, err = s.Histogram(ctx, q, bk)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
				total := 0
				for _, n := range counts {
					total += n
				}
				b.ReportMetric(float64(total), "events/op")
			})
		}
	}
}

// countPerBucket counts each bucket with Count, three at a time.
func countPerBucket(ctx context.Context, s *Store, q backend.Query, bk backend.Buckets) ([]int, error) {
	counts := make([]int, bk.N)
	errs := make([]error, bk.N)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for i := range next {
				bq := q
				bq.Since, bq.Until = bk.From.Add(time.Duration(i)*bk.Step), bk.From.Add(time.Duration(i+1)*bk.Step)
				counts[i], errs[i] = s.Count(ctx, bq)
			}
		})
	}
	for i := range bk.N {
		next <- i
	}
	close(next)
	wg.Wait()
	return counts, errors.Join(errs...)
}
