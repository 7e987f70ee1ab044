package clickhouse

import (
	"context"
	"fmt"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/ordered"
)

// A search reads rows on one goroutine, decodes them (and tests what Go
// decides) on others, and delivers the matches in row order on the
// caller's (internal/ordered).

// rowKey is a row's position: published_ns or received, and uuid.
type rowKey struct {
	published int64
	received  uint64
	uuid      string
}

// emitFunc passes a row to the scanner; false means the search ended.
type emitFunc func(k rowKey, raw []byte) bool

// rowBatch holds rows read and, once processed, their events (nil where
// the row did not match).
type rowBatch struct {
	keys   []rowKey
	raws   [][]byte
	events []*logevent.Event
	err    error
}

func newRowBatch(n int) *rowBatch {
	return &rowBatch{keys: make([]rowKey, 0, n), raws: make([][]byte, 0, n)}
}

// scanner runs the reader and decoding goroutines of one search.
type scanner struct {
	p *ordered.Pipeline[*rowBatch]
}

// startScan runs produce, which emits the rows of a search in order, and
// decodes them, keeping the events for which match is true.
func startScan(ctx context.Context, match func(*logevent.Event) bool, produce func(context.Context, emitFunc) error) *scanner {
	read := func(ctx context.Context, send func(*rowBatch) bool) error {
		b := newRowBatch(ordered.FirstBatch)
		emit := func(k rowKey, raw []byte) bool {
			b.keys, b.raws = append(b.keys, k), append(b.raws, raw)
			if len(b.raws) < cap(b.raws) {
				return true
			}
			if !send(b) {
				return false
			}
			b = newRowBatch(ordered.NextBatch(cap(b.raws)))
			return true
		}
		err := produce(ctx, emit)
		if len(b.raws) > 0 && ctx.Err() == nil {
			send(b)
		}
		return err
	}
	return &scanner{p: ordered.Start(ctx, read, func(b *rowBatch) { b.decode(match) })}
}

// decode decodes the batch's rows, keeping the events that match.
func (b *rowBatch) decode(match func(*logevent.Event) bool) {
	b.events = make([]*logevent.Event, len(b.raws))
	for i, raw := range b.raws {
		e, err := logevent.Decode(raw)
		if err != nil {
			b.err = fmt.Errorf("event %q: %w", b.keys[i].uuid, err)
			return
		}
		if match(e) {
			b.events[i] = e
		}
	}
}

// deliver passes the matching events to fn in order, up to limit (0: all),
// skipping a row whose uuid a row of the same published instant had (two
// copies of one event, before ClickHouse merges them: in published order
// they are among the rows of that instant).
func (sc *scanner) deliver(limit int, fn func(*logevent.Event, rowKey) error) error {
	matched := 0
	var instant int64
	seen := map[string]bool{} // uuids of the rows of instant
	for b, ok := sc.p.Next(); ok; b, ok = sc.p.Next() {
		for i, e := range b.events {
			k := b.keys[i]
			if k.published != instant || len(seen) == 0 {
				instant = k.published
				clear(seen)
			}
			copied := seen[k.uuid]
			seen[k.uuid] = true
			if e == nil || copied {
				continue
			}
			if err := fn(e, k); err != nil {
				return err
			}
			if matched++; matched == limit {
				return nil
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// stop ends the search and waits for its goroutines; it returns the
// reader's error, if any.
func (sc *scanner) stop() error {
	if err := sc.p.Stop(); err != context.Canceled {
		return err
	}
	return nil
}
