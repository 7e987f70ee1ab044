package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

// Collect defaults and limits.
const (
	// MaxPageSize is the largest limit Okta accepts ("Integer between 0
	// and 1000").
	MaxPageSize = 1000
	// DefaultPageSize is the collector's page size: the largest, which
	// takes the fewest requests out of the rate-limit budget.
	DefaultPageSize = MaxPageSize
	// DefaultPollInterval is the pause between polls in follow mode once
	// caught up. Okta's documentation prescribes no interval (it says to
	// keep following the next link); a minute matches common SIEM
	// integrations and costs one request a minute of the /api/v1/logs
	// bucket. A full page is followed at once, without waiting.
	DefaultPollInterval = time.Minute
	// DefaultMaxAttempts bounds the attempts at one request that fail with
	// a 429, a 5xx or a network error.
	DefaultMaxAttempts = 10
	// UserAgent is sent with every request.
	UserAgent = "oktascope"
	// DefaultRequestTimeout bounds one attempt at a request, body
	// included: Okta's own queries time out after 30 seconds, and a page of
	// 1,000 events is a few MB.
	DefaultRequestTimeout = 60 * time.Second
	// MaxTimeoutAttempts bounds the attempts at one request that each
	// reach RequestTimeout: a slow body fails after about three minutes
	// (three attempts and their backoff), not after MaxAttempts of them.
	MaxTimeoutAttempts = 3
	// DefaultMaxEmptyPages is how many empty pages in a row a bounded
	// request may return (each with a new next link) before the collect
	// stops as making no progress.
	DefaultMaxEmptyPages = 50
	// DefaultMaxBody bounds a response body: a page of 1,000 events is a
	// few MB.
	DefaultMaxBody = 256 << 20
)

// Sort orders.
const (
	Ascending  = "ASCENDING"
	Descending = "DESCENDING"
)

// Collector pulls events from an org's System Log into a backend.Writer.
//
// Requests follow Okta's rate limits: from the X-Rate-Limit-* headers of
// each response the collector keeps full speed while at least half of the
// window's budget remains, then spreads the remaining requests evenly until
// the reset; after a 429 it waits X-Rate-Limit-Reset minus the response's
// Date plus one second, as okta-sdk-golang does. 5xx responses, network
// errors and torn bodies are retried with jittered exponential backoff
// (0.5 s doubling to 30 s, at most MaxAttempts attempts); any other error
// status (400, 401, 403, …) fails at once with Okta's errorCode and
// errorSummary.
//
// The zero values of the optional fields select the defaults documented
// on them.
type Collector struct {
	// Org is the org's base URL (see ParseOrg and CheckOrg).
	Org *url.URL
	// Token authenticates the requests. It may be zero only for a loopback
	// org (a local server without a token check), or with Auth.
	Token Token
	// Auth, if set, authenticates the requests instead of Token: an OAuth
	// 2.0 service app (OAuth).
	Auth Authorizer
	// HTTP sends the requests (default: a client that refuses redirects to
	// another origin; RequestTimeout bounds each request).
	HTTP *http.Client
	// Sink stores each page's events, in one Insert per page. It skips the
	// events whose uuid it holds: that, and saving the checkpoint only
	// after Insert returns, is what makes an interrupted collect resume
	// with no gap and no duplicate.
	Sink backend.Writer
	// Checkpoint keeps the next link between runs, usually in the backend
	// the events go to (nil: no checkpoints).
	Checkpoint backend.Checkpoints
	// Progress, if set, is called after each page, wait and bad event.
	Progress func(Progress)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep pauses for d or until ctx is done (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) that spreads retry backoffs
	// (default math/rand/v2).
	Jitter func() float64
	// MaxAttempts bounds the attempts at one request (default
	// DefaultMaxAttempts).
	MaxAttempts int
	// RequestTimeout bounds one attempt at a request, from sending it to
	// the end of its body (default DefaultRequestTimeout). An attempt past
	// it is retried, at most MaxTimeoutAttempts attempts in all, so that a
	// slow or stalled body fails a page within minutes.
	RequestTimeout time.Duration
	// MaxEmptyPages bounds the empty pages in a row a bounded request may
	// return before the collect stops as making no progress (default
	// DefaultMaxEmptyPages). A polling request's empty page means it caught
	// up, and never counts.
	MaxEmptyPages int
	// MaxBody bounds a response body, in bytes (default DefaultMaxBody). A
	// longer one fails the collect at once, without a retry: the server
	// would send it again.
	MaxBody int64
}

// Params is the query to collect.
type Params struct {
	// Since and Until bound published (zero: unset). With Until unset and
	// ascending order the requests are polling requests; Since then
	// defaults on Okta's side to 7 days ago.
	Since, Until time.Time
	// Filter is an Okta filter expression; Q are keywords.
	Filter, Q string
	// Limit is the page size, 1 to 1000 (default DefaultPageSize).
	Limit int
	// SortOrder is ASCENDING (default) or DESCENDING.
	SortOrder string
	// Follow keeps polling after catching up, like tail -f, until the
	// context is cancelled. It needs a polling request.
	Follow bool
	// PollInterval is the pause between polls once caught up (default
	// DefaultPollInterval).
	PollInterval time.Duration
	// Key, if set, names the query for checkpointing instead of the
	// parameters themselves: the CLI passes the flags as the user typed
	// them ("--since 7d"), so that re-running the same command resumes even
	// though the relative times resolve differently.
	Key string
}

// normalize fills in defaults and checks the parameters.
func (p Params) normalize() (Params, error) {
	if p.Limit == 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit < 1 || p.Limit > MaxPageSize {
		return p, fmt.Errorf("page size %d: must be between 1 and %d", p.Limit, MaxPageSize)
	}
	p.SortOrder = strings.ToUpper(strings.TrimSpace(p.SortOrder))
	if p.SortOrder == "" {
		p.SortOrder = Ascending
	}
	if p.SortOrder != Ascending && p.SortOrder != Descending {
		return p, fmt.Errorf("sort order %q: must be %s or %s", p.SortOrder, Ascending, Descending)
	}
	if !p.Since.IsZero() && !p.Until.IsZero() && !p.Since.Before(p.Until) {
		return p, errors.New("since must be before until")
	}
	if p.Follow && !p.polling() {
		return p, errors.New("follow needs a polling request: no until, ascending order")
	}
	if p.PollInterval <= 0 {
		p.PollInterval = DefaultPollInterval
	}
	return p, nil
}

// polling reports whether the requests are Okta polling requests.
func (p Params) polling() bool { return p.Until.IsZero() && p.SortOrder == Ascending }

// formatTime writes a time as Okta's examples do: RFC 3339, UTC,
// milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// query is the first request's query string.
func (p Params) query() url.Values {
	v := url.Values{}
	if !p.Since.IsZero() {
		v.Set("since", formatTime(p.Since))
	}
	if !p.Until.IsZero() {
		v.Set("until", formatTime(p.Until))
	}
	if p.Filter != "" {
		v.Set("filter", p.Filter)
	}
	if p.Q != "" {
		v.Set("q", p.Q)
	}
	v.Set("limit", strconv.Itoa(p.Limit))
	v.Set("sortOrder", p.SortOrder)
	return v
}

// CheckpointKey names a collect of org with p in backend.Checkpoints: the
// org and the query (or p.Key), never the token.
func CheckpointKey(org *url.URL, p Params) string {
	base := logsURL(org).String()
	if p.Key != "" {
		return base + " " + p.Key
	}
	if n, err := p.normalize(); err == nil {
		p = n
	}
	return base + "?" + p.query().Encode()
}

// Run collects p: it sends the first request (or resumes from the saved
// checkpoint), stores each page, saves the next link, and follows it until
// a bounded request's last page or a polling request's catching up (with
// Follow, until ctx ends). Pages are fetched and decoded one ahead of the
// store, which inserts them in order.
//
// Run returns nil only when the collect finished: the final Progress's
// Phase is then PhaseDone. When ctx ends first (an interrupt, whatever the
// collect was doing: waiting after a 429, reading a slow body, polling;
// and always with Follow), or on an error, it returns an error (wrapping
// ctx's error when interrupted), its Phase is PhaseStopped, and the link of
// the first page not stored is saved as the checkpoint on the way out.
//
// Paging that makes no progress is an error naming the cycle (see
// progressGuard), and each request, its body included, must complete
// within RequestTimeout.
//
// A finished bounded collect deletes its checkpoint (running it again
// fetches everything again, and stores nothing twice); a polling collect
// keeps it, so running it again continues from where it caught up.
//
// Errors never contain the token.
func (c *Collector) Run(ctx context.Context, p Params) (Progress, error) {
	r, err := c.start(ctx, p)
	if err != nil {
		return Progress{}, c.scrub(err)
	}
	err = r.loop(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("collect interrupted: %w", err)
	}
	return r.final(err), c.scrub(err)
}

// scrub makes sure no error leaves Run holding the token.
func (c *Collector) scrub(err error) error {
	if err == nil || !c.Token.leaks(err.Error()) {
		return err
	}
	return errors.New(c.Token.redact(err.Error()))
}

func (c *Collector) start(ctx context.Context, p Params) (*run, error) {
	if err := CheckOrg(c.Org); err != nil {
		return nil, err
	}
	if c.Token.IsZero() && c.Auth == nil && !IsLoopback(c.Org.Hostname()) {
		return nil, errors.New("no API token")
	}
	if c.Sink == nil {
		return nil, errors.New("collector has no sink")
	}
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	first := logsURL(c.Org)
	first.RawQuery = p.query().Encode()
	r := &run{c: c, p: p, key: CheckpointKey(c.Org, p), next: first.String(), started: c.now()}
	return r, r.resume(ctx)
}

// resume starts from the saved checkpoint, if any.
func (r *run) resume(ctx context.Context) error {
	if r.c.Checkpoint == nil {
		return nil
	}
	next, ok, err := r.c.Checkpoint.LoadCheckpoint(ctx, r.key)
	if err != nil || !ok {
		return err
	}
	u, err := url.Parse(next)
	if err != nil || !sameOrigin(r.c.Org, u) {
		return fmt.Errorf("checkpoint for %s: saved link is not on the org's host", r.key)
	}
	r.next, r.prog.Resumed = next, true // before the fetcher starts
	return nil
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Collector) requestTimeout() time.Duration {
	if c.RequestTimeout > 0 {
		return c.RequestTimeout
	}
	return DefaultRequestTimeout
}

func (c *Collector) maxEmptyPages() int {
	if c.MaxEmptyPages > 0 {
		return c.MaxEmptyPages
	}
	return DefaultMaxEmptyPages
}

func (c *Collector) maxBody() int64 {
	if c.MaxBody > 0 {
		return c.MaxBody
	}
	return DefaultMaxBody
}

func (c *Collector) maxAttempts() int {
	if c.MaxAttempts > 0 {
		return c.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (c *Collector) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
