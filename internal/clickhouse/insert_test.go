package clickhouse

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// TestPivotRowPacking checks that a packed pivot row gives back its
// kind, key and second, and sorts as (kind, key, published) does.
func TestPivotRowPacking(t *testing.T) {
	type row struct {
		kind uint8
		key  uint64
		sec  int64
	}
	var rows []row
	for _, kind := range []uint8{pivotUUID, pivotActorID, pivotSession, pivotOtherUUID} {
		for _, key := range []uint64{0, 1, 7, 8, 1 << 60, 1<<61 - 1, 1 << 63, math.MaxUint64 - 1, math.MaxUint64} {
			for _, sec := range []int64{minDateTime, 1, 1700000000, maxDateTime} {
				rows = append(rows, row{kind, key, sec})
			}
		}
	}
	packed := make([]pivotRow, len(rows))
	for i, r := range rows {
		p := newPivotRow(r.kind, r.key, r.sec)
		if p.kind() != r.kind || p.key() != r.key || p.sec() != r.sec {
			t.Fatalf("%+v packs to %+v, which gives back (%d, %d, %d)", r, p, p.kind(), p.key(), p.sec())
		}
		packed[i] = p
	}
	// Reversed, then sorted both ways: the same order.
	slices.Reverse(rows)
	slices.Reverse(packed)
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.sec, b.sec)
	})
	slices.SortFunc(packed, pivotRow.compare)
	for i, p := range packed {
		if r := rows[i]; p != newPivotRow(r.kind, r.key, r.sec) {
			t.Fatalf("row %d: packed order has (%d, %d, %d), the key's order %+v", i, p.kind(), p.key(), p.sec(), r)
		}
	}
}
