package web

import (
	"context"
	"errors"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// MaxBuckets is the most bars a histogram has.
const MaxBuckets = 60

// The instants a histogram covers, and the range of since and until: an
// event outside it is in no bar, and a time parameter outside it is a 400
// (parseWhen). Their span (130 years) stays under what a backend counts
// (backend.Buckets.Validate: 2^62 ns, about 146 years) once divided into
// nice steps and aligned, so no bucket arithmetic overflows and no span is
// refused.
var (
	earliestTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestTime   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// histogram is the number of events that match a query in consecutive,
// equal intervals of time, counted by the backend within a time budget.
type histogram struct {
	From, To time.Time     // the interval covered: From inclusive, To exclusive
	Step     time.Duration // the width of a bucket
	Buckets  []bucket
	Total    int  // the sum of the buckets
	Complete bool // the buckets were counted within the budget
}

// bucket is one interval of a histogram.
type bucket struct {
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
// span of earliestTime to latestTime) in at most n buckets.
func stepFor(span time.Duration, n int) time.Duration {
	for _, step := range niceSteps {
		if span <= step*time.Duration(n) {
			return step
		}
	}
	month := 30 * 24 * time.Hour
	return month * ((span/time.Duration(n))/month + 1)
}

// newBuckets splits [from, to), within [earliestTime, latestTime], into at
// most n buckets of a nice width, aligned on multiples of it (midnights UTC
// for days).
func newBuckets(from, to time.Time, n int) *histogram {
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
	h := &histogram{From: start, Step: step, Buckets: make([]bucket, count)}
	for i := range h.Buckets {
		t := start.Add(time.Duration(i) * step)
		h.Buckets[i] = bucket{Start: t, End: t.Add(step)}
	}
	h.To = h.Buckets[count-1].End
	return h
}

// histogram counts the events matching q over time, in one backend call.
// The interval is q's since and until; a side left open is the backend's
// first or last event, or, for a filtered query, its first or last match,
// within earliestTime and latestTime. Counting stops at
// Options.HistogramBudget: the buckets are then marked uncounted.
func (s *server) histogram(ctx context.Context, q backend.Query) (*histogram, error) {
	q.After, q.Limit, q.Desc, q.Order = "", 0, false, backend.ByPublished
	from, to, found, err := s.histogramRange(ctx, q)
	if err != nil || !found {
		return &histogram{Complete: err == nil}, err
	}
	h := newBuckets(from, to, MaxBuckets)
	budget, cancel := context.WithTimeout(ctx, s.opts.HistogramBudget)
	defer cancel()
	counts, err := s.st.Histogram(budget, q, backend.Buckets{From: h.From, Step: h.Step, N: len(h.Buckets)})
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

// histogramRange finds the interval to divide: found is false when no
// event can match.
func (s *server) histogramRange(ctx context.Context, q backend.Query) (from, to time.Time, found bool, err error) {
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
		if from, to, found = s.fitRange(fitCtx, q, from, to); !found {
			return from, to, false, nil
		}
	}
	if from.Before(earliestTime) {
		from = earliestTime
	}
	if to.After(latestTime) {
		to = latestTime
	}
	return from, to, from.Before(to), nil
}

// fitRange narrows [from, to) to the first and last events matching q,
// for the sides q leaves open. It keeps the wider interval when the search
// takes too long.
func (s *server) fitRange(ctx context.Context, q backend.Query, from, to time.Time) (time.Time, time.Time, bool) {
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
func (s *server) firstMatch(ctx context.Context, q backend.Query, desc bool) (*logevent.Event, error) {
	q.Limit, q.Desc = 1, desc
	var found *logevent.Event
	err := s.st.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error { found = e; return nil })
	return found, err
}
