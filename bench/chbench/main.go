// Command chbench measures oktascope's ClickHouse backend for
// bench/clickhouse.sh: an import, then the article's eight playbooks on the
// busiest user, one of its addresses and sessions, a set of filters, and
// the unfiltered histogram. Each query prints a tab-separated line
//
//	name  best-ms  events  filter
//
// and, with -uuids DIR, writes the sorted uuids it returned to DIR/name, for
// comparison with the embedded store's answers.
//
//	chbench -dsn clickhouse://127.0.0.1:19000/oktascope?cluster=oktascope import events.ndjson
//	chbench -dsn … queries
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/clickhouse"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/ingest"
	"github.com/oktascope/oktascope/internal/logevent"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("OKTASCOPE_DB"), "the ClickHouse DSN")
	batch := flag.Int("batch", 50000, "events per Insert on import")
	runs := flag.Int("runs", 3, "runs of each query (the best is printed)")
	uuids := flag.String("uuids", "", "folder to write each query's sorted uuids to")
	flag.Parse()
	if err := run(*dsn, *batch, *runs, *uuids, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "chbench:", err)
		os.Exit(1)
	}
}

func run(dsn string, batch, runs int, uuids string, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: chbench -dsn DSN import FILE… | queries")
	}
	ctx := context.Background()
	b, err := clickhouse.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer b.Close()
	switch args[0] {
	case "import":
		return importFiles(ctx, b, batch, args[1:])
	case "queries":
		return queries(ctx, b, runs, uuids)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func importFiles(ctx context.Context, b *clickhouse.Backend, batch int, files []string) error {
	start := time.Now()
	sum, err := ingest.Import(ctx, files, b, ingest.Options{BatchSize: batch})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("import\t%d events\t%.1f s\t%.0f events/s\tclient CPU %.1f s\n", sum.Imported, wall.Seconds(),
		float64(sum.Imported)/wall.Seconds(), time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds())
	return nil
}

func queries(ctx context.Context, b *clickhouse.Backend, runs int, dir string) error {
	user, ip, session, err := indicators(ctx, b)
	if err != nil {
		return err
	}
	var qs []namedQuery
	for _, p := range catalog.Playbooks() {
		value := user
		switch p.Parameter {
		case indicator.IP:
			value = ip
		case indicator.Session:
			value = session
		}
		qs = append(qs, namedQuery{"playbook-" + p.Name, p.Filter(value)})
	}
	qs = append(qs,
		namedQuery{"mfa-failures", `eventType sw "user.mfa." and outcome.result eq "FAILURE"`},
		namedQuery{"auth-via-mfa-failures", `eventType eq "user.authentication.auth_via_mfa" and outcome.result eq "FAILURE"`},
		namedQuery{"curl-agent", `client.userAgent.rawUserAgent co "curl"`},
		namedQuery{"request-uri", `debugContext.debugData.requestUri eq "/api/v1/authn/factors/verify"`},
		namedQuery{"proxy-sessions", `eventType eq "user.session.start" and securityContext.isProxy eq true`},
		namedQuery{"not-sso", `not (eventType eq "user.authentication.sso") and outcome.result eq "DENY"`},
		namedQuery{"admin-console", `target.displayName eq "Okta Admin Console"`},
	)
	for _, q := range qs {
		expr, err := filter.Parse(q.filter)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		var got []string
		best := time.Duration(1 << 62)
		for range runs {
			got = got[:0]
			start := time.Now()
			err := b.Search(ctx, backend.Query{Filter: expr}, func(e *logevent.Event, _ backend.Cursor) error {
				got = append(got, e.UUID)
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			best = min(best, time.Since(start))
		}
		fmt.Printf("%s\t%d\t%d\t%s\n", q.name, best.Milliseconds(), len(got), strings.ReplaceAll(q.filter, "\n", " "))
		if dir != "" {
			slices.Sort(got)
			var text strings.Builder
			for _, u := range got {
				text.WriteString(u + "\n")
			}
			if err := os.WriteFile(filepath.Join(dir, q.name), []byte(text.String()), 0o600); err != nil {
				return err
			}
		}
	}
	return histogram(ctx, b, runs)
}

type namedQuery struct{ name, filter string }

// indicators picks the user with the most sign-ins among the first 100,000
// sign-ins, one of its addresses and one of its sessions.
func indicators(ctx context.Context, b *clickhouse.Backend) (user, ip, session string, err error) {
	counts := map[string]int{}
	q := backend.Query{Filter: filter.MustParse(`eventType eq "user.session.start"`), Limit: 100000}
	err = b.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		counts[e.Actor.ID]++
		return nil
	})
	for id, n := range counts {
		if n > counts[user] || n == counts[user] && id < user {
			user = id
		}
	}
	if err != nil || user == "" {
		return "", "", "", fmt.Errorf("no sign-ins to pick a user from (%v)", err)
	}
	q = backend.Query{Filter: filter.MustParse(`actor.id eq "` + user + `" and authenticationContext.externalSessionId pr`), Limit: 1}
	err = b.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		ip, session = e.Client.IPAddress, e.AuthenticationContext.ExternalSessionID
		return nil
	})
	return user, ip, session, err
}

// histogram times the unfiltered histogram of the whole log in 60 buckets.
func histogram(ctx context.Context, b *clickhouse.Backend, runs int) error {
	st, err := b.Stats(ctx)
	if err != nil {
		return err
	}
	bk := backend.Buckets{From: st.First, Step: st.Last.Sub(st.First)/60 + 1, N: 60}
	best := time.Duration(1 << 62)
	var total int
	for range runs {
		start := time.Now()
		counts, err := b.Histogram(ctx, backend.Query{}, bk)
		if err != nil {
			return err
		}
		best = min(best, time.Since(start))
		total = 0
		for _, n := range counts {
			total += n
		}
	}
	fmt.Printf("histogram-60\t%d\t%d\t(no filter, %d events held)\n", best.Milliseconds(), total, st.Events)
	return nil
}
