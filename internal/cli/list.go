package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
)

// listFlags are the flags every listing command shares (docs/cli.md).
type listFlags struct {
	format string
	limit  int
	since  string
	until  string
	order  string
	fields string
	q      string
}

func (f *listFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "", render.EventFormats().Help())
	fl.IntVar(&f.limit, "limit", 0, "print at most N events (0: all)")
	fl.StringVar(&f.since, "since", "", "from this time on: RFC 3339, a date, or a duration ago (90m, 24h, 7d)")
	fl.StringVar(&f.until, "until", "", "before this time: RFC 3339, a date, or a duration ago")
	fl.StringVar(&f.order, "order", "asc", "order by published: asc or desc")
	fl.StringVar(&f.fields, "fields", "", "table/csv columns: time,actor,eventType,outcome,ip,location,message,session,uuid or any dotted path")
	fl.StringVar(&f.q, "q", "", "keyword search, as Okta's q parameter: every keyword must occur")
}

// query builds the store query for filter expr from the flags.
func (f *listFlags) query(expr filter.Expr, now time.Time) (store.Query, error) {
	q := store.Query{Filter: expr, Limit: f.limit}
	var err error
	if q.Since, err = parseTimeFlag("since", f.since, now); err != nil {
		return q, err
	}
	if q.Until, err = parseTimeFlag("until", f.until, now); err != nil {
		return q, err
	}
	switch strings.ToLower(f.order) {
	case "asc":
	case "desc":
		q.Desc = true
	default:
		return q, usageError("--order %q: want asc or desc", f.order)
	}
	if f.limit < 0 {
		return q, usageError("--limit %d: want 0 or more", f.limit)
	}
	if q.Keywords, err = filter.ParseKeywords(f.q); err != nil {
		return q, &ExitError{Code: ExitUsage, Err: err}
	}
	return q, nil
}

// writer returns the event writer the flags ask for.
func (f *listFlags) writer(streams IO, annotate *render.Column) (render.EventWriter, error) {
	format, err := render.EventFormats().Choose(f.format, streams.Terminal)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	opts := render.Options{Width: streams.Width, Annotate: annotate, Terminal: streams.Terminal}
	if f.fields != "" {
		cols, err := render.ParseColumns(f.fields)
		if err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		opts.Columns = cols
	}
	return render.NewEventWriter(streams.Out, format, opts), nil
}

// openStore opens the store for reading, with a clear message when there
// is none yet.
func (a *app) openStore() (*store.Store, error) {
	if _, err := os.Stat(a.dbPath); err != nil {
		return nil, fmt.Errorf("no store at %s: run 'oktascope import FILE' or 'oktascope demo' first (or pass --db)", a.dbPath)
	}
	return store.Open(a.dbPath)
}

// listEvents runs q against the store and writes the events; it returns how
// many were written.
func (a *app) listEvents(ctx context.Context, st *store.Store, q store.Query, f *listFlags, annotate *render.Column) (int, error) {
	w, err := f.writer(a.io, annotate)
	if err != nil {
		return 0, err
	}
	n := 0
	err = st.Search(ctx, q, func(e *logevent.Event) error {
		n++
		return w.Write(e)
	})
	if err != nil {
		return n, err
	}
	return n, w.Close()
}
