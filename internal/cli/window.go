package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseTimeFlag reads a --since or --until value: an RFC 3339 time, a date
// (YYYY-MM-DD, midnight UTC), or a duration before now such as 90m, 24h or
// 7d. An empty value is the zero time (unbounded).
func parseTimeFlag(flag, value string, now time.Time) (time.Time, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", value); err == nil {
		return t, nil
	}
	if d, err := parseRelative(value); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, usageError("--%s %q: want an RFC 3339 time (2024-05-01T12:00:00Z), a date (2024-05-01) or a duration ago (90m, 24h, 7d)", flag, value)
}

// parseRelative parses a Go duration, or a number of days with "d".
func parseRelative(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad days %q", s)
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}
