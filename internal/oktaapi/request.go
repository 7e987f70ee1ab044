package oktaapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
)

// The System Log API's limits and defaults.
const (
	// DefaultLimit is the page size when limit is not given.
	DefaultLimit = 100
	// DefaultWindow is how far since reaches back from until when not given.
	DefaultWindow = 7 * 24 * time.Hour
	// MaxSinceAge is how far back since may reach ("The since parameter is
	// over 180 days prior to the current day" is an error).
	MaxSinceAge = 180 * 24 * time.Hour
)

// logsRequest is a parsed GET /api/v1/logs.
type logsRequest struct {
	since, until time.Time      // resolved bounds; zero: unbounded
	after        backend.Cursor // "" when not given
	filterText   string
	filter       filter.Expr
	qText        string
	keywords     *filter.Keywords
	limit        int
	sortOrder    string
	polling      bool // until unspecified and ascending
	// which parameters the request gave (for its self link)
	sinceGiven, untilGiven, limitGiven, sortGiven bool
}

// parseLogsRequest reads and checks the parameters, applying Okta's
// defaults: until is now for a bounded request (none for a polling one),
// and since 7 days before until (or before now when polling) unless the
// request resumes from after.
func parseLogsRequest(v url.Values, now time.Time) (*logsRequest, *APIError) {
	req := &logsRequest{filterText: v.Get("filter"), qText: v.Get("q"),
		limitGiven: v.Get("limit") != "", sortGiven: v.Get("sortOrder") != ""}
	var e *APIError
	for _, step := range []func() *APIError{
		func() (e *APIError) { req.limit, e = parseLimit(v.Get("limit")); return },
		func() (e *APIError) { req.sortOrder, e = parseSortOrder(v.Get("sortOrder")); return },
		func() (e *APIError) { req.since, req.sinceGiven, e = parseTime("since", v.Get("since")); return },
		func() (e *APIError) { req.until, req.untilGiven, e = parseTime("until", v.Get("until")); return },
		func() (e *APIError) { req.after, e = parseAfter(v.Get("after")); return },
		req.parseFilter,
		req.parseKeywords,
		func() *APIError { return checkSince(req.since, now) },
	} {
		if e = step(); e != nil {
			return nil, e
		}
	}
	req.resolveWindow(req.untilGiven, now)
	return req, nil
}

// resolveWindow applies the defaults of until and since.
func (req *logsRequest) resolveWindow(untilGiven bool, now time.Time) {
	req.polling = !untilGiven && req.sortOrder == Ascending
	end := now
	if !req.polling && !untilGiven {
		req.until = now
	}
	if untilGiven {
		end = req.until
	}
	if req.since.IsZero() && req.after == "" {
		req.since = end.Add(-DefaultWindow)
	}
}

// badParam is Okta's E0000001 for one parameter, shaped like the System Log
// API page's example ("Api validation failed: 'until': …", with a cause
// "until: …").
func badParam(name, msg string) *APIError {
	return newAPIError(http.StatusBadRequest, CodeValidation,
		fmt.Sprintf("Api validation failed: '%s': %s", name, msg), name+": "+msg)
}

func parseLimit(s string) (int, *APIError) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > MaxPageSize {
		return 0, badParam("limit", fmt.Sprintf("must be an integer between 0 and %d.", MaxPageSize))
	}
	return n, nil
}

func parseSortOrder(s string) (string, *APIError) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", Ascending:
		return Ascending, nil
	case Descending:
		return Descending, nil
	}
	return "", badParam("sortOrder", "must be ASCENDING or DESCENDING.")
}

// parseTime reads an RFC 3339 (ISO 8601) time; an empty value is unset, as
// Okta's own examples send "until=". A space stands for a "+" that the
// client left unescaped ("…T00:00:00+00:00" decodes to "…T00:00:00 00:00").
func parseTime(name, s string) (time.Time, bool, *APIError) {
	if s == "" {
		return time.Time{}, false, nil
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "+")
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false, badParam(name, "The date format in your query is not recognized. Please enter dates using ISO8601 string format.")
	}
	return t.UTC(), true, nil
}

// checkSince rejects a since more than 180 days back, with the System Log
// API page's error.
func checkSince(since, now time.Time) *APIError {
	if since.IsZero() || !since.Before(now.Add(-MaxSinceAge)) {
		return nil
	}
	return newAPIError(http.StatusBadRequest, CodeBadFilter,
		"Invalid parameter: The since parameter is over 180 days prior to the current day.")
}

// parseFilter parses filter; a syntax error is Okta's E0000053, its summary
// shaped like the System Log API page's ("Invalid filter '…': …"), the
// parser's message (with its position) also given as the cause.
func (req *logsRequest) parseFilter() *APIError {
	expr, err := filter.Parse(req.filterText)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "filter: ")
		return newAPIError(http.StatusBadRequest, CodeBadFilter,
			fmt.Sprintf("Invalid filter '%s': %s", clip(req.filterText, 200), msg), msg)
	}
	req.filter = expr
	return nil
}

// parseKeywords parses q (at most 10 keywords of at most 40 characters).
func (req *logsRequest) parseKeywords() *APIError {
	k, err := filter.ParseKeywords(req.qText)
	if err == nil {
		req.keywords = k
		return nil
	}
	for _, f := range strings.Fields(req.qText) {
		if utf8.RuneCountInString(f) > filter.MaxKeywordLength {
			return badParam("q", "Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.")
		}
	}
	return badParam("q", strings.TrimPrefix(err.Error(), "q: "))
}

// encodeAfter makes a backend's cursor into an opaque after token.
func encodeAfter(c backend.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c))
}

// parseAfter reads an after token made by encodeAfter. Whether the cursor
// within is valid, the backend says when it is searched (badAfter).
func parseAfter(s string) (backend.Cursor, *APIError) {
	if s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return "", badAfter()
	}
	return backend.Cursor(b), nil
}

// badAfter is the error of an after token that is not one of ours.
func badAfter() *APIError {
	return badParam("after", "Invalid paging request. Ensure the pagination cursor has not been altered.")
}

// backendQuery is the backend query of the page: one extra event for a
// bounded request, to know whether another page follows. A polling request
// pages in the order the backend received the events, as Okta's polling
// requests follow its persistence order: an event stored late with an
// early published time reaches the poller on its next page. A bounded
// request is ordered by published.
func (req *logsRequest) backendQuery() backend.Query {
	limit := req.limit
	order := backend.ByReceived
	if !req.polling {
		limit++
		order = backend.ByPublished
	}
	return backend.Query{
		Filter: req.filter, Keywords: req.keywords,
		Since: req.since, Until: req.until,
		Limit: limit, Order: order, Desc: req.sortOrder == Descending, After: req.after,
	}
}

// selfQuery is the self link's query: the request's own parameters as
// parsed and checked (a time in RFC 3339, the after token re-encoded),
// unknown parameters left out. Encoded by url.Values, nothing in it can
// end the link.
func (req *logsRequest) selfQuery() url.Values {
	v := url.Values{}
	if req.filterText != "" {
		v.Set("filter", req.filterText)
	}
	if req.qText != "" {
		v.Set("q", req.qText)
	}
	if req.limitGiven {
		v.Set("limit", strconv.Itoa(req.limit))
	}
	if req.sortGiven {
		v.Set("sortOrder", req.sortOrder)
	}
	if req.sinceGiven {
		v.Set("since", req.since.Format(time.RFC3339Nano))
	}
	if req.untilGiven {
		v.Set("until", req.until.Format(time.RFC3339Nano))
	}
	if req.after != "" {
		v.Set("after", encodeAfter(req.after))
	}
	return v
}

// nextQuery is the next link's query: the same filter, q, limit, order
// and (bounded) until, with after at the last event returned (or, on an
// empty polling page, where this request started). since is left out, as
// "since and after are mutually exclusive", unless there is no position
// yet.
func (req *logsRequest) nextQuery(last backend.Cursor) url.Values {
	v := url.Values{}
	if req.filterText != "" {
		v.Set("filter", req.filterText)
	}
	if req.qText != "" {
		v.Set("q", req.qText)
	}
	v.Set("limit", strconv.Itoa(req.limit))
	v.Set("sortOrder", req.sortOrder)
	if !req.polling {
		v.Set("until", req.until.Format(time.RFC3339Nano))
	}
	switch {
	case last != "":
		v.Set("after", encodeAfter(last))
	case req.after != "":
		v.Set("after", encodeAfter(req.after))
	default:
		v.Set("since", req.since.Format(time.RFC3339Nano))
	}
	return v
}
