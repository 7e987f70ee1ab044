package store

import (
	"math"
	"math/big"
	"path/filepath"
	"testing"
)

// TestMinuteOf checks minuteOf (insert's counters) against the SQL of
// migration 0006 (floor division, before 1970 too), and that minute m
// holds [m*minuteNanos, (m+1)*minuteNanos).
func TestMinuteOf(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const g = minuteNanos
	values := []int64{0, 1, -1, g - 1, g, g + 1, -g + 1, -g, -g - 1, 17*g + 5, -17*g - 5, -17 * g,
		math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 1709251200123456789, -2208988800000000000}
	for _, v := range values {
		m := minuteOf(v)
		lo := new(big.Int).Mul(big.NewInt(m), big.NewInt(g))
		hi := new(big.Int).Add(lo, big.NewInt(g))
		if bv := big.NewInt(v); lo.Cmp(bv) > 0 || hi.Cmp(bv) <= 0 {
			t.Errorf("minuteOf(%d) = %d: not the minute holding it", v, m)
		}
		var sqlMinute int64
		err := s.read.QueryRow(`SELECT CASE WHEN ?1 >= 0 THEN ?1 / 60000000000
			ELSE -((-(?1 + 1)) / 60000000000) - 1 END`, v).Scan(&sqlMinute)
		if err != nil || sqlMinute != m {
			t.Errorf("SQL minute of %d = %d, %v; minuteOf %d", v, sqlMinute, err, m)
		}
	}
}
