package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// inputError is a parameter the user got wrong: the page shows it next to
// the field, the API returns it with status 400.
type inputError struct {
	Field  string // the query parameter: filter, q, since, until, after, playbook, value, kind
	Msg    string
	Line   int // filter syntax errors: 1-based line and column
	Column int
	// Candidates are the user ids a login names, when it names several.
	Candidates []indicator.UserRef
}

// Error says which parameter is wrong, where and why.
func (e *inputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d, column %d: %s", e.Field, e.Line, e.Column, e.Msg)
	}
	return e.Field + ": " + e.Msg
}

// caret returns the line of text the error is on and a caret under its
// column, for display; both are empty when the error has no position.
func (e *inputError) caret(text string) (line, mark string) {
	if e.Line <= 0 {
		return "", ""
	}
	lines := strings.Split(text, "\n")
	if e.Line > len(lines) {
		return "", ""
	}
	line = strings.TrimRight(lines[e.Line-1], "\r")
	col := min(max(e.Column, 1), len([]rune(line))+1)
	return line, strings.Repeat(" ", col-1) + "^"
}

// filterError turns a filter parse error into an inputError.
func filterError(err error) *inputError {
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		return &inputError{Field: "filter", Msg: se.Msg, Line: se.Line, Column: se.Column}
	}
	return &inputError{Field: "filter", Msg: err.Error()}
}

// plannedSearch is a search or hunt view's state made into a backend query.
type plannedSearch struct {
	State      searchState
	FilterText string            // the filter searched: typed, or the playbook's
	Playbook   *catalog.Playbook // the hunt's playbook, nil for a search
	HuntValue  string            // the hunt's value, a login resolved to a user id
	Query      backend.Query     // Limit and After unset
}

// plan validates a view's state and builds its query.
func (s *server) plan(ctx context.Context, st searchState) (*plannedSearch, error) {
	p := &plannedSearch{State: st, FilterText: st.Filter}
	if st.Playbook != "" {
		if err := s.planHunt(ctx, p); err != nil {
			return p, err
		}
	}
	expr, err := filter.Parse(p.FilterText)
	if err != nil {
		return p, filterError(err)
	}
	p.Query.Filter = expr
	if p.Query.Keywords, err = filter.ParseKeywords(st.Keywords); err != nil {
		return p, &inputError{Field: "q", Msg: err.Error()}
	}
	if p.Query.Since, p.Query.Until, err = s.window(st.Since, st.Until); err != nil {
		return p, err
	}
	p.Query.Desc = st.Order != "asc"
	return p, nil
}

// planHunt sets the filter of a hunt: the playbook's, with its value (a
// login resolved to a user id).
func (s *server) planHunt(ctx context.Context, p *plannedSearch) error {
	pb, ok := catalog.PlaybookByName(p.State.Playbook)
	if !ok {
		return &inputError{Field: "playbook", Msg: fmt.Sprintf("no playbook %q", p.State.Playbook)}
	}
	p.Playbook = &pb
	value := p.State.Value
	if value == "" {
		return &inputError{Field: "value", Msg: fmt.Sprintf("playbook %s needs a %s", pb.Name, parameterNoun(pb.Parameter))}
	}
	if pb.Parameter == indicator.User {
		ind, err := s.resolve(ctx, indicator.Indicator{Kind: indicator.User, Value: value})
		if err != nil {
			return err
		}
		value = ind.Value
	}
	p.HuntValue = value
	p.FilterText = pb.Filter(value)
	return nil
}

// parameterNoun names what a playbook parameter asks for.
func parameterNoun(p indicator.Kind) string {
	switch p {
	case indicator.User:
		return "user id or login"
	case indicator.IP:
		return "IP address"
	case indicator.Session:
		return "external session id"
	}
	return string(p)
}

// resolve resolves a user indicator's login to the user's id
// (indicator.Resolve); a login that names no single user is the value
// parameter's error, with the candidates when it names several.
func (s *server) resolve(ctx context.Context, ind indicator.Indicator) (indicator.Indicator, error) {
	resolved, err := indicator.Resolve(ctx, s.st, ind)
	var userErr *indicator.UserError
	if errors.As(err, &userErr) {
		msg := userErr.Error()
		if len(userErr.Candidates) > 0 {
			msg = fmt.Sprintf("login %q names several users: pick one", ind.Value)
		}
		return resolved, &inputError{Field: "value", Msg: msg, Candidates: userErr.Candidates}
	}
	return resolved, err
}

// window parses since and until.
func (s *server) window(sinceText, untilText string) (since, until time.Time, err error) {
	now := s.opts.Now()
	if since, err = parseWhen("since", sinceText, now); err != nil {
		return
	}
	if until, err = parseWhen("until", untilText, now); err != nil {
		return
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		err = &inputError{Field: "until", Msg: "until must be later than since"}
	}
	return
}

// parseWhen reads a since or until value as the CLI does: an RFC 3339
// time, a date (midnight UTC), or a duration before now (90m, 24h, 7d),
// from 1970 to 2100 (earliestTime, latestTime): no System Log holds other
// times, and the histogram's arithmetic stays within bounds. Empty is the
// zero time (unbounded).
func parseWhen(field, value string, now time.Time) (time.Time, error) {
	t, err := timewindow.Parse(value, now)
	if err != nil {
		return time.Time{}, &inputError{Field: field, Msg: err.Error()}
	}
	if !t.IsZero() && (t.Before(earliestTime) || t.After(latestTime)) {
		return time.Time{}, &inputError{Field: field, Msg: fmt.Sprintf("%s is out of range: give a time from %s to %s",
			t.UTC().Format(time.RFC3339), earliestTime.Format(time.DateOnly), latestTime.Format(time.DateOnly))}
	}
	return t, nil
}

// errBadCursor is the error of an after parameter the backend refused.
var errBadCursor = &inputError{Field: "after", Msg: "not a page cursor: follow the next-page link"}
