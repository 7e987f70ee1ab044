package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/ordered"
)

// Decoding an event's JSON costs about as much as reading its row, so a
// search reads rows on one goroutine and decodes (and tests the residual
// filter) on others, delivering results in order: batches of rows go to
// the workers and, in the same order, to the caller, who waits for each to
// be decoded. Memory stays bounded by the batches in flight.

// scanBatchRows holds rows read and, once processed, their events (nil
// where the row did not match). A row's JSON is in raws, or (raws[i] nil)
// in blocks[i].
type scanBatchRows struct {
	positions []position
	raws      [][]byte
	blocks    []*block
	events    []*logevent.Event
	err       error
}

// scanner runs the reader and decoding goroutines of one search
// (internal/ordered).
type scanner struct {
	p *ordered.Pipeline[*scanBatchRows]
}

// scan starts reading rows (published, id, the raw JSON or NULL, and the
// id, n and data of the event's block or NULLs: see selectSQL) and
// decoding them, keeping the events for which match is true. JSON the rows
// do not hold comes from src's blocks.
func scan(ctx context.Context, rows *sql.Rows, src *rawSource, c *codec, match *rowMatch) *scanner {
	read := func(ctx context.Context, send func(*scanBatchRows) bool) error {
		return readRows(ctx, rows, src, send)
	}
	return &scanner{p: ordered.Start(ctx, read, func(b *scanBatchRows) { b.decode(c, match) })}
}

func readRows(ctx context.Context, rows *sql.Rows, src *rawSource, send func(*scanBatchRows) bool) error {
	defer rows.Close()
	b := newScanBatch(ordered.FirstBatch)
	for rows.Next() {
		var pos position
		var raw, data driverBytes
		var blockID, blockN sql.NullInt64
		if err := rows.Scan(&pos.published, &pos.id, &raw, &blockID, &blockN, &data); err != nil {
			return err
		}
		var blk *block
		var err error
		switch {
		case raw != nil:
		case blockID.Valid:
			blk, err = src.fromRow(blockID.Int64, int(blockN.Int64), data, pos.id)
		default:
			raw, blk, err = src.get(ctx, pos.id)
		}
		if err != nil {
			if ctx.Err() != nil { // the search ended
				return nil
			}
			return err
		}
		b.positions, b.raws, b.blocks = append(b.positions, pos), append(b.raws, []byte(raw)), append(b.blocks, blk)
		if len(b.raws) == cap(b.raws) {
			if !send(b) {
				return nil
			}
			b = newScanBatch(ordered.NextBatch(cap(b.raws)))
		}
	}
	err := rows.Err()
	if len(b.raws) > 0 {
		send(b)
	}
	return err
}

// driverBytes takes a column's bytes as the driver returns them, where a
// *[]byte would have database/sql copy them once more: modernc.org/sqlite
// returns every blob as a new slice of its own (conn.columnBlob), so it
// stays valid after the next row. (A driver that reused its buffer would
// break every search's bytes, which the store's tests compare with their
// input.) For a scan of the whole store that is 2 GB per million events
// neither allocated nor copied.
type driverBytes []byte

func (b *driverBytes) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		*b = v
	case string:
		*b = []byte(v)
	case nil:
		*b = nil
	default:
		return fmt.Errorf("raw JSON of type %T", src)
	}
	return nil
}

func newScanBatch(n int) *scanBatchRows {
	return &scanBatchRows{positions: make([]position, 0, n), raws: make([][]byte, 0, n), blocks: make([]*block, 0, n)}
}

// decode decodes the batch's rows, keeping the events that match.
func (b *scanBatchRows) decode(c *codec, match *rowMatch) {
	b.events = make([]*logevent.Event, len(b.raws))
	for i, raw := range b.raws {
		e, err := decodeRow(c, match, raw, b.blocks[i], b.positions[i].id)
		if err != nil {
			b.err = fmt.Errorf("event of row %d: %w", b.positions[i].id, err)
			return
		}
		b.events[i] = e
	}
}

// rowMatch is what a search keeps of the rows SQL returns: those whose JSON
// may match (prefilter, nil: all) and then whose event matches.
type rowMatch struct {
	prefilter *prefilter
	event     func(*logevent.Event) bool
	// every is set when the search delivers every row SQL returns (no
	// condition tested in Go): the events of a block all reach the caller,
	// so they share its bytes instead of each taking a copy.
	every bool
}

// decodeRow decodes the event of a row (JSON in raw, or in blk) and
// returns it if it matches, else nil. JSON from a block is copied, so
// that an event the caller keeps does not keep its whole block, unless
// the search delivers every event (m.every): then the block's other
// events are delivered too, and the copies were a third of what a scan
// of the whole store allocates (docs/decisions.md).
func decodeRow(c *codec, m *rowMatch, raw []byte, blk *block, id int64) (*logevent.Event, error) {
	if blk != nil {
		var err error
		if raw, err = blk.event(c, id); err != nil {
			return nil, err
		}
	}
	if !m.prefilter.mayMatch(raw) {
		return nil, nil
	}
	if blk != nil && !m.every {
		raw = bytes.Clone(raw)
	}
	e, err := logevent.Decode(raw)
	if err != nil || !m.event(e) {
		return nil, err
	}
	return e, nil
}

// next returns the next decoded batch, or nil at the end.
func (sc *scanner) next() *scanBatchRows {
	b, _ := sc.p.Next()
	return b
}

// stop ends the search and waits for its goroutines; it returns the
// reader's error, if any.
func (sc *scanner) stop() error {
	return sc.p.Stop()
}
