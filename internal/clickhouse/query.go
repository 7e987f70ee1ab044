package clickhouse

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// plan is a Query as a SQL condition and what Go still decides.
type plan struct {
	where    []frag
	residual *filter.Matcher // nil when SQL decides the filter
	keywords *filter.Keywords
}

// exact reports whether SQL alone decides which events match.
func (p *plan) exact() bool { return p.residual == nil && p.keywords.Empty() }

func (p *plan) add(f frag) { p.where = append(p.where, f) }

// whereSQL is the condition, with extra terms, and its arguments.
func (p *plan) whereSQL(extra ...frag) (string, []any) {
	parts := append(append([]frag(nil), p.where...), extra...)
	if len(parts) == 0 {
		return "", nil
	}
	var sqls []string
	var args []any
	for _, f := range parts {
		sqls = append(sqls, f.sql)
		args = append(args, f.args...)
	}
	return " WHERE " + strings.Join(sqls, " AND "), args
}

// match is what Go decides on an event SQL selected.
func (p *plan) match(e *logevent.Event) bool {
	return (p.residual == nil || p.residual.Match(e)) && p.keywords.Match(e)
}

// plan turns q's filter, keywords, window and cursor into a plan. The
// cursor's order is q's.
func (b *Backend) plan(q backend.Query) (*plan, error) {
	if q.Limit < 0 {
		return nil, errors.New("negative limit")
	}
	p := &plan{keywords: q.Keywords}
	if !q.Since.IsZero() {
		ns := unixNanos(q.Since)
		p.add(frag{sql: "published >= toDateTime(?) AND published_ns >= ?", args: []any{secondOf(ns), ns}})
	}
	if !q.Until.IsZero() {
		ns := unixNanos(q.Until)
		p.add(frag{sql: "published <= toDateTime(?) AND published_ns < ?", args: []any{secondOf(ns), ns}})
	}
	if q.After != "" {
		f, err := afterCond(q)
		if err != nil {
			return nil, err
		}
		p.add(f)
	}
	opts := pushdown.Options{RawContains: true}
	split := pushdown.Split(q.Filter, columns, opts)
	if split.Where != nil {
		p.add(sql(split.Where))
		for _, n := range split.Exact {
			if pushdown.Selective(n) {
				if terms := pivotTerms(n); terms != nil {
					p.add(b.pivotCond(terms))
					break
				}
			}
		}
	}
	if split.Residual != nil {
		p.residual = filter.Compile(split.Residual)
	}
	if k := pushdown.Keywords(q.Keywords, opts); k != nil {
		p.add(sql(k))
	}
	return p, nil
}

// Cursors: "p" then published_ns and received in base 36 (joined by
// "_"), or "r" then received in base 36, then "." and the uuid in
// unpadded URL-safe base64.
func makeCursor(order backend.Order, k rowKey) backend.Cursor {
	var pos string
	if order == backend.ByReceived {
		pos = "r" + strconv.FormatUint(k.received, 36)
	} else {
		pos = "p" + strconv.FormatInt(k.published, 36) + "_" + strconv.FormatUint(k.received, 36)
	}
	return backend.Cursor(pos + "." + base64.RawURLEncoding.EncodeToString([]byte(k.uuid)))
}

func parseCursor(order backend.Order, c backend.Cursor) (rowKey, error) {
	var k rowKey
	pos, uuid, ok := strings.Cut(string(c), ".")
	if !ok || len(pos) < 2 {
		return k, fmt.Errorf("%w %q", backend.ErrInvalidCursor, c)
	}
	u, err := base64.RawURLEncoding.DecodeString(uuid)
	if err != nil {
		return k, fmt.Errorf("%w %q", backend.ErrInvalidCursor, c)
	}
	k.uuid = string(u)
	switch {
	case pos[0] == 'p' && order == backend.ByPublished:
		ns, rec, ok := strings.Cut(pos[1:], "_")
		k.published, err = strconv.ParseInt(ns, 36, 64)
		if err == nil {
			k.received, err = strconv.ParseUint(rec, 36, 64)
		}
		if !ok {
			err = errors.New("no received")
		}
	case pos[0] == 'r' && order == backend.ByReceived:
		k.received, err = strconv.ParseUint(pos[1:], 36, 64)
	default:
		err = errors.New("another order's cursor")
	}
	if err != nil {
		return k, fmt.Errorf("%w %q", backend.ErrInvalidCursor, c)
	}
	return k, nil
}

// afterCond is "strictly after the cursor" in q's order.
func afterCond(q backend.Query) (frag, error) {
	k, err := parseCursor(q.Order, q.After)
	if err != nil {
		return frag{}, err
	}
	op, bound := ">", ">="
	if q.Desc {
		op, bound = "<", "<="
	}
	if q.Order == backend.ByReceived {
		return frag{sql: "(received, uuid) " + op + " (?, ?)", args: []any{k.received, k.uuid}}, nil
	}
	return frag{
		sql:  "published " + bound + " toDateTime(?) AND (published_ns, received, uuid) " + op + " (?, ?, ?)",
		args: []any{secondOf(k.published), k.published, k.received, k.uuid},
	}, nil
}

// orderBy is the ORDER BY of q's order: events published at the same
// instant come in insertion order, as in the embedded store.
func orderBy(q backend.Query) string {
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	if q.Order == backend.ByReceived {
		return " ORDER BY received" + dir + ", uuid" + dir
	}
	return " ORDER BY published_ns" + dir + ", received" + dir + ", uuid" + dir
}

// Search calls fn with each event matching q, in q's order, streaming.
func (b *Backend) Search(ctx context.Context, q backend.Query, fn func(*logevent.Event, backend.Cursor) error) error {
	p, err := b.plan(q)
	if err != nil {
		return fmt.Errorf("clickhouse: search: %w", err)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	produce := b.byPublished
	if q.Order == backend.ByReceived {
		produce = b.byReceived
	}
	sc := startScan(ctx, p.match, func(ctx context.Context, emit emitFunc) error { return produce(ctx, p, q, emit) })
	err = sc.deliver(q.Limit, func(e *logevent.Event, k rowKey) error { return fn(e, makeCursor(q.Order, k)) })
	if stopErr := sc.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("clickhouse: search: %w", stopErr)
	}
	if err == nil {
		err = parent.Err()
	}
	return err
}

// limits size the queries of a search.
type limits struct {
	// fewRows is the most rows a server reads for a search in one query,
	// before the search goes by spans of time (or, in ByReceived order,
	// by chunks).
	fewRows int
	// sliceRows is the most rows (by the SQL condition) one query of a
	// search by published sorts: a search of more goes by spans of time
	// of about this many rows, so that the servers sort little at a time
	// and the first events come early.
	sliceRows uint64
	// receivedChunk is how many rows a search in ByReceived order
	// selects at a time, by position first, then by JSON.
	receivedChunk int
}

var defaultLimits = limits{fewRows: 32768, sliceRows: 50000, receivedChunk: 1000}

// span is [from, to) in seconds of published, holding rows rows.
type span struct {
	from, to int64
	rows     uint64
}

// byPublished reads the rows of p in q's published order: in one query
// when they are few, else span by span.
func (b *Backend) byPublished(ctx context.Context, p *plan, q backend.Query, emit emitFunc) error {
	limit := 0
	if p.exact() {
		limit = q.Limit
	}
	// Most searches read few rows (an indicator's seconds, a short window,
	// a small log): one query, which each server refuses before reading
	// when its primary key leaves more than a few thousand rows to read.
	// (18.16 does not enforce max_rows_to_sort; read_overflow_mode is
	// "throw" by default, and this client can set only numeric settings
	// on 18.16.)
	sent, err := b.fetch(ctx, p, q, nil, limit, ch.Settings{"max_rows_to_read": b.limits.fewRows}, emit)
	var ex *proto.Exception
	if err == nil || !errors.As(err, &ex) || ex.Code != codeTooManyRows || sent > 0 {
		return err
	}
	spans, err := b.spans(ctx, p, q.Desc)
	if err != nil {
		return err
	}
	sent = 0
	for _, s := range spans {
		var within *frag
		if len(spans) > 1 {
			within = &frag{sql: "published >= toDateTime(?) AND published < toDateTime(?)", args: []any{s.from, s.to}}
		}
		n, err := b.fetch(ctx, p, q, within, max(limit-sent, 0), sortSettings, emit)
		if err != nil {
			return err
		}
		if sent += n; limit > 0 && sent >= limit {
			break
		}
	}
	return nil
}

// codeTooManyRows is the server's error code for a limit on rows exceeded
// (TOO_MANY_ROWS).
const codeTooManyRows = 158

// fetch runs the query of the rows of p (within a span, if any) in q's
// order, up to limit rows (0: all), and emits them; it returns how many.
func (b *Backend) fetch(ctx context.Context, p *plan, q backend.Query, within *frag, limit int, settings ch.Settings, emit emitFunc) (int, error) {
	var extra []frag
	if within != nil {
		extra = append(extra, *within)
	}
	where, args := p.whereSQL(extra...)
	query := "SELECT published_ns, received, uuid, raw FROM " + b.events + where + orderBy(q)
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	return b.emitRows(ctx, query, args, settings, emit, func(k *rowKey, raw *string) []any {
		return []any{&k.published, &k.received, &k.uuid, raw}
	})
}

// emitRows runs a query of rows (a position, a uuid and the JSON, which
// dest points into) and emits them; it returns how many.
func (b *Backend) emitRows(ctx context.Context, query string, args []any, settings ch.Settings, emit emitFunc,
	dest func(*rowKey, *string) []any) (int, error) {
	rows, err := b.conn.Query(b.ctx(ctx, settings), query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	sent := 0
	for rows.Next() {
		var k rowKey
		var raw string
		if err := rows.Scan(dest(&k, &raw)...); err != nil {
			return sent, err
		}
		sent++
		if !emit(k, []byte(raw)) {
			return sent, ctx.Err()
		}
	}
	return sent, rows.Err()
}

// sortSettings let a query that sorts more than expected spill to disk
// rather than fail.
var sortSettings = ch.Settings{"max_bytes_before_external_sort": 1 << 30}

// spans divides the rows of p into spans of time of about sliceRows rows,
// in the order of the search: one span when they are few; else hours,
// merged while small, and the minutes of an hour that holds more.
func (b *Backend) spans(ctx context.Context, p *plan, desc bool) ([]span, error) {
	hours, err := b.countBy(ctx, p, "toStartOfHour(published)", 3600, nil)
	if err != nil {
		return nil, err
	}
	var total uint64
	for _, h := range hours {
		total += h.rows
	}
	if total <= b.limits.sliceRows {
		if total == 0 {
			return nil, nil
		}
		return []span{{from: hours[0].from, to: hours[len(hours)-1].to, rows: total}}, nil
	}
	var fine []span
	for _, h := range hours {
		if h.rows <= b.limits.sliceRows {
			fine = append(fine, h)
			continue
		}
		minutes, err := b.countBy(ctx, p, "toStartOfMinute(published)", 60,
			&frag{sql: "published >= toDateTime(?) AND published < toDateTime(?)", args: []any{h.from, h.to}})
		if err != nil {
			return nil, err
		}
		fine = append(fine, minutes...)
	}
	var out []span
	for _, s := range fine {
		if n := len(out); n > 0 && out[n-1].rows+s.rows <= b.limits.sliceRows {
			out[n-1].to, out[n-1].rows = s.to, out[n-1].rows+s.rows
			continue
		}
		out = append(out, s)
	}
	if desc {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// countBy counts the rows of p by the start of each unit (an expression
// of published, width seconds), oldest first.
func (b *Backend) countBy(ctx context.Context, p *plan, unit string, width int64, within *frag) ([]span, error) {
	var extra []frag
	if within != nil {
		extra = append(extra, *within)
	}
	where, args := p.whereSQL(extra...)
	rows, err := b.conn.Query(b.ctx(ctx),
		"SELECT toUInt32("+unit+") AS u, count() FROM "+b.events+where+" GROUP BY u ORDER BY u", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []span
	for rows.Next() {
		var u uint32
		var n uint64
		if err := rows.Scan(&u, &n); err != nil {
			return nil, err
		}
		out = append(out, span{from: int64(u), to: min(int64(u)+width, maxDateTime+1), rows: n})
	}
	return out, rows.Err()
}

// byReceived reads the rows of p in q's received order: in one query when
// they are few; else a chunk at a time, the positions first (narrow
// columns, sorted), then the JSON of those rows by the primary key.
func (b *Backend) byReceived(ctx context.Context, p *plan, q backend.Query, emit emitFunc) error {
	limit := 0
	if p.exact() {
		limit = q.Limit
	}
	where, args := p.whereSQL()
	query := "SELECT received, uuid, raw FROM " + b.events + where + orderBy(q)
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	sent, err := b.emitRows(ctx, query, args, ch.Settings{"max_rows_to_read": b.limits.fewRows}, emit,
		func(k *rowKey, raw *string) []any { return []any{&k.received, &k.uuid, raw} })
	var ex *proto.Exception
	if err == nil || !errors.As(err, &ex) || ex.Code != codeTooManyRows || sent > 0 {
		return err
	}
	var after *rowKey
	for {
		var extra []frag
		if after != nil {
			op := ">"
			if q.Desc {
				op = "<"
			}
			extra = append(extra, frag{sql: "(received, uuid) " + op + " (?, ?)", args: []any{after.received, after.uuid}})
		}
		n := b.limits.receivedChunk
		if limit > 0 {
			n = min(n, limit-sent)
		}
		where, args := p.whereSQL(extra...)
		keys, err := b.positions(ctx, "SELECT received, uuid, published FROM "+b.events+where+orderBy(q)+" LIMIT "+strconv.Itoa(n), args)
		if err != nil {
			return err
		}
		raws, err := b.rawsAt(ctx, keys)
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, ok := raws[k]
			if !ok {
				continue // gone since (a merge kept another copy of the event)
			}
			sent++
			if !emit(k.rowKey, raw) {
				return ctx.Err()
			}
		}
		if len(keys) < n || (limit > 0 && sent >= limit) {
			return nil
		}
		after = &keys[len(keys)-1].rowKey
	}
}

// position is a row's key and its second.
type position struct {
	rowKey
	second uint32
}

func (b *Backend) positions(ctx context.Context, query string, args []any) ([]position, error) {
	rows, err := b.conn.Query(b.ctx(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []position
	for rows.Next() {
		var p position
		var t time.Time
		if err := rows.Scan(&p.received, &p.uuid, &t); err != nil {
			return nil, err
		}
		p.second = uint32(t.Unix())
		out = append(out, p)
	}
	return out, rows.Err()
}

// rawsAt reads the JSON of the rows at keys, found by the primary key
// (the keys go to the servers as an external table).
func (b *Backend) rawsAt(ctx context.Context, keys []position) (map[position][]byte, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	table, err := ext.NewTable("_keys", ext.Column("published", "DateTime"), ext.Column("uuid", "String"), ext.Column("received", "UInt64"))
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := table.Append(time.Unix(int64(k.second), 0), k.uuid, k.received); err != nil {
			return nil, err
		}
	}
	rows, err := b.conn.Query(ch.Context(b.ctx(ctx), ch.WithExternalTable(table)),
		"SELECT received, uuid, published, raw FROM "+b.events+
			" WHERE (published, uuid) IN (SELECT published, uuid FROM _keys) AND received IN (SELECT received FROM _keys)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[position][]byte, len(keys))
	for rows.Next() {
		var p position
		var t time.Time
		var raw string
		if err := rows.Scan(&p.received, &p.uuid, &t, &raw); err != nil {
			return nil, err
		}
		p.second = uint32(t.Unix())
		out[p] = []byte(raw)
	}
	return out, rows.Err()
}

// Count returns the number of events matching q (After applies).
func (b *Backend) Count(ctx context.Context, q backend.Query) (int, error) {
	q.Limit = 0
	p, err := b.plan(q)
	if err != nil {
		return 0, fmt.Errorf("clickhouse: count: %w", err)
	}
	if !p.exact() {
		n := 0
		err := b.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { n++; return nil })
		return n, err
	}
	where, args := p.whereSQL()
	var n uint64
	if err := b.conn.QueryRow(b.ctx(ctx), "SELECT count() FROM "+b.events+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("clickhouse: count: %w", err)
	}
	return int(n), nil
}

// Histogram counts the events matching q in each of bk's buckets: in one
// grouped query when SQL decides the filter, else in one pass in Go.
func (b *Backend) Histogram(ctx context.Context, q backend.Query, bk backend.Buckets) ([]int, error) {
	if err := bk.Validate(); err != nil {
		return nil, err
	}
	from := bk.From
	end := from.Add(time.Duration(bk.N) * bk.Step)
	q.Limit, q.After = 0, ""
	if q.Since.Before(from) {
		q.Since = from
	}
	if q.Until.IsZero() || q.Until.After(end) {
		q.Until = end
	}
	counts := make([]int, bk.N)
	if !q.Until.After(q.Since) {
		return counts, nil
	}
	p, err := b.plan(q)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: histogram: %w", err)
	}
	fromNs, step := unixNanos(from), int64(bk.Step)
	if !p.exact() {
		err := b.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
			if i := (unixNanos(e.Time) - fromNs) / step; i >= 0 && i < int64(bk.N) {
				counts[i]++
			}
			return nil
		})
		return counts, err
	}
	where, args := p.whereSQL()
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT intDiv(published_ns - ?, ?) AS i, count() FROM "+b.events+where+" GROUP BY i",
		append([]any{fromNs, step}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: histogram: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var n uint64
		if err := rows.Scan(&i, &n); err != nil {
			return nil, fmt.Errorf("clickhouse: histogram: %w", err)
		}
		if i >= 0 && i < int64(bk.N) {
			counts[i] += int(n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: histogram: %w", err)
	}
	return counts, nil
}
