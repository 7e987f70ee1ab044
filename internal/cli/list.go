package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
)

// listFlags are the flags every listing command shares (docs/cli.md): the
// format, the time window, and which events in what order.
type listFlags struct {
	format formatFlag
	window windowFlags
	limit  int
	order  string
	fields string
	q      string
}

func (f *listFlags) register(fl *pflag.FlagSet) {
	f.format.register(fl, render.EventFormats())
	fl.IntVar(&f.limit, "limit", 0, "print at most N events (0: all)")
	f.window.register(fl)
	fl.StringVar(&f.order, "order", "asc", "order by published: asc or desc")
	fl.StringVar(&f.fields, "fields", "", "table/csv columns: time,actor,eventType,outcome,ip,location,message,session,uuid or any dotted path")
	fl.StringVar(&f.q, "q", "", "keyword search, as Okta's q parameter: every keyword must occur")
}

// listing is what the listing flags ask for: the query (its filter is the
// command's) and how to write the events.
type listing struct {
	query   backend.Query
	format  render.Format
	columns []render.Column // nil: render's default columns
}

// parse reads the flags: the window against now, the format's default
// for a terminal or a pipe.
func (f *listFlags) parse(now time.Time, terminal bool) (listing, error) {
	var l listing
	var err error
	if l.format, err = f.format.choose(terminal); err != nil {
		return l, err
	}
	if f.fields != "" {
		if l.columns, err = render.ParseColumns(f.fields); err != nil {
			return l, asUsage(err)
		}
	}
	q := &l.query
	if q.Since, q.Until, err = f.window.parse(now); err != nil {
		return l, err
	}
	switch strings.ToLower(f.order) {
	case "asc":
	case "desc":
		q.Desc = true
	default:
		return l, usageError("--order %q: want asc or desc", f.order)
	}
	if f.limit < 0 {
		return l, usageError("--limit %d: want 0 or more", f.limit)
	}
	q.Limit = f.limit
	if q.Keywords, err = filter.ParseKeywords(f.q); err != nil {
		return l, asUsage(err)
	}
	return l, nil
}

// listEvents runs the listing's query, with filter expr, against the
// backend and writes the events, with the annotate column if set; it
// returns how many were written.
func listEvents(ctx context.Context, st backend.Reader, streams IO, l listing, expr filter.Expr, annotate *render.Column) (int, error) {
	w := render.NewEventWriter(streams.Out, l.format, render.Options{
		Width: streams.Width, Columns: l.columns, Annotate: annotate, Terminal: streams.Terminal})
	q := l.query
	q.Filter = expr
	n := 0
	err := st.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		n++
		return w.Write(e)
	})
	// Closed on an error too: what was written before it is flushed.
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return n, err
}
