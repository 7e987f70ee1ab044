package clickhouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/go-faster/city"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// insertColumns are the columns Insert writes, in eventColumns' order.
const insertColumns = `published, published_ns, received, uuid, event_type, severity, display_message,
actor_id, actor_alternate_id, actor_display_name, actor_type, user_key,
target_id, target_alternate_id, target_type, client_ip, user_agent, city, country,
session_id, outcome_result, outcome_reason, raw_form, raw`

// rawColumn is raw's index in insertColumns.
const rawColumn = 23

// Bits of raw_form.
const (
	rawNotVerbatim = 1 // pushdown.Form's Verbatim is false
	rawNotASCII    = 2 // pushdown.Form's ASCII is false
)

// eventColumns are the values of insertColumns but raw for a block of
// events, column by column (which the client encodes without a type
// switch per value); raw goes to its column row by row, as bytes (the
// client's column takes a [][]byte only through a string copy of each).
// Its slices are reused from block to block.
type eventColumns struct {
	published, publishedNs []int64
	received               []uint64
	uuid, eventType, severity, displayMessage,
	actorID, actorAlternateID, actorDisplayName, actorType, userKey []string
	targetID, targetAlternateID, targetType                                   [][]string
	clientIP, userAgent, city, country, session, outcomeResult, outcomeReason []string
	rawForm                                                                   []uint8
	// targets backs the block's target arrays.
	targets []string
}

// add appends e's values.
func (c *eventColumns) add(e *logevent.Event, received uint64) {
	n := len(e.Target)
	start := len(c.targets)
	for _, t := range e.Target {
		c.targets = append(c.targets, t.ID)
	}
	for _, t := range e.Target {
		c.targets = append(c.targets, t.AlternateID)
	}
	for _, t := range e.Target {
		c.targets = append(c.targets, t.Type)
	}
	ts := c.targets[start:len(c.targets):len(c.targets)]
	var form uint8
	f := pushdown.Form(e)
	if !f.Verbatim {
		form |= rawNotVerbatim
	}
	if !f.ASCII {
		form |= rawNotASCII
	}
	userKey := ""
	if a, ok := e.ActingUser(); ok {
		userKey = a.Key()
	}
	a, cl := e.Actor, e.Client
	c.published = append(c.published, dateTime(e.Time))
	c.publishedNs = append(c.publishedNs, unixNanos(e.Time))
	c.received = append(c.received, received)
	c.uuid = append(c.uuid, e.UUID)
	c.eventType = append(c.eventType, e.EventType)
	c.severity = append(c.severity, e.Severity)
	c.displayMessage = append(c.displayMessage, e.DisplayMessage)
	c.actorID = append(c.actorID, a.ID)
	c.actorAlternateID = append(c.actorAlternateID, a.AlternateID)
	c.actorDisplayName = append(c.actorDisplayName, a.DisplayName)
	c.actorType = append(c.actorType, a.Type)
	c.userKey = append(c.userKey, userKey)
	c.targetID = append(c.targetID, ts[:n:n])
	c.targetAlternateID = append(c.targetAlternateID, ts[n:2*n:2*n])
	c.targetType = append(c.targetType, ts[2*n:])
	c.clientIP = append(c.clientIP, cl.IPAddress)
	c.userAgent = append(c.userAgent, cl.UserAgent.RawUserAgent)
	c.city = append(c.city, cl.GeographicalContext.City)
	c.country = append(c.country, cl.GeographicalContext.Country)
	c.session = append(c.session, e.AuthenticationContext.ExternalSessionID)
	c.outcomeResult = append(c.outcomeResult, e.Outcome.Result)
	c.outcomeReason = append(c.outcomeReason, e.Outcome.Reason)
	c.rawForm = append(c.rawForm, form)
}

// appendTo appends the columns to a batch of insertColumns (all but raw,
// the last) and empties them, keeping their memory.
func (c *eventColumns) appendTo(batch driver.Batch) error {
	var errs []error
	for i, col := range []any{c.published, c.publishedNs, c.received, c.uuid, c.eventType, c.severity, c.displayMessage,
		c.actorID, c.actorAlternateID, c.actorDisplayName, c.actorType, c.userKey,
		c.targetID, c.targetAlternateID, c.targetType, c.clientIP, c.userAgent, c.city, c.country,
		c.session, c.outcomeResult, c.outcomeReason, c.rawForm} {
		errs = append(errs, batch.Column(i).Append(col))
	}
	c.published, c.publishedNs, c.received = c.published[:0], c.publishedNs[:0], c.received[:0]
	for _, s := range []*[]string{&c.uuid, &c.eventType, &c.severity, &c.displayMessage,
		&c.actorID, &c.actorAlternateID, &c.actorDisplayName, &c.actorType, &c.userKey,
		&c.clientIP, &c.userAgent, &c.city, &c.country, &c.session, &c.outcomeResult, &c.outcomeReason, &c.targets} {
		*s = (*s)[:0]
	}
	c.targetID, c.targetAlternateID, c.targetType = c.targetID[:0], c.targetAlternateID[:0], c.targetType[:0]
	c.rawForm = c.rawForm[:0]
	return errors.Join(errs...)
}

// The seconds a DateTime holds without trouble on 18.16 (its largest
// value prints wrong).
const (
	minDateTime = 0
	maxDateTime = 4291747199 // 2105-12-31T23:59:59Z
)

// dateTime is the column published: t's second, clamped.
func dateTime(t time.Time) int64 {
	return min(max(t.Unix(), minDateTime), maxDateTime)
}

// unixNanos is t in Unix nanoseconds, clamped to the int64 range (which
// keeps the order of any in-range instant against any clamped one).
func unixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// secondOf is the published column's value for an instant in Unix
// nanoseconds (floor, clamped).
func secondOf(ns int64) int64 {
	s := ns / 1e9
	if ns%1e9 < 0 {
		s--
	}
	return min(max(s, minDateTime), maxDateTime)
}

// Insert stores the events, each at most once by uuid: an event whose
// uuid is already stored (or earlier in the call) is a duplicate when its
// content is the same, a conflict otherwise. The events are written, on
// every shard, when Insert returns.
func (b *Backend) Insert(ctx context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	var res backend.InsertResult
	for _, e := range events {
		if e.UUID == "" || e.EventType == "" || e.Time.IsZero() {
			return res, fmt.Errorf("clickhouse: insert: event without uuid, eventType or time (use logevent.Decode): %.100q", e.Raw)
		}
	}
	if len(events) == 0 {
		return res, nil
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.closed {
		return res, errors.New("clickhouse: insert: backend is closed")
	}
	// Each uuid's first event in the call, looked up; the held event of a
	// uuid is the stored one, or else its first event, which goes in.
	first := make(map[string]int, len(events))
	var lookup []*logevent.Event
	for i, e := range events {
		if _, seen := first[e.UUID]; !seen {
			first[e.UUID] = i
			lookup = append(lookup, e)
		}
	}
	stored, err := b.storedRaws(ctx, lookup)
	if err != nil {
		return backend.InsertResult{}, fmt.Errorf("clickhouse: insert: find duplicates: %w", err)
	}
	var fresh []*logevent.Event
	for i, e := range events {
		switch held, ok := stored[e.UUID]; {
		case ok:
			skip(&res, i, e, held)
		case first[e.UUID] == i:
			fresh = append(fresh, e)
		default:
			skip(&res, i, e, events[first[e.UUID]].Raw)
		}
	}
	if err := b.write(ctx, fresh); err != nil {
		return backend.InsertResult{}, fmt.Errorf("clickhouse: insert: %w", err)
	}
	res.Inserted = len(fresh)
	return res, nil
}

// skip counts event i, whose uuid is held with the JSON stored, as a
// duplicate or a conflict.
func skip(r *backend.InsertResult, i int, e *logevent.Event, stored []byte) {
	if backend.SameContent(e.Raw, stored) {
		r.Duplicates++
	} else {
		r.Conflicts = append(r.Conflicts, backend.Conflict{Index: i, Stored: stored})
	}
}

// lookupChunk is the most uuids one query of storedRaws looks up.
const lookupChunk = 20000

// storedRaws returns the stored JSON of the events' uuids that are
// stored. It finds them through the uuid pivots and compares hashes of
// the JSON first, reading the JSON itself only where they differ.
func (b *Backend) storedRaws(ctx context.Context, events []*logevent.Event) (map[string][]byte, error) {
	found := map[string][]byte{}
	for start := 0; start < len(events); start += lookupChunk {
		chunk := events[start:min(start+lookupChunk, len(events))]
		want := make(map[string][]byte, len(chunk))
		for _, e := range chunk {
			want[e.UUID] = e.Raw
		}
		hashes := map[string][]uint64{}
		err := b.lookupUUIDs(ctx, chunk, "cityHash64(raw)", func(uuid string, v any) {
			hashes[uuid] = append(hashes[uuid], v.(uint64))
		})
		if err != nil {
			return nil, err
		}
		var differ []*logevent.Event
		for uuid, hs := range hashes {
			raw := want[uuid]
			h := city.CH64(raw)
			same := false
			for _, stored := range hs {
				same = same || stored == h
			}
			if same {
				found[uuid] = raw
			} else {
				differ = append(differ, &logevent.Event{Raw: raw, LogEvent: logevent.LogEvent{UUID: uuid}})
			}
		}
		if len(differ) == 0 {
			continue
		}
		err = b.lookupUUIDs(ctx, differ, "raw", func(uuid string, v any) {
			raw := []byte(v.(string))
			if prev, ok := found[uuid]; !ok || !backend.SameContent(prev, want[uuid]) {
				found[uuid] = raw // a stored copy with the same content wins
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}

// lookupUUIDs calls fn with the uuid and the value of expr (a UInt64 or a
// String) of each stored row of the events' uuids. The uuids go to the
// servers as an external table; each shard finds their seconds in its
// pivots, then the rows by the primary key.
func (b *Backend) lookupUUIDs(ctx context.Context, events []*logevent.Event, expr string, fn func(uuid string, v any)) error {
	if len(events) == 0 {
		return nil
	}
	batch, err := ext.NewTable("_batch", ext.Column("uuid", "String"), ext.Column("kind", "UInt8"), ext.Column("key", "UInt64"))
	if err != nil {
		return err
	}
	for _, e := range events {
		kind, key := pivotKey(pivotUUID, e.UUID)
		if err := batch.Append(e.UUID, kind, key); err != nil {
			return err
		}
	}
	q := "SELECT uuid, " + expr + " FROM " + b.events +
		" WHERE published IN (SELECT published FROM " + b.pivots + " WHERE (kind, key) IN (SELECT kind, key FROM _batch))" +
		" AND uuid IN (SELECT uuid FROM _batch)"
	rows, err := b.conn.Query(ch.Context(b.ctx(ctx), ch.WithExternalTable(batch)), q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uuid string
		var v any
		if expr == "raw" {
			var s string
			err = rows.Scan(&uuid, &s)
			v = s
		} else {
			var h uint64
			err = rows.Scan(&uuid, &h)
			v = h
		}
		if err != nil {
			return err
		}
		fn(uuid, v)
	}
	return rows.Err()
}

// write stores events on their shards, each shard's pivots first (a
// pivot without its event is harmless, an event without its pivots would
// be missed), the shards at once. It numbers the events in insertion
// order.
func (b *Backend) write(ctx context.Context, events []*logevent.Event) error {
	if len(events) == 0 {
		return nil
	}
	// received follows the clock where it can, so that another process
	// inserting later numbers its events after these.
	next := max(b.received+1, uint64(time.Now().UnixNano()))
	byShard := make([][]int, len(b.shards))
	for i, e := range events {
		s := b.shardOf(e.UUID)
		byShard[s] = append(byShard[s], i)
	}
	errs := make([]error, len(b.shards))
	var wg sync.WaitGroup
	for s, idx := range byShard {
		if len(idx) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[s] = b.writeShard(ctx, s, events, idx, next)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	b.received = next + uint64(len(events)) - 1
	return nil
}

// writeShard writes the events at idx (numbered from next by their index)
// and their pivots on shard s. The rows go sorted by each table's primary
// key, which the server then does not sort again (a sorted block is
// written as it is).
func (b *Backend) writeShard(ctx context.Context, s int, events []*logevent.Event, idx []int, next uint64) error {
	conn := b.shards[s]
	pivots := make([]pivotRow, 0, 8*len(idx))
	for _, i := range idx {
		pivots = appendPivots(pivots, events[i])
	}
	slices.SortFunc(pivots, pivotRow.compare)
	pivots = slices.Compact(pivots)
	batch, err := conn.PrepareBatch(b.ctx(ctx), "INSERT INTO "+b.cfg.database+".pivots_local (kind, key, published)")
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(pivots, flushRows) {
		kinds, keys, secs := make([]uint8, len(chunk)), make([]uint64, len(chunk)), make([]int64, len(chunk))
		for i, p := range chunk {
			kinds[i], keys[i], secs[i] = p.kind(), p.key(), p.sec()
		}
		err := errors.Join(batch.Column(0).Append(kinds), batch.Column(1).Append(keys), batch.Column(2).Append(secs))
		if err == nil && len(chunk) == flushRows {
			err = batch.Flush()
		}
		if err != nil {
			batch.Abort()
			return fmt.Errorf("pivots: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return err
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(dateTime(events[i].Time), dateTime(events[j].Time)); c != 0 {
			return c
		}
		return strings.Compare(events[i].UUID, events[j].UUID)
	})
	rows, err := conn.PrepareBatch(b.ctx(ctx), "INSERT INTO "+b.cfg.database+".events_local ("+insertColumns+")")
	if err != nil {
		return err
	}
	var cols eventColumns
	raw := rows.Column(rawColumn)
	for n, i := range idx {
		cols.add(events[i], next+uint64(i))
		if err := raw.AppendRow(events[i].Raw); err != nil {
			rows.Abort()
			return fmt.Errorf("events: %w", err)
		}
		if n%flushRows == flushRows-1 || n == len(idx)-1 {
			err := cols.appendTo(rows)
			if err == nil && n < len(idx)-1 {
				err = rows.Flush()
			}
			if err != nil {
				rows.Abort()
				return fmt.Errorf("events: %w", err)
			}
		}
	}
	return rows.Send()
}

// flushRows is the most rows an INSERT sends in one block: the client
// reuses its buffers from block to block (growing one buffer to a whole
// batch's JSON cost more than the server's copy of the blocks), and the
// server gathers the blocks of one INSERT into one part
// (min_insert_block_size_rows).
const flushRows = 2048

// pivotRow is a row of pivots_local (kind, key, published), packed so
// that its order is that of the table's primary key: hi holds the kind
// (3 bits) and the key's upper 61 bits, lo the key's lower 3 bits and the
// second (below 2^61).
type pivotRow struct{ hi, lo uint64 }

func newPivotRow(kind uint8, key uint64, sec int64) pivotRow {
	return pivotRow{uint64(kind)<<61 | key>>3, key<<61 | uint64(sec)}
}

func (p pivotRow) kind() uint8 { return uint8(p.hi >> 61) }
func (p pivotRow) key() uint64 { return p.hi<<3 | p.lo>>61 }
func (p pivotRow) sec() int64  { return int64(p.lo & (1<<61 - 1)) }

func (p pivotRow) compare(q pivotRow) int {
	if p.hi != q.hi {
		return cmp.Compare(p.hi, q.hi)
	}
	return cmp.Compare(p.lo, q.lo)
}

// appendPivots adds e's pivots: its second under each of its indicators.
func appendPivots(rows []pivotRow, e *logevent.Event) []pivotRow {
	sec := dateTime(e.Time)
	add := func(kind uint8, value string) {
		if value != "" {
			kind, key := pivotKey(kind, value)
			rows = append(rows, newPivotRow(kind, key, sec))
		}
	}
	add(pivotUUID, e.UUID)
	add(pivotActorID, e.Actor.ID)
	add(pivotActorAlternateID, e.Actor.AlternateID)
	add(pivotClientIP, e.Client.IPAddress)
	add(pivotSession, e.AuthenticationContext.ExternalSessionID)
	for _, t := range e.Target {
		add(pivotTargetID, t.ID)
		add(pivotTargetAlternateID, t.AlternateID)
	}
	return rows
}
