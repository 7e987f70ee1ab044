package ordered

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
)

// read sends batches of n consecutive numbers from 0 to total, growing as
// the searches' readers do.
func reader(total int, err error) func(context.Context, func([]int) bool) error {
	return func(ctx context.Context, send func([]int) bool) error {
		size, next := FirstBatch, 0
		for next < total {
			b := make([]int, 0, size)
			for ; next < total && len(b) < size; next++ {
				b = append(b, next)
			}
			if !send(b) {
				return ctx.Err()
			}
			size = NextBatch(size)
		}
		return err
	}
}

func TestOrder(t *testing.T) {
	square := func(b []int) {
		for i := range b {
			b[i] *= b[i]
		}
	}
	p := Start(context.Background(), reader(1000, nil), square)
	var got []int
	for b, ok := p.Next(); ok; b, ok = p.Next() {
		got = append(got, b...)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 {
		t.Fatalf("%d values, want 1000", len(got))
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("value %d is %d, want %d (out of order or not processed)", i, v, i*i)
		}
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	p := Start(context.Background(), reader(100, boom), func([]int) {})
	n := 0
	for b, ok := p.Next(); ok; b, ok = p.Next() {
		n += len(b)
	}
	if err := p.Stop(); !errors.Is(err, boom) || n != 100 {
		t.Errorf("Stop = %v after %d values, want boom after 100", err, n)
	}
}

// TestStopEarly stops after the first batch: the reader ends, batches read
// after the stop are not processed, and Stop returns.
func TestStopEarly(t *testing.T) {
	var processed atomic.Int64
	p := Start(context.Background(), reader(1_000_000, nil), func(b []int) { processed.Add(int64(len(b))) })
	b, ok := p.Next()
	if !ok || !slices.Equal(b, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("first batch %v %v", b, ok)
	}
	if err := p.Stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Stop = %v, want the reader's context.Canceled", err)
	}
	if n := processed.Load(); n >= 1_000_000 {
		t.Errorf("%d values processed after an early stop", n)
	}
}
