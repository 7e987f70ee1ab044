package store

import (
	"context"
	"fmt"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Histogram counts the events matching q (Limit, After and order ignored;
// Since and Until apply) in each of b's buckets, in one query. When SQL
// decides the filter and the buckets lie within the instants published
// holds exactly, it is one GROUP BY of (published - From) / Step over the
// matching rows (the published index for an unfiltered query); otherwise
// one scan of the events in the buckets' span, each tested and counted in
// Go. Either way it stops when ctx is done.
func (s *Store) Histogram(ctx context.Context, q backend.Query, b backend.Buckets) ([]int, error) {
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	counts := make([]int, b.N)
	q.Limit, q.After, q.Desc, q.Order = 0, "", false, backend.ByPublished
	if q.Since.IsZero() || q.Since.Before(b.From) {
		q.Since = b.From
	}
	if end := b.End(); q.Until.IsZero() || q.Until.After(end) {
		q.Until = end
	}
	if !q.Since.Before(q.Until) {
		return counts, nil
	}
	p, err := plan(q)
	if err != nil {
		return nil, err
	}
	if !p.goSide() && inRange(b.From) && inRange(q.Until) {
		err = s.groupBuckets(ctx, p, b, counts)
	} else {
		err = s.scanPlan(ctx, p, p.selectSQL(q), 0, func(e *logevent.Event, _ position) error {
			if i, ok := b.Index(e.Time); ok {
				counts[i]++
			}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: histogram: %w", err)
	}
	return counts, nil
}

// groupBuckets counts p's rows by bucket in SQL. The plan bounds published
// to [From, end of the last bucket), both exact, so (published - From)
// neither overflows nor goes negative.
func (s *Store) groupBuckets(ctx context.Context, p *queryPlan, b backend.Buckets, counts []int) error {
	query := "SELECT (e.published - ?) / ?, count(*) FROM events e" + p.whereSQL() + " GROUP BY 1"
	args := append([]any{unixNanos(b.From), int64(b.Step)}, p.args...)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var n int
		if err := rows.Scan(&i, &n); err != nil {
			return err
		}
		if i < 0 || i >= int64(len(counts)) {
			return fmt.Errorf("bucket %d out of range", i)
		}
		counts[i] = n
	}
	return rows.Err()
}
