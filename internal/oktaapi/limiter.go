package oktaapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter is the server's per-minute request budget: a fixed window that
// opens with the first request after the previous one closed, reported in
// Okta's X-Rate-Limit-* headers. A nil limiter allows everything and sends
// no headers.
type limiter struct {
	mu    sync.Mutex
	limit int
	reset time.Time // end of the current window
	used  int
}

// take counts a request at now, sets the headers, and reports whether the
// request is within the budget.
func (l *limiter) take(now time.Time, h http.Header) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !now.Before(l.reset) {
		l.reset = now.Truncate(time.Second).Add(time.Minute)
		l.used = 0
	}
	l.used++
	h.Set(headerLimit, strconv.Itoa(l.limit))
	h.Set(headerRemaining, strconv.Itoa(max(l.limit-l.used, 0)))
	h.Set(headerReset, strconv.FormatInt(l.reset.Unix(), 10))
	return l.used <= l.limit
}
