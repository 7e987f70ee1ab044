package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Decoding an event's JSON costs about as much as reading its row, so a
// search reads rows on one goroutine and decodes (and tests the residual
// filter) on others, delivering results in order: batches of rows go to
// the workers and, in the same order, to the caller, who waits for each to
// be decoded. Memory stays bounded by the batches in flight.

const (
	scanBatch    = 64 // rows per batch
	scanInFlight = 8  // batches between reader and caller
)

// scanBatchRows holds rows read and, once done is closed, their events
// (nil where the row did not match). A row's JSON is in raws, or (raws[i]
// nil) in blocks[i].
type scanBatchRows struct {
	positions []position
	raws      [][]byte
	blocks    []*block
	events    []*logevent.Event
	err       error
	done      chan struct{}
}

// scanner runs the reader and decoding goroutines of one search.
type scanner struct {
	ordered chan *scanBatchRows // to the caller, in row order
	work    chan *scanBatchRows // to the workers
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	readErr error // set by the reader before it closes ordered
}

// scan starts reading rows (published, id, the raw JSON or NULL, and the
// id, n and data of the event's block or NULLs: see selectSQL) and
// decoding them, keeping the events for which match is true. JSON the rows
// do not hold comes from src's blocks.
func scan(ctx context.Context, rows *sql.Rows, src *rawSource, c *codec, match *rowMatch) *scanner {
	ctx, cancel := context.WithCancel(ctx)
	sc := &scanner{
		ordered: make(chan *scanBatchRows, scanInFlight),
		work:    make(chan *scanBatchRows, scanInFlight),
		cancel:  cancel,
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	sc.wg.Add(1 + workers)
	go sc.read(ctx, rows, src)
	for range workers {
		go sc.decode(ctx, c, match)
	}
	return sc
}

func (sc *scanner) read(ctx context.Context, rows *sql.Rows, src *rawSource) {
	defer sc.wg.Done()
	defer close(sc.work)
	defer close(sc.ordered)
	defer rows.Close()
	// Small first batches, growing: a quick first result, and little
	// decoded in vain when the caller wants only a few.
	b := newScanBatch(8)
	for rows.Next() {
		var pos position
		var raw, data driverBytes
		var blockID, blockN sql.NullInt64
		if err := rows.Scan(&pos.published, &pos.id, &raw, &blockID, &blockN, &data); err != nil {
			sc.readErr = err
			return
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
			if ctx.Err() == nil { // else the search ended
				sc.readErr = err
			}
			return
		}
		b.positions, b.raws, b.blocks = append(b.positions, pos), append(b.raws, []byte(raw)), append(b.blocks, blk)
		if len(b.raws) == cap(b.raws) {
			if !sc.send(ctx, b) {
				return
			}
			b = newScanBatch(min(2*cap(b.raws), scanBatch))
		}
	}
	sc.readErr = rows.Err()
	if len(b.raws) > 0 {
		sc.send(ctx, b)
	}
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
	return &scanBatchRows{positions: make([]position, 0, n), raws: make([][]byte, 0, n), blocks: make([]*block, 0, n), done: make(chan struct{})}
}

// send hands b to the workers and to the caller, unless the search ended.
func (sc *scanner) send(ctx context.Context, b *scanBatchRows) bool {
	select {
	case sc.ordered <- b:
	case <-ctx.Done():
		return false
	}
	sc.work <- b // never blocks for long: workers drain it until it closes
	return true
}

func (sc *scanner) decode(ctx context.Context, c *codec, match *rowMatch) {
	defer sc.wg.Done()
	for b := range sc.work {
		b.events = make([]*logevent.Event, len(b.raws))
		if ctx.Err() != nil { // the search ended: nobody reads this batch
			close(b.done)
			continue
		}
		for i, raw := range b.raws {
			e, err := decodeRow(c, match, raw, b.blocks[i], b.positions[i].id)
			if err != nil {
				b.err = fmt.Errorf("event of row %d: %w", b.positions[i].id, err)
				break
			}
			b.events[i] = e
		}
		close(b.done)
	}
}

// rowMatch is what a search keeps of the rows SQL returns: those whose JSON
// may match (prefilter, nil: all) and then whose event matches.
type rowMatch struct {
	prefilter *prefilter
	event     func(*logevent.Event) bool
}

// decodeRow decodes the event of a row (JSON in raw, or in blk) and
// returns it if it matches, else nil. JSON from a block is copied, so
// that an event the caller keeps does not keep its whole block.
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
	if blk != nil {
		raw = append([]byte(nil), raw...)
	}
	e, err := logevent.Decode(raw)
	if err != nil || !m.event(e) {
		return nil, err
	}
	return e, nil
}

// next returns the next decoded batch, or nil at the end.
func (sc *scanner) next() *scanBatchRows {
	b, ok := <-sc.ordered
	if !ok {
		return nil
	}
	<-b.done
	return b
}

// stop ends the search and waits for its goroutines; it returns the
// reader's error, if any.
func (sc *scanner) stop() error {
	sc.cancel()
	for range sc.ordered { // unblock the reader
	}
	sc.wg.Wait()
	return sc.readErr
}
