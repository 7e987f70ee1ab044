// Package ordered is the pipeline the backends' searches share: rows are
// read on one goroutine in batches, each batch is processed (the events
// decoded and matched) on one of several workers, and the batches reach
// the caller in the order they were read, each once processed. Memory
// stays bounded by the batches in flight.
package ordered

import (
	"context"
	"runtime"
	"sync"
)

// Batch sizes: the first batches are small and grow to MaxBatch, for a
// quick first result and little processed in vain when the caller wants
// only a few.
const (
	FirstBatch = 8
	MaxBatch   = 64
	inFlight   = 8 // batches between the reader and the caller
)

// NextBatch is the size of the batch after one of n rows.
func NextBatch(n int) int { return min(2*n, MaxBatch) }

// Pipeline runs one search's reader and workers.
type Pipeline[B any] struct {
	ordered chan *item[B] // to the caller, in read order
	work    chan *item[B] // to the workers
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	readErr error // set by the reader before it closes ordered
}

type item[B any] struct {
	batch B
	done  chan struct{} // closed once processed
}

// Start runs read on a goroutine of its own and process on GOMAXPROCS
// others. read passes each batch to send, in order, and stops when send
// returns false (the pipeline was stopped); its error is Stop's. process
// is not called on a batch read after the pipeline stopped.
func Start[B any](ctx context.Context, read func(ctx context.Context, send func(B) bool) error, process func(B)) *Pipeline[B] {
	ctx, cancel := context.WithCancel(ctx)
	p := &Pipeline[B]{
		ordered: make(chan *item[B], inFlight),
		work:    make(chan *item[B], inFlight),
		cancel:  cancel,
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	p.wg.Add(1 + workers)
	go func() {
		defer p.wg.Done()
		defer close(p.work)
		defer close(p.ordered)
		p.readErr = read(ctx, func(b B) bool { return p.send(ctx, b) })
	}()
	for range workers {
		go func() {
			defer p.wg.Done()
			for it := range p.work {
				if ctx.Err() == nil { // else nobody reads this batch
					process(it.batch)
				}
				close(it.done)
			}
		}()
	}
	return p
}

// send hands b to the workers and to the caller, unless the pipeline
// stopped.
func (p *Pipeline[B]) send(ctx context.Context, b B) bool {
	it := &item[B]{batch: b, done: make(chan struct{})}
	select {
	case p.ordered <- it:
	case <-ctx.Done():
		return false
	}
	p.work <- it // never blocks for long: workers drain it until it closes
	return true
}

// Next returns the next batch in read order once processed, and false
// after the last.
func (p *Pipeline[B]) Next() (B, bool) {
	it, ok := <-p.ordered
	if !ok {
		var zero B
		return zero, false
	}
	<-it.done
	return it.batch, true
}

// Stop ends the pipeline, waits for its goroutines and returns read's
// error.
func (p *Pipeline[B]) Stop() error {
	p.cancel()
	for it := range p.ordered { // unblock the reader
		<-it.done
	}
	p.wg.Wait()
	return p.readErr
}
