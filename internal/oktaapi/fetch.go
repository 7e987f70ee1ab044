package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Retry backoff after a 5xx or a network error: exponential from
// backoffBase, capped at backoffCap, with jitter (half to all of it).
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
)

// page is one response's events (undecoded) and next link.
type page struct {
	raw    [][]byte          // the events' bytes
	events []*logevent.Event // those that decode
	next   string
}

// transientError is a failure worth retrying: a 429, a 5xx, a network
// error or a torn response. wait, when set, is how long the server asked to
// wait.
type transientError struct {
	err     error
	wait    time.Duration
	timeout bool // the attempt reached RequestTimeout
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// retryState carries Okta's retry headers from a 429 to the retry, as
// okta-sdk-golang sends them (X-Okta-Retry-For, X-Okta-Retry-Count), and
// whether the request was already sent again with fresh credentials.
type retryState struct {
	requestID string
	count     int
	reauthed  bool
}

// reauthError is a request rejected for credentials the Authorizer has
// since renewed: it is sent again at once, once.
type reauthError struct{ err error }

func (e *reauthError) Error() string { return e.err.Error() }
func (e *reauthError) Unwrap() error { return e.err }

// fetch gets one page, pacing requests under the rate limit and retrying
// transient failures up to MaxAttempts times.
func (r *run) fetch(ctx context.Context, u string) (*page, error) {
	var rs retryState
	for failures, timeouts := 0, 0; ; {
		if err := r.pace(ctx); err != nil {
			return nil, err
		}
		pg, err := r.attempt(ctx, u, &rs)
		var te *transientError
		var re *reauthError
		if errors.As(err, &re) {
			continue
		}
		if err == nil || !errors.As(err, &te) {
			return pg, err
		}
		failures++
		if te.timeout {
			timeouts++
		}
		if failures >= r.c.maxAttempts() || timeouts >= MaxTimeoutAttempts {
			return nil, fmt.Errorf("giving up after %d attempts: %w", failures, err)
		}
		wait := te.wait
		if wait == 0 {
			wait = r.backoff(failures)
		}
		r.count(func(p *Progress) { p.Retries++ })
		if err := r.wait(ctx, PhaseWait, wait, "retrying: "+err.Error()); err != nil {
			return nil, err
		}
	}
}

// pace waits until the rate-limit budget allows the next request.
func (r *run) pace(ctx context.Context) error {
	d := r.notBefore.Sub(r.c.now())
	if d <= 0 {
		return nil
	}
	rl := r.lastRate
	reason := fmt.Sprintf("rate limit: %d of %d requests left until the window resets in %s", rl.remaining, rl.limit, rl.untilReset().Round(time.Second))
	return r.wait(ctx, PhaseWait, d, reason)
}

// backoff is the jittered exponential wait before retry number n (1-based).
func (r *run) backoff(n int) time.Duration {
	d := backoffCap
	if n < 16 {
		d = min(backoffBase<<(n-1), backoffCap)
	}
	jitter := rand.Float64
	if r.c.Jitter != nil {
		jitter = r.c.Jitter
	}
	return d/2 + time.Duration(jitter()*float64(d/2))
}

// attempt sends one request and classifies the outcome. The request, its
// body included, must complete within RequestTimeout.
func (r *run) attempt(ctx context.Context, u string, rs *retryState) (*page, error) {
	timeout := r.c.requestTimeout()
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := r.newRequest(actx, u, rs)
	if err != nil {
		return nil, err
	}
	r.count(func(p *Progress) { p.Requests++ })
	failed := func(err error) error {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case actx.Err() != nil:
			return &transientError{err: fmt.Errorf("no complete response within %v (a slow or stalled server)", timeout), timeout: true}
		}
		return &transientError{err: err}
	}
	resp, err := r.c.client().Do(req)
	if err != nil {
		return nil, failed(err)
	}
	defer resp.Body.Close()
	limit := r.c.maxBody()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	r.lastRate = readRateLimit(resp.Header, r.c.now())
	r.notBefore = r.c.now().Add(paceDelay(r.lastRate))
	if err != nil {
		return nil, failed(fmt.Errorf("reading the response: %w", err))
	}
	if int64(len(body)) > limit {
		// Not transient: the server would send it again.
		return nil, fmt.Errorf("HTTP %d: the response is larger than %d bytes, more than any page of events (a page of %d is a few MB): refusing it",
			resp.StatusCode, limit, MaxPageSize)
	}
	return r.handle(req.URL, resp, body, rs)
}

func (r *run) newRequest(ctx context.Context, u string, rs *retryState) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if r.c.Auth != nil {
		if err := r.c.Auth.Authorize(ctx, req); err != nil {
			return nil, err
		}
	} else if h := r.c.Token.header(); h != "" {
		req.Header.Set("Authorization", h)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if rs.count > 0 && rs.requestID != "" {
		req.Header.Set("X-Okta-Retry-For", rs.requestID)
		req.Header.Set("X-Okta-Retry-Count", strconv.Itoa(rs.count))
	}
	return req, nil
}

// handle turns a response into a page or an error: 200 is a page; 429,
// 5xx and a torn body are transient; anything else (400, 401, 403, 404…)
// fails at once with Okta's errorCode and errorSummary.
func (r *run) handle(reqURL *url.URL, resp *http.Response, body []byte, rs *retryState) (*page, error) {
	status := resp.StatusCode
	switch {
	case status == http.StatusOK:
		return r.parsePage(reqURL, resp.Header, body)
	case status == http.StatusTooManyRequests:
		r.count(func(p *Progress) { p.RateLimited++ })
		rs.requestID, rs.count = resp.Header.Get("X-Okta-Request-Id"), rs.count+1
		wait, _ := retryAfter429(resp.Header, r.c.now())
		return nil, &transientError{err: decodeAPIError(status, body, r.c.Token.redact), wait: wait}
	case status >= 500:
		return nil, &transientError{err: decodeAPIError(status, body, r.c.Token.redact)}
	case (status == http.StatusUnauthorized || status == http.StatusBadRequest) && r.c.Auth != nil && !rs.reauthed && r.c.Auth.Retry(resp):
		rs.reauthed = true
		return nil, &reauthError{err: decodeAPIError(status, body, r.c.Token.redact)}
	}
	return nil, decodeAPIError(status, body, r.c.Token.redact)
}

// parsePage reads a JSON array of events and the next link, which must
// stay on the org's origin and must not carry the token.
func (r *run) parsePage(reqURL *url.URL, h http.Header, body []byte) (*page, error) {
	raw, err := splitArray(body)
	if err != nil {
		return nil, &transientError{err: fmt.Errorf("the response (%d bytes) is not a JSON array of events", len(body))}
	}
	pg := &page{raw: raw}
	next, ok := links(h)["next"]
	if !ok {
		return pg, nil
	}
	u, err := reqURL.Parse(next)
	switch {
	case err != nil:
		return nil, errors.New("the next link is not a URL")
	case !sameOrigin(r.c.Org, u):
		return nil, fmt.Errorf("the next link points to %s, not to the org: refusing to send the token there", u.Host)
	case r.c.Token.leaks(next):
		return nil, errors.New("the next link contains the API token: refusing to follow it")
	}
	pg.next = next // followed exactly as given
	if !isAbsolute(next) {
		pg.next = u.String() // a relative link, resolved against the request
	}
	return pg, nil
}

// isAbsolute reports whether a link names its scheme and host.
func isAbsolute(link string) bool {
	u, err := url.Parse(link)
	return err == nil && u.IsAbs() && u.Host != ""
}

// client is the HTTP client to use.
func (c *Collector) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultClient
}

// defaultClient follows redirects only within the org's origin; any other
// redirect comes back as the 3xx response itself, which fails the collect.
// Each request's time is bounded by its context (RequestTimeout).
var defaultClient = &http.Client{
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 || !sameOrigin(via[0].URL, req.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	},
}
