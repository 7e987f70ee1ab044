package clickhouse

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// plan is a Query as a SQL condition and what Go still decides.
type plan struct {
	// where is the condition on the narrow columns, which the servers
	// test first (PREWHERE: the JSON of a granule is read only where a row
	// passes it); raw the condition on the JSON, tested after.
	where, raw []frag
	residual   *filter.Matcher // nil when SQL decides the filter
	keywords   *filter.Keywords
	// pivots, when set, selects the pivot rows whose seconds hold every
	// event of the plan (where holds that condition too).
	pivots *frag
	// since and until bound the seconds of published (inclusive), when
	// set.
	since, until *int64
}

// exact reports whether SQL alone decides which events match.
func (p *plan) exact() bool { return p.residual == nil && p.keywords.Empty() }

func (p *plan) add(f frag) { p.where = append(p.where, f) }

// addNode adds the SQL of a pushdown node: the terms of a conjunction
// that do not read the JSON to where, the others to raw.
func (p *plan) addNode(n pushdown.Node) {
	terms := []pushdown.Node{n}
	if and, ok := n.(*pushdown.And); ok {
		terms = and.Terms
	}
	for _, t := range terms {
		if readsRaw(t) {
			p.raw = append(p.raw, sql(t))
		} else {
			p.add(sql(t))
		}
	}
}

// whereSQL is the condition, with extra terms on the narrow columns, and
// its arguments: " PREWHERE … WHERE …", either part absent when empty.
func (p *plan) whereSQL(extra ...frag) (string, []any) {
	var text string
	var args []any
	for _, clause := range []struct {
		keyword string
		parts   []frag
	}{{" PREWHERE ", append(append([]frag(nil), p.where...), extra...)}, {" WHERE ", p.raw}} {
		if len(clause.parts) == 0 {
			continue
		}
		sqls := make([]string, len(clause.parts))
		for i, f := range clause.parts {
			sqls[i] = f.SQL
			args = append(args, f.Args...)
		}
		text += clause.keyword + strings.Join(sqls, " AND ")
	}
	return text, args
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
		sec := secondOf(ns)
		p.since = &sec
		p.add(frag{SQL: "published >= toDateTime(?) AND published_ns >= ?", Args: []any{sec, ns}})
	}
	if !q.Until.IsZero() {
		ns := unixNanos(q.Until)
		sec := secondOf(ns)
		p.until = &sec
		p.add(frag{SQL: "published <= toDateTime(?) AND published_ns < ?", Args: []any{sec, ns}})
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
		p.addNode(split.Where)
		for _, n := range split.Exact {
			if pushdown.Selective(n) {
				if terms := pivotTerms(n); terms != nil {
					keys := pivotKeys(terms)
					p.pivots = &keys
					p.add(b.inPivots(keys))
					break
				}
			}
		}
	}
	if split.Residual != nil {
		p.residual = filter.Compile(split.Residual)
	}
	if k := pushdown.Keywords(q.Keywords, opts); k != nil {
		p.addNode(k)
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
		return frag{SQL: "(received, uuid) " + op + " (?, ?)", Args: []any{k.received, k.uuid}}, nil
	}
	return frag{SQL: "published " + bound + " toDateTime(?) AND (published_ns, received, uuid) " + op + " (?, ?, ?)", Args: []any{secondOf(k.published), k.published, k.received, k.uuid}},

		nil
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
	if p.pivots != nil {
		spans, err := b.pivotSpans(ctx, p, q.Desc)
		if err != nil {
			return err
		}
		return b.fetchSpans(ctx, p, q, spans, limit, emit)
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
	return b.fetchSpans(ctx, p, q, spans, limit, emit)
}

// fetchSpans reads the rows of p span by span (a single span: no bounds
// but the plan's), up to limit rows (0: all).
func (b *Backend) fetchSpans(ctx context.Context, p *plan, q backend.Query, spans []span, limit int, emit emitFunc) error {
	sent := 0
	for _, s := range spans {
		var within *frag
		if len(spans) > 1 {
			within = &frag{SQL: "published >= toDateTime(?) AND published < toDateTime(?)", Args: []any{s.from, s.to}}
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
	return b.emitRows(ctx, query, args, settings, emit, func(k *rowKey, raw *[]byte) []any {
		return []any{&k.published, &k.received, &k.uuid, raw}
	})
}

// emitRows runs a query of rows (a position, a uuid and the JSON, which
// dest points into) and emits them; it returns how many. The JSON is
// scanned into a []byte: clickhouse-go copies it out of the block once (a
// string whose bytes it lends), so it stays valid after the next block
// and nobody writes to it.
func (b *Backend) emitRows(ctx context.Context, query string, args []any, settings ch.Settings, emit emitFunc,
	dest func(*rowKey, *[]byte) []any) (int, error) {
	rows, err := b.conn.Query(b.ctx(ctx, settings), query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	sent := 0
	for rows.Next() {
		var k rowKey
		var raw []byte
		if err := rows.Scan(dest(&k, &raw)...); err != nil {
			return sent, err
		}
		sent++
		if !emit(k, raw) {
			return sent, ctx.Err()
		}
	}
	return sent, rows.Err()
}

// sortSettings let a query that sorts more than expected spill to disk
// rather than fail.
var sortSettings = ch.Settings{"max_bytes_before_external_sort": 1 << 30}

// pivotSpans divides the rows of a plan with pivots into spans of time
// of about sliceRows rows, in the order of the search, from the pivots
// alone: their seconds, counted by minute on each shard (a pivot row
// stands for one event or more in its second, usually one). A hunt then
// reads, in one query or a few, only the granules of those seconds; no
// query reads or sorts more than about sliceRows of its rows.
func (b *Backend) pivotSpans(ctx context.Context, p *plan, desc bool) ([]span, error) {
	where := p.pivots.SQL
	args := append([]any(nil), p.pivots.Args...)
	if p.since != nil {
		where += " AND published >= toDateTime(?)"
		args = append(args, *p.since)
	}
	if p.until != nil {
		where += " AND published <= toDateTime(?)"
		args = append(args, *p.until)
	}
	query := "SELECT toUInt32(toStartOfMinute(published)) AS m, count() FROM " + b.cfg.database + ".pivots_local WHERE " +
		where + " GROUP BY m"
	perShard := make([]map[int64]uint64, len(b.shards))
	errs := make([]error, len(b.shards))
	var wg sync.WaitGroup
	for i, conn := range b.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			perShard[i], errs[i] = b.minuteCounts(ctx, conn, query, args)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("pivots: %w", err)
	}
	minutes := map[int64]uint64{}
	for _, counts := range perShard {
		for m, n := range counts {
			minutes[m] += n
		}
	}
	fine := make([]span, 0, len(minutes))
	for m, n := range minutes {
		fine = append(fine, span{from: m, to: min(m+60, maxDateTime+1), rows: n})
	}
	slices.SortFunc(fine, func(x, y span) int { return cmp.Compare(x.from, y.from) })
	return b.mergeSpans(fine, desc), nil
}

// minuteCounts runs a query of (minute, count) rows on one server.
func (b *Backend) minuteCounts(ctx context.Context, conn driver.Conn, query string, args []any) (map[int64]uint64, error) {
	rows, err := conn.Query(b.ctx(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]uint64{}
	for rows.Next() {
		var m uint32
		var n uint64
		if err := rows.Scan(&m, &n); err != nil {
			return nil, err
		}
		out[int64(m)] += n
	}
	return out, rows.Err()
}

// spans divides the rows of p into spans of time of about sliceRows rows
// (at most: the rows its narrow columns select),
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
			&frag{SQL: "published >= toDateTime(?) AND published < toDateTime(?)", Args: []any{h.from, h.to}})
		if err != nil {
			return nil, err
		}
		fine = append(fine, minutes...)
	}
	return b.mergeSpans(fine, desc), nil
}

// mergeSpans joins neighbouring spans (oldest first) while they hold at
// most sliceRows rows together, and returns them in the order of the
// search.
func (b *Backend) mergeSpans(fine []span, desc bool) []span {
	var out []span
	for _, s := range fine {
		if n := len(out); n > 0 && out[n-1].rows+s.rows <= b.limits.sliceRows {
			out[n-1].to, out[n-1].rows = s.to, out[n-1].rows+s.rows
			continue
		}
		out = append(out, s)
	}
	if desc {
		slices.Reverse(out)
	}
	return out
}

// countBy counts the rows of p by the start of each unit (an expression
// of published, width seconds), oldest first. It counts the rows the
// narrow columns select, a bound on the rows of p: the condition on the
// JSON would cost a pass over the JSON, which the search then makes once.
func (b *Backend) countBy(ctx context.Context, p *plan, unit string, width int64, within *frag) ([]span, error) {
	var extra []frag
	if within != nil {
		extra = append(extra, *within)
	}
	narrow := &plan{where: p.where}
	where, args := narrow.whereSQL(extra...)
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
	// One query when the pivots say the rows are few; else, without
	// pivots, one query unless the primary key leaves many rows to read.
	settings := ch.Settings{"max_rows_to_read": b.limits.fewRows}
	if p.pivots != nil {
		spans, err := b.pivotSpans(ctx, p, q.Desc)
		if err != nil {
			return err
		}
		if len(spans) <= 1 {
			settings = sortSettings
		}
	}
	sent, err := b.emitRows(ctx, query, args, settings, emit,
		func(k *rowKey, raw *[]byte) []any { return []any{&k.received, &k.uuid, raw} })
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
			extra = append(extra, frag{SQL: "(received, uuid) " + op + " (?, ?)", Args: []any{after.received, after.uuid}})
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
		var raw []byte
		if err := rows.Scan(&p.received, &p.uuid, &t, &raw); err != nil {
			return nil, err
		}
		p.second = uint32(t.Unix())
		out[p] = raw
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
