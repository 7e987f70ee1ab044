package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Query selects events. The zero Query selects every event in
// chronological order.
type Query struct {
	// Filter is an Okta filter expression (nil matches every event).
	Filter filter.Expr
	// Keywords is Okta's q: every keyword must occur in the event's text
	// fields (nil or empty matches every event).
	Keywords *filter.Keywords
	// Since and Until bound published: Since inclusive, Until exclusive.
	// The zero time leaves that side unbounded.
	Since, Until time.Time
	// Limit is the most events to return; 0 means no limit.
	Limit int
	// Desc reverses the order: newest first.
	Desc bool
	// After resumes a listing: only events strictly after this position,
	// in the query's order, are returned (see SearchWithCursor).
	After *Cursor
}

// Cursor is an event's position in the store's order: published (Unix
// nanoseconds), then the event's row id, which grows with insertion.
type Cursor struct {
	Published int64
	ID        int64
}

// String encodes the cursor for a URL or an API's "after" parameter.
func (c Cursor) String() string {
	return strconv.FormatInt(c.Published, 36) + "." + strconv.FormatInt(c.ID, 36)
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	p, id, ok := strings.Cut(s, ".")
	if ok {
		pub, err1 := strconv.ParseInt(p, 36, 64)
		row, err2 := strconv.ParseInt(id, 36, 64)
		if err1 == nil && err2 == nil {
			return Cursor{Published: pub, ID: row}, nil
		}
	}
	return Cursor{}, fmt.Errorf("store: invalid cursor %q", s)
}

// Search calls fn with each event that matches q, in order, streaming:
// the result set is never held in memory. fn runs on the caller's
// goroutine (decoding runs on others) and may keep the events. Search
// stops at the first error fn returns and returns that error.
func (s *Store) Search(ctx context.Context, q Query, fn func(*logevent.Event) error) error {
	return s.SearchWithCursor(ctx, q, func(e *logevent.Event, _ Cursor) error { return fn(e) })
}

// SearchWithCursor is Search, also passing each event's Cursor: set
// Query.After to the last one to fetch the next page.
func (s *Store) SearchWithCursor(ctx context.Context, q Query, fn func(*logevent.Event, Cursor) error) error {
	p, err := plan(q)
	if err != nil {
		return err
	}
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
	rows, err := db.QueryContext(ctx, p.selectSQL(q, s.rawMax > 0), p.args...)
	if err != nil {
		return fmt.Errorf("store: search: %w", err)
	}
	src := newRawSource(db, s.rawMax)
	defer src.close()
	p.prefilter.anchor(s.codec.byteCounts())
	sc := scan(ctx, rows, src, s.codec, &rowMatch{prefilter: p.prefilter, event: p.match})
	err = deliver(sc, q.Limit, fn)
	if stopErr := sc.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("store: search: %w", stopErr)
	}
	return err
}

// deliver passes the scanner's events to fn, in order, up to limit (0:
// all).
func deliver(sc *scanner, limit int, fn func(*logevent.Event, Cursor) error) error {
	matched := 0
	for b := sc.next(); b != nil; b = sc.next() {
		for i, e := range b.events {
			if e == nil {
				continue
			}
			if err := fn(e, b.cursors[i]); err != nil {
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
func (s *Store) Count(ctx context.Context, q Query) (int, error) {
	q.Limit = 0
	p, err := plan(q)
	if err != nil {
		return 0, err
	}
	if p.goSide() {
		n := 0
		err := s.Search(ctx, q, func(*logevent.Event) error { n++; return nil })
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
}

func plan(q Query) (*queryPlan, error) {
	if q.Limit < 0 {
		return nil, errors.New("store: negative limit")
	}
	p := &queryPlan{keywords: q.Keywords}
	if !q.Since.IsZero() {
		p.add("e.published >= ?", unixNanos(q.Since))
	}
	if !q.Until.IsZero() {
		p.add("e.published < ?", unixNanos(q.Until))
	}
	if q.After != nil {
		op := ">"
		if q.Desc {
			op = "<"
		}
		p.add("(e.published, e.id) "+op+" (?, ?)", q.After.Published, q.After.ID)
	}
	where, residual := translate(q.Filter)
	if where.sql != "" {
		p.add(where.sql, where.args...)
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
func (p *queryPlan) goSide() bool { return p.residual != nil || !p.keywords.Empty() }

func (p *queryPlan) match(e *logevent.Event) bool {
	return (p.residual == nil || p.residual.Match(e)) && p.keywords.Match(e)
}

func (p *queryPlan) whereSQL() string {
	if len(p.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(p.where, " AND ")
}

// selectSQL is the query of Search: positions (published, id) in order;
// the event's JSON when the store keeps events' JSON in raw (rawTable:
// written before raw_blocks), NULL for events whose JSON is in blocks; and
// for a filtered search, the id, n and data of each event's block (NULLs
// without one).
//
// Without a filter condition, the events come from the published index in
// order, each joined to raw by row id: when row ids follow published (a
// store loaded in time order, as Okta's API returns events), SQLite steps
// to the next row of raw instead of searching for it. Blocks are read by
// the scan, each once (rawSource.get). With a filter, the inner query
// selects and orders positions only, so that when SQLite must sort (a
// search through targets, or an "or" of indexes) its sorter holds
// (published, id) and not the JSON, which the outer query reads for each
// row in turn, with its block: a filtered search's events are usually a
// block apart, and a row carrying its block's data (a few KB) costs less
// than a query for it. The inner query runs as a co-routine, which keeps
// its order (scalar subqueries read the block: a join would let SQLite
// reorder the rows). LIMIT goes to SQL only when SQL decides every match.
func (p *queryPlan) selectSQL(q Query, rawTable bool) string {
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	order := " ORDER BY e.published" + dir + ", e.id" + dir
	limit := ""
	if q.Limit > 0 && !p.goSide() {
		limit = " LIMIT " + strconv.Itoa(q.Limit)
	}
	if !p.filtered {
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
	inner := "SELECT e.published, e.id FROM events e" + p.whereSQL() + order + limit
	const block = "(SELECT max(id) FROM raw_blocks WHERE id <= m.id)"
	return "SELECT m.published, m.id, " + raw + ", " + block +
		", (SELECT n FROM raw_blocks WHERE id = " + block + "), (SELECT data FROM raw_blocks WHERE id = " + block + ")" +
		" FROM (" + inner + ") AS m"
}
