package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// run is one Collector.Run in progress. Two goroutines share it: a fetcher
// that requests and decodes pages, one page ahead, and the store loop that
// inserts and checkpoints them; mu guards prog between them.
type run struct {
	c         *Collector
	p         Params
	key       string    // checkpoint key
	next      string    // the URL of the first request
	started   time.Time // when Run started
	notBefore time.Time // pacing: no request before this instant (fetcher only)
	lastRate  rateLimit // the last response's rate-limit headers (fetcher only)
	fetched   int       // pages fetched (fetcher only)
	guard     progressGuard
	finished  bool   // the fetcher reached the end (read after it stopped)
	pending   string // the link of the first page not stored yet (store loop only)

	mu   sync.Mutex
	prog Progress
}

// fetched is a page handed from the fetcher to the store loop, or the error
// that stopped the fetcher.
type fetched struct {
	page *page
	err  error
}

// loop stores pages as the fetcher delivers them: while page N is being
// inserted, page N+1 is requested and decoded. It returns once the fetcher
// has stopped, so nothing runs after Run returns.
//
// It returns nil only when the collect finished. Stopped early (ctx ended,
// or an error), it saves the link of the first page not stored as the
// checkpoint on the way out, so that running it again resumes there.
func (r *run) loop(parent context.Context) error {
	r.report(PhaseStart, 0, "")
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	pages := make(chan fetched, 1)
	r.pending = r.next
	go r.fetchAll(ctx, pages)
	var err error
	for f := range pages {
		if err == nil {
			err = f.err
		}
		if err == nil {
			err = r.storePage(ctx, f.page)
		}
		if err != nil {
			cancel() // and drain until the fetcher closes the channel
		}
	}
	if err == nil && !r.finished {
		// The fetcher stopped without an error to send: ctx ended while
		// it waited (a 429, a slow body, a poll) or handed over a page.
		err = parent.Err()
		if err == nil {
			err = errors.New("the collect stopped before its end")
		}
	}
	if err != nil {
		r.saveOnTheWayOut()
	}
	return err
}

// saveOnTheWayOut saves the link of the first page not stored as the
// checkpoint (best effort: the error that stopped the collect is the one
// to report).
func (r *run) saveOnTheWayOut() {
	if r.c.Checkpoint == nil || r.pending == "" || r.c.Token.leaks(r.pending) {
		return
	}
	if r.c.Checkpoint.SaveCheckpoint(context.Background(), r.key, r.pending) == nil {
		r.count(func(p *Progress) { p.Checkpointed = true })
	}
}

// fetchAll fetches and decodes pages, following next links, until the
// collect is over (a bounded request's last page; a polling request caught
// up, unless following) or an error, which it sends.
func (r *run) fetchAll(ctx context.Context, out chan<- fetched) {
	defer close(out)
	next := r.next
	for {
		pg, err := r.fetch(ctx, next)
		if err == nil {
			r.decode(pg)
			err = r.guard.check(r.p, next, pg, r.fetched, r.c.maxEmptyPages())
		}
		if err != nil {
			send(ctx, out, fetched{err: err})
			return
		}
		if !send(ctx, out, fetched{page: pg}) {
			return
		}
		more, err := r.advance(ctx, pg)
		if err != nil {
			send(ctx, out, fetched{err: err})
			return
		}
		if !more {
			r.finished = true
			return
		}
		next = pg.next
	}
}

// send hands f to the store loop unless the collect is being cancelled.
func send(ctx context.Context, out chan<- fetched, f fetched) bool {
	select {
	case out <- f:
		return true
	case <-ctx.Done():
		return false
	}
}

// advance reports whether to fetch the page's next link. A polling request
// that caught up (a page short of the limit) ends the collect, or in follow
// mode waits the poll interval first.
func (r *run) advance(ctx context.Context, pg *page) (bool, error) {
	switch {
	case pg.next == "":
		return false, nil // a bounded request's last page
	case !r.p.polling() || len(pg.raw) >= r.p.Limit:
		return true, nil
	case !r.p.Follow:
		return false, nil
	}
	return true, r.wait(ctx, PhasePoll, r.p.PollInterval, "caught up")
}

// decode decodes the page's events, counting and reporting bad ones:
// those that do not decode, and those published outside
// logevent.PlausibleRange, as import rejects them.
func (r *run) decode(pg *page) {
	r.fetched++
	pg.events = make([]*logevent.Event, 0, len(pg.raw))
	now := r.c.now()
	for i, raw := range pg.raw {
		e, err := logevent.Decode(raw)
		if err == nil {
			err = logevent.CheckPlausible(e, now)
		}
		if err != nil {
			r.count(func(p *Progress) { p.Bad++ })
			r.report(PhaseBadEvent, 0, fmt.Sprintf("page %d, event %d: %v", r.fetched, i+1, err))
			continue
		}
		pg.events = append(pg.events, e)
	}
	r.count(func(p *Progress) {
		p.Events += len(pg.raw)
		for _, e := range pg.events {
			p.seen(e.Time)
		}
	})
}

// storePage inserts the page's events, then records its next link (even
// if ctx ends in between: the page is stored).
func (r *run) storePage(ctx context.Context, pg *page) error {
	res, err := r.c.Sink.Insert(ctx, pg.events)
	if err != nil {
		return fmt.Errorf("storing a page: %w", err)
	}
	if err := r.checkpoint(context.WithoutCancel(ctx), pg.next); err != nil {
		return err
	}
	r.pending = pg.next
	r.count(func(p *Progress) {
		p.Inserted, p.Pages = p.Inserted+res.Inserted, p.Pages+1
		p.Duplicates, p.Conflicts = p.Duplicates+res.Duplicates, p.Conflicts+len(res.Conflicts)
	})
	r.report(PhasePage, 0, "")
	return nil
}

// checkpoint records a stored page's next link, or forgets the collect
// when it has no next page.
func (r *run) checkpoint(ctx context.Context, next string) error {
	cp := r.c.Checkpoint
	switch {
	case cp == nil:
		return nil
	case next == "":
		return cp.DeleteCheckpoint(ctx, r.key)
	case r.c.Token.leaks(next):
		return errors.New("the next link contains the API token: refusing to store it")
	}
	return cp.SaveCheckpoint(ctx, r.key, next)
}

// wait reports a pause and takes it.
func (r *run) wait(ctx context.Context, phase Phase, d time.Duration, reason string) error {
	r.report(phase, d, reason)
	return r.c.sleep(ctx, d)
}

// count updates the tally.
func (r *run) count(update func(*Progress)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	update(&r.prog)
}

// report sends the tally to the Progress callback (never concurrently).
func (r *run) report(phase Phase, wait time.Duration, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prog.Phase, r.prog.Wait, r.prog.Reason = phase, wait, r.c.Token.redact(reason)
	r.prog.Elapsed = r.elapsed()
	if r.c.Progress != nil {
		r.c.Progress(r.prog)
	}
}

// final returns the tally once the collect is over: done, or stopped by
// err.
func (r *run) final(err error) Progress {
	if err == nil {
		r.report(PhaseDone, 0, "")
	} else {
		reason := "failed"
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			reason = "interrupted"
		}
		r.report(PhaseStopped, 0, reason)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.prog
	p.Elapsed = r.elapsed()
	return p
}

func (r *run) elapsed() time.Duration { return r.c.now().Sub(r.started) }
