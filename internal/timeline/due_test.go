package timeline

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestDueQueue checks that the queue gives its items back in order of their
// times (equal and zero times included) as they are pushed and popped in
// turn, its slots being reused.
func TestDueQueue(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	var q dueQueue[time.Time]
	var held []time.Time // what the queue holds, sorted
	most := 0
	for i := range 5000 {
		if len(held) > 0 && rng.IntN(3) == 0 {
			if !q.ready(held[0].Add(time.Nanosecond)) || q.ready(held[0]) {
				t.Fatalf("step %d: ready disagrees with the earliest time %v", i, held[0])
			}
			if got := q.pop(); !got.Equal(held[0]) {
				t.Fatalf("step %d: popped %v, want %v", i, got, held[0])
			}
			held = held[1:]
			continue
		}
		at := base.Add(time.Duration(rng.IntN(100)) * 500 * time.Millisecond)
		if rng.IntN(10) == 0 {
			at = time.Time{}
		}
		q.push(at, at)
		held = append(held, at)
		slices.SortFunc(held, time.Time.Compare)
		most = max(most, len(held))
	}
	if len(q.items) != most {
		t.Errorf("%d slots for at most %d items held at once", len(q.items), most)
	}
}
