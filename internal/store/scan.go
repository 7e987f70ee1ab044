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
// (nil where the row did not match).
type scanBatchRows struct {
	positions []position
	raws      [][]byte
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

// scan starts reading rows (published, id, raw JSON) and decoding them,
// keeping the events for which match is true.
func scan(ctx context.Context, rows *sql.Rows, match func(*logevent.Event) bool) *scanner {
	ctx, cancel := context.WithCancel(ctx)
	sc := &scanner{
		ordered: make(chan *scanBatchRows, scanInFlight),
		work:    make(chan *scanBatchRows, scanInFlight),
		cancel:  cancel,
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	sc.wg.Add(1 + workers)
	go sc.read(ctx, rows)
	for range workers {
		go sc.decode(ctx, match)
	}
	return sc
}

func (sc *scanner) read(ctx context.Context, rows *sql.Rows) {
	defer sc.wg.Done()
	defer close(sc.work)
	defer close(sc.ordered)
	defer rows.Close()
	// Small first batches, growing: a quick first result, and little
	// decoded in vain when the caller wants only a few.
	b := newScanBatch(8)
	for rows.Next() {
		var pos position
		var raw driverBytes
		if err := rows.Scan(&pos.published, &pos.id, &raw); err != nil {
			sc.readErr = err
			return
		}
		b.positions, b.raws = append(b.positions, pos), append(b.raws, []byte(raw))
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
	return &scanBatchRows{positions: make([]position, 0, n), raws: make([][]byte, 0, n), done: make(chan struct{})}
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

func (sc *scanner) decode(ctx context.Context, match func(*logevent.Event) bool) {
	defer sc.wg.Done()
	for b := range sc.work {
		b.events = make([]*logevent.Event, len(b.raws))
		if ctx.Err() != nil { // the search ended: nobody reads this batch
			close(b.done)
			continue
		}
		for i, raw := range b.raws {
			e, err := logevent.Decode(raw)
			if err != nil {
				b.err = fmt.Errorf("event of row %d: %w", b.positions[i].id, err)
				break
			}
			if match(e) {
				b.events[i] = e
			}
		}
		close(b.done)
	}
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
