// Package histogram counts the events matching a query over time, in
// consecutive buckets of a nice width, with one backend call
// (backend.Backend.Histogram) under a time budget: the web UI's histogram
// and the CLI's stats command share it.
package histogram

import (
	"context"
	"errors"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// MaxBuckets is the most bars a histogram has by default (the web UI's).
const MaxBuckets = 60

// Earliest and Latest are the instants a histogram covers, and the range
// of since and until the web UI accepts: an event outside it is in no
// bar. Their span (130 years) stays under what a backend counts
// (backend.Buckets.Validate: 2^62 ns, about 146 years) once divided into
// nice steps and aligned, so no bucket arithmetic overflows and no span is
// refused.
var (
	Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Histogram is the number of events that match a query in consecutive,
// equal intervals of time, counted by the backend within a time budget.
type Histogram struct {
	From, To time.Time     // the interval covered: From inclusive, To exclusive
	Step     time.Duration // the width of a bucket
	Buckets  []Bucket
	Total    int  // the sum of the buckets
	Complete bool // the buckets were counted within the budget
}

// Bucket is one interval of a histogram.
type Bucket struct {
	Start, End time.Time
	Count      int
	Counted    bool // false when the budget ran out before the buckets were counted
}

// niceSteps are the bucket widths a histogram picks from.
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
}

// stepFor returns the smallest nice step that covers span (at most the
// span of Earliest to Latest) in at most n buckets.
func stepFor(span time.Duration, n int) time.Duration {
	for _, step := range niceSteps {
		if span <= step*time.Duration(n) {
			return step
		}
	}
	month := 30 * 24 * time.Hour
	return month * ((span/time.Duration(n))/month + 1)
}

// NewBuckets splits [from, to), within [Earliest, Latest], into at most n
// buckets of a nice width, aligned on multiples of it (midnights UTC for
// days).
func NewBuckets(from, to time.Time, n int) *Histogram {
	step := stepFor(to.Sub(from), n)
	start := from.Truncate(step)
	// Alignment may push the end out: a wider step (twice at most, in
	// practice once).
	for range 3 {
		if to.Sub(start) <= step*time.Duration(n) {
			break
		}
		step = stepFor(step*time.Duration(n)+1, n)
		start = from.Truncate(step)
	}
	count := int((to.Sub(start) + step - 1) / step)
	count = min(max(count, 1), n)
	h := &Histogram{From: start, Step: step, Buckets: make([]Bucket, count)}
	for i := range h.Buckets {
		t := start.Add(time.Duration(i) * step)
		h.Buckets[i] = Bucket{Start: t, End: t.Add(step)}
	}
	h.To = h.Buckets[count-1].End
	return h
}

// Count counts the events of st matching q over time, in at most n
// buckets (n <= backend.MaxBuckets), in one backend call. The interval is
// q's since and until; a side left open is the backend's first or last
// event, or, for a filtered query, its first or last match, within
// Earliest and Latest. Counting stops after budget (none when budget <=
// 0): the buckets are then marked uncounted and Complete is false.
func Count(ctx context.Context, st backend.Reader, q backend.Query, n int, budget time.Duration) (*Histogram, error) {
	q.After, q.Limit, q.Desc, q.Order = "", 0, false, backend.ByPublished
	from, to, found, err := rangeOf(ctx, st, q, budget)
	if err != nil || !found {
		return &Histogram{Complete: err == nil}, err
	}
	h := NewBuckets(from, to, n)
	limited, cancel := withBudget(ctx, budget)
	defer cancel()
	counts, err := st.Histogram(limited, q, backend.Buckets{From: h.From, Step: h.Step, N: len(h.Buckets)})
	switch {
	case err == nil:
	case ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		return h, nil // the budget ran out: uncounted
	default:
		return nil, err
	}
	h.Complete = true
	for i, n := range counts {
		h.Buckets[i].Count, h.Buckets[i].Counted = n, true
		h.Total += n
	}
	return h, nil
}

// rangeOf finds the interval to divide: found is false when no event can
// match.
func rangeOf(ctx context.Context, st backend.Reader, q backend.Query, budget time.Duration) (from, to time.Time, found bool, err error) {
	stats, err := st.Stats(ctx)
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
		fitCtx, cancel := withBudget(ctx, budget/3)
		defer cancel()
		if from, to, found = fitRange(fitCtx, st, q, from, to); !found {
			return from, to, false, nil
		}
	}
	if from.Before(Earliest) {
		from = Earliest
	}
	if to.After(Latest) {
		to = Latest
	}
	return from, to, from.Before(to), nil
}

// fitRange narrows [from, to) to the first and last events matching q,
// for the sides q leaves open. It keeps the wider interval when the search
// takes too long.
func fitRange(ctx context.Context, st backend.Reader, q backend.Query, from, to time.Time) (time.Time, time.Time, bool) {
	first, errFirst := firstMatch(ctx, st, q, false)
	if errFirst == nil && first == nil {
		return from, to, false
	}
	if first != nil && q.Since.IsZero() {
		from = first.Time
	}
	last, _ := firstMatch(ctx, st, q, true) // on a timeout, keep the wider interval
	if last != nil && q.Until.IsZero() {
		to = last.Time.Add(time.Nanosecond)
	}
	return from, to, from.Before(to)
}

// firstMatch returns the first (or, with desc, the last) event matching q,
// or nil.
func firstMatch(ctx context.Context, st backend.Reader, q backend.Query, desc bool) (*logevent.Event, error) {
	q.Limit, q.Desc = 1, desc
	var found *logevent.Event
	err := st.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error { found = e; return nil })
	return found, err
}

// withBudget is ctx with a timeout of budget, or without one when budget
// <= 0.
func withBudget(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	if budget <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, budget)
}
