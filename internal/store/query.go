package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// position is an event's place in the store: published (Unix nanoseconds)
// and its row id, which grows with insertion. backend.ByPublished orders by
// both, backend.ByReceived by the row id alone.
type position struct {
	published int64
	id        int64
}

// Cursors are the position in base 36 behind a letter naming the order:
// "p" then published "." id for ByPublished, "r" then id for ByReceived, so
// that a cursor of one order is refused by the other.
const (
	cursorPublished = 'p'
	cursorReceived  = 'r'
)

// cursor encodes p as the backend.Cursor of order o.
func cursor(o backend.Order, p position) backend.Cursor {
	var buf [32]byte
	b := buf[:0]
	if o == backend.ByReceived {
		b = append(b, cursorReceived)
	} else {
		b = append(b, cursorPublished)
		b = strconv.AppendInt(b, p.published, 36)
		b = append(b, '.')
	}
	b = strconv.AppendInt(b, p.id, 36)
	return backend.Cursor(b)
}

// parseCursor decodes a cursor made by cursor for order o.
func parseCursor(o backend.Order, c backend.Cursor) (position, error) {
	s := string(c)
	var p position
	var err error
	switch {
	case o == backend.ByReceived && strings.HasPrefix(s, string(cursorReceived)):
		p.id, err = strconv.ParseInt(s[1:], 36, 64)
	case o == backend.ByPublished && strings.HasPrefix(s, string(cursorPublished)):
		pub, id, ok := strings.Cut(s[1:], ".")
		if !ok {
			err = errors.New("no id")
			break
		}
		if p.published, err = strconv.ParseInt(pub, 36, 64); err == nil {
			p.id, err = strconv.ParseInt(id, 36, 64)
		}
	default:
		err = errors.New("not a cursor of this order")
	}
	if err != nil {
		return p, fmt.Errorf("store: %w %.40q", backend.ErrInvalidCursor, s)
	}
	return p, nil
}

// Search calls fn with each event that matches q, in q's order, with its
// cursor, streaming: the result set is never held in memory. fn runs on the
// caller's goroutine (decoding runs on others) and may keep the events.
// Search stops at the first error fn returns and returns that error.
func (s *Store) Search(ctx context.Context, q backend.Query, fn func(*logevent.Event, backend.Cursor) error) error {
	p, err := plan(q)
	if err != nil {
		return err
	}
	return s.scanPlan(ctx, p, p.selectSQL(q, s.rawMax > 0), q.Limit, func(e *logevent.Event, pos position) error {
		return fn(e, cursor(q.Order, pos))
	})
}

// scanPlan runs query, a selection of (published, id, raw JSON) rows, and
// passes the events that match p to fn, in order, up to limit (0: all).
func (s *Store) scanPlan(ctx context.Context, p *queryPlan, query string, limit int, fn func(*logevent.Event, position) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var db interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		preparer
	} = s.read
	if !p.filtered {
		conn, err := s.unmappedConn(ctx)
		if err != nil {
			return fmt.Errorf("store: search: %w", err)
		}
		defer releaseUnmapped(conn)
		db = conn
	}
	rows, err := db.QueryContext(ctx, query, p.args...)
	if err != nil {
		return fmt.Errorf("store: search: %w", err)
	}
	src := newRawSource(db, s.rawMax)
	defer src.close()
	p.prefilter.anchor(s.codec.byteCounts())
	sc := scan(ctx, rows, src, s.codec, &rowMatch{prefilter: p.prefilter, event: p.match, every: !p.filtered && !p.goSide()})
	err = deliver(sc, limit, fn)
	if stopErr := sc.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("store: search: %w", stopErr)
	}
	return err
}

// deliver passes the scanner's events to fn, in order, up to limit (0:
// all).
func deliver(sc *scanner, limit int, fn func(*logevent.Event, position) error) error {
	matched := 0
	for b := sc.next(); b != nil; b = sc.next() {
		for i, e := range b.events {
			if e == nil {
				continue
			}
			if err := fn(e, b.positions[i]); err != nil {
				return err
			}
			if matched++; matched == limit {
				return nil
			}
		}
		if b.err != nil {
			return fmt.Errorf("store: search: %w", b.err)
		}
	}
	return nil
}

// Count returns the number of events that match q (Limit and order are
// ignored; After applies).
func (s *Store) Count(ctx context.Context, q backend.Query) (int, error) {
	q.Limit = 0
	p, err := plan(q)
	if err != nil {
		return 0, err
	}
	if p.goSide() {
		n := 0
		err := s.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { n++; return nil })
		return n, err
	}
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM events e"+p.whereSQL(), p.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count: %w", err)
	}
	return n, nil
}

// queryPlan is a Query split into SQL and what Go evaluates on each row.
type queryPlan struct {
	where    []string
	args     []any
	filtered bool            // a filter condition is in where (not only time bounds)
	residual *filter.Matcher // nil when SQL answers the filter
	// prefilter excludes, from their JSON alone, events the residual
	// cannot match (nil: none excluded).
	prefilter *prefilter
	keywords  *filter.Keywords
	// since and until, when set, are time bounds outside the instants
	// published holds exactly (they compare in SQL as a superset): each
	// row's own time is tested in Go.
	since, until time.Time
}

func plan(q backend.Query) (*queryPlan, error) {
	if q.Limit < 0 {
		return nil, errors.New("store: negative limit")
	}
	if q.Order != backend.ByPublished && q.Order != backend.ByReceived {
		return nil, fmt.Errorf("store: unknown order %d", q.Order)
	}
	p := &queryPlan{keywords: q.Keywords}
	// published is clamped to the instants an int64 of nanoseconds holds:
	// against a bound outside them, SQL selects a superset (inclusive of
	// the clamped value) and Go decides.
	if !q.Since.IsZero() {
		p.add("e.published >= ?", unixNanos(q.Since))
		if !inRange(q.Since) {
			p.since = q.Since
		}
	}
	if !q.Until.IsZero() {
		if inRange(q.Until) {
			p.add("e.published < ?", unixNanos(q.Until))
		} else {
			p.add("e.published <= ?", unixNanos(q.Until))
			p.until = q.Until
		}
	}
	if q.After != "" {
		after, err := parseCursor(q.Order, q.After)
		if err != nil {
			return nil, err
		}
		op := ">"
		if q.Desc {
			op = "<"
		}
		if q.Order == backend.ByReceived {
			p.add("e.id "+op+" ?", after.id)
		} else {
			p.add("(e.published, e.id) "+op+" (?, ?)", after.published, after.id)
		}
	}
	where, residual := translate(q.Filter)
	if where.SQL != "" {
		p.add(where.SQL, where.Args...)
		p.filtered = true
	}
	if residual != nil {
		p.residual = filter.Compile(residual)
		p.prefilter = newPrefilter(residual)
	}
	return p, nil
}

func (p *queryPlan) add(cond string, args ...any) {
	p.where = append(p.where, cond)
	p.args = append(p.args, args...)
}

// goSide reports whether rows must be decoded and tested in Go.
func (p *queryPlan) goSide() bool {
	return p.residual != nil || !p.keywords.Empty() || !p.since.IsZero() || !p.until.IsZero()
}

func (p *queryPlan) match(e *logevent.Event) bool {
	if (!p.since.IsZero() && e.Time.Before(p.since)) || (!p.until.IsZero() && !e.Time.Before(p.until)) {
		return false
	}
	return (p.residual == nil || p.residual.Match(e)) && p.keywords.Match(e)
}

func (p *queryPlan) whereSQL() string {
	if len(p.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(p.where, " AND ")
}

// selectSQL is the query of Search: positions (published, id) in q's
// order; the event's JSON when the store keeps events' JSON in raw
// (rawTable: written before raw_blocks), NULL for events whose JSON is in
// blocks; and when positions are selected first (below), the id, n and
// data of each event's block (NULLs without one).
//
// Without a filter condition, the events come from the published index in
// order (or the table in row id order, for ByReceived), each joined to raw
// by row id: when row ids follow published (a store loaded in time order,
// as Okta's API returns events), SQLite steps to the next row of raw
// instead of searching for it. Blocks are read by the scan, each once
// (rawSource.get). With a filter, the inner query selects and orders
// positions only, so that when SQLite must sort (a search through targets,
// or an "or" of indexes) its sorter holds (published, id) and not the
// JSON, which the outer query reads for each row in turn, with its block:
// a filtered search's events are usually a block apart, and a row carrying
// its block's data (a few KB) costs less than a query for it. The inner
// query runs as a co-routine, which keeps its order: it is the left side
// of a LEFT JOIN to the block, which SQLite always runs as the outer
// loop, and has a LIMIT (-1 for none), with which SQLite does not
// flatten it into the join (and sort the joined rows, blocks and all) (a row's block is found once, and read by its row id; three
// scalar subqueries found it three times: 0.4 of a 1.3 CPU-s hunt). LIMIT goes to
// SQL only when SQL decides every match.
//
// In received order, a query bounded by Since but not resumed (a poller's
// first request) selects from the published index and sorts the
// positions (ORDER BY +e.id), rather than scanning the whole table in row
// id order for the few recent events; resumed, it seeks the row id.
func (p *queryPlan) selectSQL(q backend.Query, rawTable bool) string {
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	order := " ORDER BY e.published" + dir + ", e.id" + dir
	sortIDs := false
	if q.Order == backend.ByReceived {
		order = " ORDER BY e.id" + dir
		if sortIDs = q.After == "" && !q.Since.IsZero(); sortIDs {
			order = " ORDER BY +e.id" + dir
		}
	}
	limit := ""
	if q.Limit > 0 && !p.goSide() {
		limit = " LIMIT " + strconv.Itoa(q.Limit)
	}
	if !p.filtered && !sortIDs {
		if !rawTable {
			return "SELECT e.published, e.id, NULL, NULL, NULL, NULL FROM events e" + p.whereSQL() + order + limit
		}
		return "SELECT e.published, e.id, r.json, NULL, NULL, NULL FROM events e LEFT JOIN raw r ON r.id = e.id" +
			p.whereSQL() + order + limit
	}
	raw := "NULL"
	if rawTable {
		raw = "(SELECT json FROM raw WHERE raw.id = m.id)"
	}
	if limit == "" {
		limit = " LIMIT -1" // no limit, but SQLite cannot flatten it into the join
	}
	inner := "SELECT e.published, e.id FROM events e" + p.whereSQL() + order + limit
	return "SELECT m.published, m.id, " + raw + ", b.id, b.n, b.data FROM (" + inner + ") AS m" +
		" LEFT JOIN raw_blocks b ON b.id = (SELECT max(id) FROM raw_blocks WHERE id <= m.id)"
}
