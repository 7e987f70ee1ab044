package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/store"
)

// inputError is a parameter the user got wrong: the page shows it next to
// the field, the API returns it with status 400.
type inputError struct {
	Field  string // the query parameter: filter, q, since, until, after, playbook, value, kind
	Msg    string
	Line   int // filter syntax errors: 1-based line and column
	Column int
	// Candidates are the user ids a login names, when it names several.
	Candidates []store.UserRef
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

// plannedSearch is a search or hunt view's state made into a store query.
type plannedSearch struct {
	State      searchState
	FilterText string            // the filter searched: typed, or the playbook's
	Playbook   *catalog.Playbook // the hunt's playbook, nil for a search
	HuntValue  string            // the hunt's value, a login resolved to a user id
	Query      store.Query       // Limit and After unset
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
	if pb.Parameter == catalog.ParameterUser {
		id, err := s.resolveUser(ctx, value)
		if err != nil {
			return err
		}
		value = id
	}
	p.HuntValue = value
	p.FilterText = pb.Filter(value)
	return nil
}

// parameterNoun names what a playbook parameter asks for.
func parameterNoun(p catalog.Parameter) string {
	switch p {
	case catalog.ParameterUser:
		return "user id or login"
	case catalog.ParameterIP:
		return "IP address"
	case catalog.ParameterSession:
		return "external session id"
	}
	return string(p)
}

// resolveUser turns a login into the Okta user id it names; an id, or a
// value the store does not know as a login, is returned as it is.
func (s *server) resolveUser(ctx context.Context, value string) (string, error) {
	refs, err := s.st.ResolveUser(ctx, value)
	if err != nil {
		return "", err
	}
	for _, r := range refs {
		if r.ID == value {
			return value, nil
		}
	}
	if id, ok := onlyUser(refs); ok {
		return id, nil
	}
	switch {
	case len(refs) == 1:
		return refs[0].ID, nil
	case len(refs) == 0 && strings.Contains(value, "@"):
		return "", &inputError{Field: "value", Msg: fmt.Sprintf("no user %q in the store: give an Okta user id (00u…) or a login seen in the events", value)}
	case len(refs) == 0:
		return value, nil
	}
	return "", &inputError{Field: "value", Msg: fmt.Sprintf("login %q names several users: pick one", value), Candidates: refs}
}

// onlyUser picks the one user among the ids a login names, when the others
// are not users: ResolveUser also lists targets such as an app's user
// (AppUser, 0ua…) that carry the person's login. The one id seen acting,
// or else the one Okta user id (00u…), is the user.
func onlyUser(refs []store.UserRef) (string, bool) {
	for _, isUser := range []func(store.UserRef) bool{
		func(r store.UserRef) bool { return r.ActorEvents > 0 },
		func(r store.UserRef) bool { return strings.HasPrefix(r.ID, "00u") },
	} {
		var ids []string
		for _, r := range refs {
			if isUser(r) {
				ids = append(ids, r.ID)
			}
		}
		if len(ids) == 1 {
			return ids[0], true
		}
	}
	return "", false
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
// time, a date (midnight UTC), or a duration before now (90m, 24h, 7d).
// Empty is the zero time (unbounded).
func parseWhen(field, value string, now time.Time) (time.Time, error) {
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
	return time.Time{}, &inputError{Field: field, Msg: fmt.Sprintf("%q: want an RFC 3339 time (2024-05-01T12:00:00Z), a date (2024-05-01) or a duration ago (90m, 24h, 7d)", value)}
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

// parseCursor reads the after parameter.
func parseCursor(text string) (*store.Cursor, error) {
	if text == "" {
		return nil, nil
	}
	c, err := store.ParseCursor(text)
	if err != nil {
		return nil, &inputError{Field: "after", Msg: "not a page cursor: follow the next-page link"}
	}
	return &c, nil
}
