package web

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// MaxBuckets is the most bars a histogram has.
const MaxBuckets = 60

// histogram is the number of events that match a query in consecutive,
// equal intervals of time, counted on the server within a time budget.
type histogram struct {
	From, To time.Time     // the interval covered: From inclusive, To exclusive
	Step     time.Duration // the width of a bucket
	Buckets  []bucket
	Total    int  // the sum of the counted buckets
	Complete bool // every bucket was counted within the budget
}

// bucket is one interval of a histogram.
type bucket struct {
	Start, End time.Time
	Count      int
	Counted    bool // false when the budget ran out before it was counted
}

// niceSteps are the bucket widths a histogram picks from.
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
}

// stepFor returns the smallest nice step that covers span in at most n
// buckets.
func stepFor(span time.Duration, n int) time.Duration {
	for _, step := range niceSteps {
		if span <= step*time.Duration(n) {
			return step
		}
	}
	month := 30 * 24 * time.Hour
	return month * ((span/time.Duration(n))/month + 1)
}

// newBuckets splits [from, to) into at most n buckets of a nice width,
// aligned on multiples of it (midnights UTC for days).
func newBuckets(from, to time.Time, n int) *histogram {
	step := stepFor(to.Sub(from), n)
	start := from.Truncate(step)
	for to.Sub(start) > step*time.Duration(n) { // alignment pushed the end out
		step = stepFor(step*time.Duration(n)+1, n)
		start = from.Truncate(step)
	}
	h := &histogram{From: start, Step: step}
	for t := start; t.Before(to); t = t.Add(step) {
		h.Buckets = append(h.Buckets, bucket{Start: t, End: t.Add(step)})
	}
	h.To = h.Buckets[len(h.Buckets)-1].End
	return h
}

// histogram counts the events matching q over time. The interval is q's
// since and until; a side left open is the store's first or last event, or,
// for a filtered query, its first or last match. It never takes much longer
// than Options.HistogramBudget.
func (s *server) histogram(ctx context.Context, q store.Query) (*histogram, error) {
	q.After, q.Limit, q.Desc = nil, 0, false
	from, to, found, err := s.histogramRange(ctx, q)
	if err != nil || !found {
		return &histogram{Complete: err == nil}, err
	}
	h := newBuckets(from, to, MaxBuckets)
	budget, cancel := context.WithTimeout(ctx, s.opts.HistogramBudget)
	defer cancel()
	s.countBuckets(budget, q, h)
	return h, nil
}

// histogramRange finds the interval to divide: found is false when no
// event can match.
func (s *server) histogramRange(ctx context.Context, q store.Query) (from, to time.Time, found bool, err error) {
	stats, err := s.st.Stats(ctx)
	if err != nil || stats.Events == 0 {
		return from, to, false, err
	}
	from, to = q.Since, q.Until
	if from.IsZero() {
		from = stats.First
	}
	if to.IsZero() {
		to = stats.Last.Add(time.Nanosecond)
	}
	if q.Filter != nil || !q.Keywords.Empty() {
		fitCtx, cancel := context.WithTimeout(ctx, s.opts.HistogramBudget/3)
		defer cancel()
		from, to, found = s.fitRange(fitCtx, q, from, to)
		return from, to, found, nil
	}
	return from, to, from.Before(to), nil
}

// fitRange narrows [from, to) to the first and last events matching q,
// for the sides q leaves open. It keeps the wider interval when the search
// takes too long.
func (s *server) fitRange(ctx context.Context, q store.Query, from, to time.Time) (time.Time, time.Time, bool) {
	first, errFirst := s.firstMatch(ctx, q, false)
	if errFirst == nil && first == nil {
		return from, to, false
	}
	if first != nil && q.Since.IsZero() {
		from = first.Time
	}
	last, _ := s.firstMatch(ctx, q, true) // on a timeout, keep the wider interval
	if last != nil && q.Until.IsZero() {
		to = last.Time.Add(time.Nanosecond)
	}
	return from, to, from.Before(to)
}

// firstMatch returns the first (or, with desc, the last) event matching q,
// or nil.
func (s *server) firstMatch(ctx context.Context, q store.Query, desc bool) (*logevent.Event, error) {
	q.Limit, q.Desc = 1, desc
	var found *logevent.Event
	err := s.st.Search(ctx, q, func(e *logevent.Event) error { found = e; return nil })
	return found, err
}

// countBuckets counts each bucket with the store's Count, a few at a time,
// until the context ends; buckets left are marked uncounted.
func (s *server) countBuckets(ctx context.Context, q store.Query, h *histogram) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(h.Buckets), runtime.GOMAXPROCS(0)+1) {
		wg.Go(func() {
			for i := range next {
				s.countBucket(ctx, q, &h.Buckets[i])
			}
		})
	}
	for i := range h.Buckets {
		next <- i
	}
	close(next)
	wg.Wait()
	h.Complete = true
	for _, b := range h.Buckets {
		h.Total += b.Count
		h.Complete = h.Complete && b.Counted
	}
}

func (s *server) countBucket(ctx context.Context, q store.Query, b *bucket) {
	if ctx.Err() != nil {
		return
	}
	if q.Since.Before(b.Start) {
		q.Since = b.Start
	}
	if q.Until.IsZero() || b.End.Before(q.Until) {
		q.Until = b.End
	}
	n, err := s.st.Count(ctx, q)
	if err == nil {
		b.Count, b.Counted = n, true
	} else if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		s.opts.Logger.Error("web: histogram count", "err", err)
	}
}
