package oktaapi

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func rateHeaders(date time.Time, limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("Date", date.UTC().Format(http.TimeFormat))
	h.Set(headerLimit, strconv.Itoa(limit))
	h.Set(headerRemaining, strconv.Itoa(remaining))
	h.Set(headerReset, strconv.FormatInt(reset.Unix(), 10))
	return h
}

func TestRetryAfter429LikeOktaSDK(t *testing.T) {
	date := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	// Reset 20 s after the response's Date: wait 21 s, whatever our clock says.
	h := rateHeaders(date, 120, 0, date.Add(20*time.Second))
	for _, local := range []time.Time{date, date.Add(-time.Hour), date.Add(time.Hour)} {
		if got, ok := retryAfter429(h, local); !ok || got != 21*time.Second {
			t.Errorf("local clock %v: wait = %v, %v; want 21s", local, got, ok)
		}
	}
	if _, ok := retryAfter429(http.Header{}, date); ok {
		t.Error("a 429 without headers has a wait")
	}
	h = rateHeaders(date, 120, 0, date.Add(10*time.Hour))
	if got, _ := retryAfter429(h, date); got != maxRateLimitWait {
		t.Errorf("absurd reset: wait %v, want the cap", got)
	}
}

func TestPaceDelay(t *testing.T) {
	date := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	reset := date.Add(30 * time.Second)
	for _, c := range []struct {
		limit, remaining int
		want             time.Duration
	}{
		{120, 119, 0},
		{120, 60, 0},
		{120, 59, 30 * time.Second / 59},
		{120, 10, 3 * time.Second},
		{120, 1, 30 * time.Second},
		{120, 0, 31 * time.Second},
	} {
		rl := readRateLimit(rateHeaders(date, c.limit, c.remaining, reset), date)
		if got := paceDelay(rl); got != c.want {
			t.Errorf("limit %d remaining %d: delay %v, want %v", c.limit, c.remaining, got, c.want)
		}
	}
	if got := paceDelay(readRateLimit(http.Header{}, date)); got != 0 {
		t.Errorf("no headers: delay %v", got)
	}
}
