package timeline

import "time"

// dueQueue holds flows (or sessions) by the time after which Retire looks
// at them again: a min-heap, so that Retire looks only at those that may be
// finished, not at every one held. The heap itself holds no pointers (a
// time, and the slot of its item in items), so that moving its entries
// costs no write barriers while the garbage collector runs, nor scanning.
type dueQueue[T any] struct {
	heap  []dueEntry
	items []T     // by slot
	free  []int32 // the slots of items not in use
}

// dueEntry is a due time, as Unix seconds and nanoseconds (in the order of
// time.Time's Before for times without a monotonic clock reading, as the
// times of events are), and the slot of its item.
type dueEntry struct {
	sec  int64
	nsec int32
	slot int32
}

// dueAt returns the entry of the item in slot, due at t.
func dueAt(t time.Time, slot int32) dueEntry {
	return dueEntry{sec: t.Unix(), nsec: int32(t.Nanosecond()), slot: slot}
}

// before reports whether e is due before o.
func (e dueEntry) before(o dueEntry) bool {
	return e.sec < o.sec || e.sec == o.sec && e.nsec < o.nsec
}

// ready reports whether the earliest time in the queue is before now.
func (q *dueQueue[T]) ready(now time.Time) bool {
	return len(q.heap) > 0 && q.heap[0].before(dueAt(now, 0))
}

// push adds item, due at at.
func (q *dueQueue[T]) push(at time.Time, item T) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot, q.free = q.free[n-1], q.free[:n-1]
		q.items[slot] = item
	} else {
		slot = int32(len(q.items))
		q.items = append(q.items, item)
	}
	q.heap = append(q.heap, dueAt(at, slot))
	h := q.heap
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h[i].before(h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// pop removes and returns the item due first.
func (q *dueQueue[T]) pop() T {
	h := q.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].before(h[small]) {
			small = l
		}
		if r < len(h) && h[r].before(h[small]) {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	q.heap = h
	item := q.items[top.slot]
	var none T
	q.items[top.slot] = none
	q.free = append(q.free, top.slot)
	return item
}
