package store

import (
	"slices"
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
)

// TestConformance runs the storage contract's suite on the store.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend { return openTemp(t) })
}

// TestSearchMatchesEvaluator checks, on a messy generated log, that Search
// returns exactly what filter.Compile selects in the store's own order
// (ties of published in insertion order: the row id), for random filters
// of which enough are pushed down to SQL, wholly or in part, to exercise
// the translation (the conformance suite checks the results up to ties).
func TestSearchMatchesEvaluator(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 11, Users: 12, Messy: true}).Events(800)
	s := openTemp(t)
	insertUneven(t, s, events, 97)
	ref := backendtest.NewReference()
	ref.Insert(events)
	held := ref.Matches(backend.Query{})
	eg := backendtest.NewExprGen(13, events) // not the suite's seed: other filters
	const runs = 300
	pushed, partial := 0, 0
	for i := range runs {
		q := eg.Query(held)
		where, residual := translate(q.Filter)
		switch {
		case residual == nil:
			pushed++
		case where.SQL != "":
			partial++
		}
		want := uuids(ref.Matches(q))
		if q.Limit > 0 && len(want) > q.Limit {
			want = want[:q.Limit]
		}
		if got := searchUUIDs(t, s, q); !slices.Equal(got, want) {
			t.Fatalf("filter %d: %s (order %d, desc %v, limit %d, since %v, until %v, q %v)\nSQL %s %v\nresidual %v\ngot  %d %v\nwant %d %v",
				i, q.Filter, q.Order, q.Desc, q.Limit, q.Since, q.Until, q.Keywords, where.SQL, where.Args, residual,
				len(got), got[:min(len(got), 8)], len(want), want[:min(len(want), 8)])
		}
	}
	t.Logf("%d filters: %d wholly pushed down, %d partly", runs, pushed, partial)
	if pushed < runs/5 || partial < runs/20 {
		t.Errorf("too few filters pushed down (%d wholly, %d partly): the test does not exercise SQL", pushed, partial)
	}
}
