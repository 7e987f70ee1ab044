package store

import (
	"math"
	"time"
)

// The instants an int64 of Unix nanoseconds can hold (years 1677 to 2262).
var (
	minInstant = time.Unix(0, math.MinInt64).UTC()
	maxInstant = time.Unix(0, math.MaxInt64).UTC()
)

// unixNanos is t in Unix nanoseconds, clamped to the int64 range: published
// is stored this way, which orders events chronologically. Clamping keeps
// the order of any in-range instant against any clamped one.
func unixNanos(t time.Time) int64 {
	n, _ := exactNanos(t)
	return n
}

// exactNanos is unixNanos, and whether t was in range (not clamped).
func exactNanos(t time.Time) (int64, bool) {
	switch {
	case t.Before(minInstant):
		return math.MinInt64, false
	case t.After(maxInstant):
		return math.MaxInt64, false
	}
	return t.UnixNano(), true
}

// inRange reports whether an instant compares exactly against stored
// published values: strictly inside the range, so that clamped values never
// equal it.
func inRange(t time.Time) bool {
	return t.After(minInstant) && t.Before(maxInstant)
}

// minuteNanos is a minute in nanoseconds: the span of a minute_counts
// counter.
const minuteNanos = int64(time.Minute)

// minuteOf is the minute_counts minute of a published value: floor
// division, so that minute m holds [m*minuteNanos, (m+1)*minuteNanos)
// before 1970 too (as the migration that creates the table computes it).
func minuteOf(published int64) int64 {
	if published >= 0 {
		return published / minuteNanos
	}
	return -((-(published + 1)) / minuteNanos) - 1
}
