// Package scopetest helps test what reads events through a scope.Searcher.
package scopetest

import (
	"context"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Searcher searches a slice of events through filter.Compile, as the
// storage backends would (it satisfies scope.Searcher), and records the
// filters it was given.
type Searcher struct {
	Events  []*logevent.Event
	Queries []string // the filters searched, in order
}

// Search calls fn with every event matching f, in the slice's order.
func (s *Searcher) Search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error {
	s.Queries = append(s.Queries, f.String())
	match := filter.Compile(f)
	for _, e := range s.Events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if match.Match(e) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}
