package oktaapi

import (
	"net/http"
	"strconv"
	"time"
)

// Okta's rate-limit headers.
const (
	headerLimit     = "X-Rate-Limit-Limit"
	headerRemaining = "X-Rate-Limit-Remaining"
	headerReset     = "X-Rate-Limit-Reset"
)

// Bounds on the waits the rate-limit headers can ask for, so that a broken
// header cannot stall a collect for hours.
const (
	minRateLimitWait = time.Second
	maxRateLimitWait = 2 * time.Minute
)

// rateLimit is what a response says of the rate-limit window it was counted
// in.
type rateLimit struct {
	limit, remaining int
	reset            time.Time // when the window resets
	date             time.Time // the response's Date (the server's clock)
	ok               bool      // all three headers were present and valid
}

// readRateLimit reads the X-Rate-Limit-* headers and Date of a response;
// now stands in for a missing or unreadable Date.
func readRateLimit(h http.Header, now time.Time) rateLimit {
	rl := rateLimit{date: now}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		rl.date = d
	}
	limit, err1 := strconv.Atoi(h.Get(headerLimit))
	remaining, err2 := strconv.Atoi(h.Get(headerRemaining))
	reset, err3 := strconv.ParseInt(h.Get(headerReset), 10, 64)
	if err1 == nil && err2 == nil && err3 == nil && limit > 0 {
		rl.limit, rl.remaining, rl.reset, rl.ok = limit, max(remaining, 0), time.Unix(reset, 0), true
	}
	return rl
}

// untilReset is how long the server's window has left, by the server's own
// clock (Reset minus Date), so that clock skew between client and server
// does not matter.
func (rl rateLimit) untilReset() time.Duration { return rl.reset.Sub(rl.date) }

// retryAfter429 is the wait after a 429, as okta-sdk-golang computes it
// (Get429BackoffTime): Reset minus the response's Date, plus one second.
// ok is false when the headers do not say (then the caller backs off).
func retryAfter429(h http.Header, now time.Time) (time.Duration, bool) {
	date := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		date = d
	}
	reset, err := strconv.ParseInt(h.Get(headerReset), 10, 64)
	if err != nil {
		return 0, false
	}
	wait := time.Unix(reset, 0).Sub(date) + time.Second
	return min(max(wait, minRateLimitWait), maxRateLimitWait), true
}

// paceDelay is how long to wait before the next request so that requests
// stay within the window's budget:
//
//   - while at least half of the budget remains, no wait: small collects
//     run at full speed, and by Okta's default one token may use only half
//     of the bucket anyway;
//   - below half, the remaining requests are spread evenly over what is
//     left of the window (untilReset / remaining), which leaves the rest of
//     the bucket to the org's other clients and never runs it dry;
//   - with nothing left, wait for the reset plus one second, as after a 429.
func paceDelay(rl rateLimit) time.Duration {
	window := rl.untilReset()
	switch {
	case !rl.ok || window <= 0:
		return 0
	case rl.remaining == 0:
		return min(window+time.Second, maxRateLimitWait)
	case 2*rl.remaining >= rl.limit:
		return 0
	}
	return min(window/time.Duration(rl.remaining), maxRateLimitWait)
}
