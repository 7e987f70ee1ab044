package clickhouse

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/oktascope/oktascope/internal/logevent"
)

// A search reads rows on one goroutine, decodes them (and tests what Go
// decides) on others, and delivers the matches in row order on the
// caller's: batches of rows go to the workers and, in the same order, to
// the caller, who waits for each to be decoded. Memory stays bounded by the
// batches in flight.

const (
	scanBatch    = 64 // rows per batch, at most
	scanInFlight = 8  // batches between reader and caller
)

// rowKey is a row's position: published_ns or received, and uuid.
type rowKey struct {
	published int64
	received  uint64
	uuid      string
}

// emitFunc passes a row to the scanner; false means the search ended.
type emitFunc func(k rowKey, raw []byte) bool

// rowBatch holds rows read and, once done is closed, their events (nil
// where the row did not match).
type rowBatch struct {
	keys   []rowKey
	raws   [][]byte
	events []*logevent.Event
	err    error
	done   chan struct{}
}

func newRowBatch(n int) *rowBatch {
	return &rowBatch{keys: make([]rowKey, 0, n), raws: make([][]byte, 0, n), done: make(chan struct{})}
}

// scanner runs the reader and decoding goroutines of one search.
type scanner struct {
	ordered chan *rowBatch // to the caller, in row order
	work    chan *rowBatch // to the workers
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	readErr error // set by the reader before it closes ordered
}

// startScan runs produce, which emits the rows of a search in order, and
// decodes them, keeping the events for which match is true.
func startScan(ctx context.Context, match func(*logevent.Event) bool, produce func(context.Context, emitFunc) error) *scanner {
	ctx, cancel := context.WithCancel(ctx)
	sc := &scanner{
		ordered: make(chan *rowBatch, scanInFlight),
		work:    make(chan *rowBatch, scanInFlight),
		cancel:  cancel,
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	sc.wg.Add(1 + workers)
	go sc.read(ctx, produce)
	for range workers {
		go sc.decode(ctx, match)
	}
	return sc
}

func (sc *scanner) read(ctx context.Context, produce func(context.Context, emitFunc) error) {
	defer sc.wg.Done()
	defer close(sc.work)
	defer close(sc.ordered)
	// Small first batches, growing: a quick first result, and little
	// decoded in vain when the caller wants only a few.
	b := newRowBatch(8)
	emit := func(k rowKey, raw []byte) bool {
		b.keys, b.raws = append(b.keys, k), append(b.raws, raw)
		if len(b.raws) < cap(b.raws) {
			return true
		}
		if !sc.send(ctx, b) {
			return false
		}
		b = newRowBatch(min(2*cap(b.raws), scanBatch))
		return true
	}
	sc.readErr = produce(ctx, emit)
	if len(b.raws) > 0 && ctx.Err() == nil {
		sc.send(ctx, b)
	}
}

// send hands b to the workers and to the caller, unless the search ended.
func (sc *scanner) send(ctx context.Context, b *rowBatch) bool {
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
				b.err = fmt.Errorf("event %q: %w", b.keys[i].uuid, err)
				break
			}
			if match(e) {
				b.events[i] = e
			}
		}
		close(b.done)
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
	for b := range sc.ordered {
		<-b.done
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
	sc.cancel()
	for b := range sc.ordered { // unblock the reader
		<-b.done
	}
	sc.wg.Wait()
	if sc.readErr == context.Canceled {
		return nil
	}
	return sc.readErr
}
