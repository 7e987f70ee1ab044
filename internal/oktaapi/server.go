package oktaapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Server defaults.
const (
	// DefaultServerRateLimit is the requests a minute a Server allows when
	// ServerOptions.RateLimit is 0: generous for local tools, yet enforced
	// and reported like Okta's.
	DefaultServerRateLimit = 6000
	// DefaultQueryTimeout is Okta's: "Individual queries have a timeout of
	// 30 seconds."
	DefaultQueryTimeout = 30 * time.Second
	// DefaultServerMaxPageBytes bounds a page's events: 1,000 Okta events
	// are a few MB, so only a store of huge (hostile) events reaches it.
	DefaultServerMaxPageBytes = 32 << 20
)

// ServerOptions configures NewServer. The zero value serves without a token
// check, faults or a tight rate limit, on the real clock.
type ServerOptions struct {
	// Token, when set, must arrive as "Authorization: SSWS <token>" (or
	// "Bearer <token>"); otherwise the answer is 401 E0000011.
	Token string
	// Faults injects failures, for tests and drills.
	Faults FaultConfig
	// RateLimit is the requests a minute allowed (0: DefaultServerRateLimit;
	// negative: unlimited, and no X-Rate-Limit-* headers). Past it, 429
	// E0000047 until the window resets.
	RateLimit int
	// Now is the server's clock (default time.Now). It sets the defaults of
	// since and until, the 180-day limit on since, the Date header and the
	// rate-limit windows, so it must advance. To serve an old evidence set
	// as if it were recent, shift it: time.Now plus (newest event − now).
	Now func() time.Time
	// QueryTimeout bounds one backend query (default DefaultQueryTimeout);
	// past it the answer is 500 E0000009, as Okta's.
	QueryTimeout time.Duration
	// MaxPageBytes bounds the events of one page (default
	// DefaultServerMaxPageBytes): a page stops short of it, after at least
	// one event, and its next link goes on from there.
	MaxPageBytes int
	// OAuth, when set, serves the token endpoint of OAuth 2.0 service apps
	// (POST /oauth2/v1/token) and takes the access tokens it issues, beside
	// Token; without Token, only those.
	OAuth *OAuthOptions
}

// server is the handler NewServer returns.
type server struct {
	st      backend.Reader
	opts    ServerOptions
	limiter *limiter
	faults  *faultInjector
	auth    *authServer // nil without OAuthOptions
}

// NewServer returns a handler serving GET /api/v1/logs over st with Okta's
// contract (see the package documentation): the same parameters, defaults
// and limits, Okta's filter and q semantics, Link headers with an opaque
// after cursor (a bounded request's last page has no next link; a polling
// request always has one), Okta's error objects, an optional token check,
// X-Rate-Limit-* headers and optional fault injection. Each event is
// returned as its original bytes. Every other path answers 404.
//
// A polling request pages in the order the backend received the events
// (backend.ByReceived), as Okta's follow its persistence time: an event
// stored later with an older published time reaches a poller on its next
// page. A bounded request is ordered by published. Where an evidence set
// differs from a live org: data older than 90 days is served (Okta drops
// it), since evidence must not vanish. A request carrying both since and
// after (as okta-sdk-golang sends when it merges the first request's
// parameters into a next link) is accepted: since then only bounds it.
func NewServer(st backend.Reader, opts ServerOptions) http.Handler {
	s := &server{st: st, opts: opts, faults: newFaultInjector(opts.Faults)}
	if opts.OAuth != nil {
		s.auth = newAuthServer(*opts.OAuth)
	}
	switch {
	case opts.RateLimit == 0:
		s.limiter = &limiter{limit: DefaultServerRateLimit}
	case opts.RateLimit > 0:
		s.limiter = &limiter{limit: opts.RateLimit}
	}
	return s
}

func (s *server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// ServeHTTP answers one request: token, rate limit, faults, parameters,
// then the page.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	h := w.Header()
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	h.Set("X-Okta-Request-Id", randomID(27))
	if r.URL.Path == TokenPath && s.auth != nil {
		s.auth.serveToken(w, r)
		return
	}
	if r.URL.Path != LogsPath {
		writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, "The requested path was not found"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		writeError(w, newAPIError(http.StatusMethodNotAllowed, CodeMethod, "The endpoint does not support the provided HTTP method"))
		return
	}
	// The token first: a request without it must not spend the token
	// holder's rate-limit budget (6,000 tokenless requests would otherwise
	// lock them out for a minute).
	if e := s.admit(w, r); e != nil {
		writeError(w, e)
		return
	}
	if !s.limiter.take(now, h) {
		writeError(w, newAPIError(http.StatusTooManyRequests, CodeRateLimit, rateLimitSummary))
		return
	}
	f := s.faults.decide()
	if s.injectBefore(w, r, f, now) {
		return
	}
	req, e := parseLogsRequest(r.URL.Query(), now)
	if e != nil {
		writeError(w, e)
		return
	}
	s.serveLogs(w, r, req, f)
}

// admit checks the request's credentials: an OAuth access token the
// server issued, else the API token.
func (s *server) admit(w http.ResponseWriter, r *http.Request) *APIError {
	if s.auth != nil {
		if e, ok := s.auth.check(w, r); ok {
			return e
		}
	}
	if !s.authorized(r) {
		return newAPIError(http.StatusUnauthorized, CodeInvalidToken, "Invalid token provided")
	}
	return nil
}

// rateLimitSummary is the System Log API page's text for E0000047.
const rateLimitSummary = "API call exceeded rate limit due to too many requests."

func (s *server) authorized(r *http.Request) bool {
	if s.opts.Token == "" {
		return s.auth == nil
	}
	got := []byte(r.Header.Get("Authorization"))
	ok := 0
	for _, scheme := range []string{SchemeSSWS, SchemeBearer} {
		ok |= subtle.ConstantTimeCompare(got, []byte(scheme+" "+s.opts.Token))
	}
	return ok == 1
}

// serveLogs runs the query and writes the page with its links.
func (s *server) serveLogs(w http.ResponseWriter, r *http.Request, req *logsRequest, f faults) {
	res, err := s.query(r.Context(), req)
	if err != nil {
		s.queryFailed(w, r, err)
		return
	}
	n := min(len(res.raws), req.limit)
	more := res.cut || (!req.polling && len(res.raws) > req.limit)
	var last backend.Cursor
	if n > 0 {
		last = res.cursors[n-1]
	}
	base := baseURL(r)
	h := w.Header()
	// self is rebuilt from the parameters as parsed, never copied from the
	// raw query: a crafted query could otherwise close the link and add
	// one of its own (a next link to another host).
	h.Add("Link", "<"+base+"?"+req.selfQuery().Encode()+`>; rel="self"`)
	if req.polling || more {
		h.Add("Link", "<"+base+"?"+req.nextQuery(last).Encode()+`>; rel="next"`)
	}
	writePage(w, r, res.raws[:n], f.truncate)
}

// result is what a query found: original event bytes and their cursors.
type result struct {
	raws    [][]byte
	cursors []backend.Cursor
	cut     bool // the page stopped at MaxPageBytes: more may follow
}

// errPageFull stops a query whose page reached MaxPageBytes.
var errPageFull = errors.New("page full")

// query fetches the page's events: one more than the limit for a bounded
// request, to tell whether another page follows. The page stops early
// once its events hold MaxPageBytes (after at least one event), and its
// next link goes on from there.
func (s *server) query(ctx context.Context, req *logsRequest) (*result, error) {
	res := &result{}
	if req.limit == 0 {
		return res, nil
	}
	timeout := s.opts.QueryTimeout
	if timeout <= 0 {
		timeout = DefaultQueryTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	budget, size := s.opts.MaxPageBytes, 0
	if budget <= 0 {
		budget = DefaultServerMaxPageBytes
	}
	err := s.st.Search(ctx, req.backendQuery(), func(e *logevent.Event, c backend.Cursor) error {
		if len(res.raws) > 0 && len(res.raws) < req.limit && size+len(e.Raw) > budget {
			res.cut = true
			return errPageFull
		}
		res.raws = append(res.raws, e.Raw)
		res.cursors = append(res.cursors, c)
		size += len(e.Raw)
		return nil
	})
	if errors.Is(err, errPageFull) {
		err = nil
	}
	return res, err
}

// queryFailed answers a failed query: a bad after token, Okta's timeout
// error past the query timeout, an internal error otherwise (nothing when
// the client left).
func (s *server) queryFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case r.Context().Err() != nil:
		return
	case errors.Is(err, backend.ErrInvalidCursor):
		writeError(w, badAfter())
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, newAPIError(http.StatusInternalServerError, CodeInternal, timeoutSummary))
	default:
		writeError(w, newAPIError(http.StatusInternalServerError, CodeInternal, "Internal Server Error"))
	}
}

// timeoutSummary is the System Log API page's text for a query timeout.
const timeoutSummary = "Your last request took too long to complete. This is likely due to a load issue on our side. We've logged this and will work to address it. Please either simplify your query or wait a few minutes and try again."

// baseURL is the absolute URL of the endpoint as the client reached it.
func baseURL(r *http.Request) string { return requestURL(r, LogsPath).String() }

// writePage writes the events as a JSON array of their original bytes,
// or (a truncation fault) half of it before dropping the connection.
func writePage(w http.ResponseWriter, r *http.Request, raws [][]byte, truncate bool) {
	body := pageBody(raws)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if truncate {
		writeTruncated(w, body)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func pageBody(raws [][]byte) []byte {
	n := 2
	for _, raw := range raws {
		n += len(raw) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	b.WriteByte('[')
	for i, raw := range raws {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(raw)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// writeError writes Okta's error object with its status.
func writeError(w http.ResponseWriter, e *APIError) {
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
