// Package timewindow reads the times that bound a search (--since, --until,
// the web UI's since and until): an RFC 3339 time, a date, or a duration
// before now.
package timewindow

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads an RFC 3339 time, a date (YYYY-MM-DD, midnight UTC), or a
// duration before now such as 90m, 24h or 7d. An empty value is the zero
// time (unbounded).
func Parse(value string, now time.Time) (time.Time, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, value); err == nil {
		return t, nil
	}
	if d, ok := parseAgo(value); ok {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time (2024-05-01T12:00:00Z), a date (2024-05-01) or a duration ago (90m, 24h, 7d)", value)
}

// parseAgo parses a non-negative Go duration, or a number of days with "d".
func parseAgo(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		return time.Duration(n * float64(24*time.Hour)), err == nil && n >= 0 && n < 1e5
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

// Format writes a duration as the flags take it, without zero minutes or
// seconds: "24h", "10m", "1h30m", "45s".
func Format(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
