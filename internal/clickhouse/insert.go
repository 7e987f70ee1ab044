package clickhouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/go-faster/city"
	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// insertColumns are the columns Insert writes, in rowValues' order.
const insertColumns = `published, published_ns, received, uuid, event_type, severity, display_message,
actor_id, actor_alternate_id, actor_display_name, actor_type, user_key,
target_id, target_alternate_id, target_type, client_ip, user_agent, city, country,
session_id, outcome_result, outcome_reason, raw_form, raw`

// Bits of raw_form.
const (
	rawNotVerbatim = 1 // pushdown.Form's Verbatim is false
	rawNotASCII    = 2 // pushdown.Form's ASCII is false
)

// rowValues are e's values of insertColumns.
func rowValues(e *logevent.Event, received uint64) []any {
	ids := make([]string, len(e.Target))
	alts := make([]string, len(e.Target))
	types := make([]string, len(e.Target))
	for i, t := range e.Target {
		ids[i], alts[i], types[i] = t.ID, t.AlternateID, t.Type
	}
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
	a, c := e.Actor, e.Client
	return []any{
		dateTime(e.Time), unixNanos(e.Time), received, e.UUID, e.EventType, e.Severity, e.DisplayMessage,
		a.ID, a.AlternateID, a.DisplayName, a.Type, userKey,
		ids, alts, types, c.IPAddress, c.UserAgent.RawUserAgent, c.GeographicalContext.City, c.GeographicalContext.Country,
		e.AuthenticationContext.ExternalSessionID, e.Outcome.Result, e.Outcome.Reason, form, e.Raw,
	}
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
	if sameContent(e.Raw, stored) {
		r.Duplicates++
	} else {
		r.Conflicts = append(r.Conflicts, backend.Conflict{Index: i, Stored: stored})
	}
}

// sameContent reports whether two events' JSON hold the same content:
// white space and the order of keys do not count.
func sameContent(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
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
			if prev, ok := found[uuid]; !ok || !sameContent(prev, want[uuid]) {
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
	batch, err := ext.NewTable("_batch", ext.Column("uuid", "String"), ext.Column("key", "String"))
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := batch.Append(e.UUID, uuidPivotKey(e.UUID)); err != nil {
			return err
		}
	}
	q := "SELECT uuid, " + expr + " FROM " + b.events +
		" WHERE published IN (SELECT published FROM " + b.pivots + " WHERE kind = 0 AND key IN (SELECT key FROM _batch))" +
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

// write stores events through the Distributed table, synchronously (the
// INSERT returns when every shard holds its rows), numbering them in
// insertion order.
func (b *Backend) write(ctx context.Context, events []*logevent.Event) error {
	if len(events) == 0 {
		return nil
	}
	batch, err := b.conn.PrepareBatch(b.ctx(ctx, ch.Settings{"insert_distributed_sync": 1}),
		"INSERT INTO "+b.events+" ("+insertColumns+")")
	if err != nil {
		return err
	}
	// received follows the clock where it can, so that another process
	// inserting later numbers its events after these.
	next := max(b.received+1, uint64(time.Now().UnixNano()))
	for i, e := range events {
		if err := batch.Append(rowValues(e, next+uint64(i))...); err != nil {
			batch.Abort()
			return fmt.Errorf("event %s: %w", e.UUID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return err
	}
	b.received = next + uint64(len(events)) - 1
	return nil
}
