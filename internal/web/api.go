package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
)

// api adapts a JSON handler: it bounds its time, encodes its result and
// turns its error into {"error": {...}} with a status.
func (s *server) api(h func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, cancel := s.withTimeout(r)
		defer cancel()
		result, err := h(r)
		var body []byte
		if err == nil {
			body, err = s.encodeAnswer(result)
		}
		status := http.StatusOK
		if err != nil {
			var msg string
			status, msg = s.classify(r, err)
			body, _ = json.Marshal(errorBody(err, msg))
		}
		writeJSONBody(w, status, body)
	}
}

// encodeAnswer encodes an answer: a raw JSON value (an event) as it is, an
// answer holding events as it encodes itself, and anything else with
// encoding/json (which escapes <, > and &), within
// Options.MaxAnswerBytes.
func (s *server) encodeAnswer(v any) ([]byte, error) {
	var body []byte
	switch raw := v.(type) {
	case json.RawMessage:
		body = raw
	case rawJSON:
		var err error
		if body, err = raw.encodeJSON(); err != nil {
			return nil, fmt.Errorf("web: cannot encode the answer: %w", err)
		}
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("web: cannot encode the answer: %w", err)
		}
	}
	if len(body) > s.opts.MaxAnswerBytes {
		return nil, &tooLargeError{What: "answer", Limit: s.opts.MaxAnswerBytes}
	}
	return body, nil
}

// apiError is the body of an API error.
type apiError struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Message    string   `json:"message"`
	Field      string   `json:"field,omitempty"`
	Line       int      `json:"line,omitempty"`
	Column     int      `json:"column,omitempty"`
	Candidates []string `json:"candidates,omitempty"`
}

func errorBody(err error, msg string) apiError {
	body := apiError{Error: apiErrorDetail{Message: msg}}
	if ie, ok := asInputError(err); ok {
		body.Error = apiErrorDetail{Message: ie.Msg, Field: ie.Field, Line: ie.Line, Column: ie.Column}
		for _, c := range ie.Candidates {
			body.Error.Candidates = append(body.Error.Candidates, c.ID)
		}
	}
	return body
}

// writeJSONBody writes an encoded JSON answer.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte{'\n'})
}

// searchResponse is the body of /api/search and /api/hunt.
type searchResponse struct {
	Playbook *playbookJSON `json:"playbook,omitempty"`
	Value    string        `json:"value,omitempty"`
	UserID   string        `json:"userId,omitempty"`
	Filter   string        `json:"filter"`
	Q        string        `json:"q"`
	Since    *time.Time    `json:"since"`
	Until    *time.Time    `json:"until"`
	Order    string        `json:"order"`
	Count    int           `json:"count"`
	Next     string        `json:"next,omitempty"`
	NextURL  string        `json:"nextUrl,omitempty"`
	// Events are written last, as their original bytes (encodeJSON).
	Events []json.RawMessage `json:"events,omitempty"`
}

// rawJSON is an answer that encodes itself.
type rawJSON interface {
	encodeJSON() ([]byte, error)
}

// encodeJSON writes the answer with "events" last, each event as its
// original bytes: encoding/json would check each one again, and refuses
// the nesting a hostile event may have (over 10,000 levels).
func (r searchResponse) encodeJSON() ([]byte, error) {
	events := r.Events
	r.Events = nil
	head, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	n := len(head) + 16
	for _, e := range events {
		n += len(e) + 1
	}
	body := make([]byte, 0, n)
	body = append(body, head[:len(head)-1]...) // without its closing brace
	body = append(body, `,"events":[`...)
	for i, e := range events {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, e...)
	}
	return append(body, "]}"...), nil
}

// apiSearch serves /api/search: a page of events matching a filter.
func (s *server) apiSearch(r *http.Request) (any, error) {
	st := readSearchState(r.URL.Query())
	st.Playbook, st.Value = "", ""
	return s.searchJSON(r, st, "/api/search")
}

// apiHunt serves /api/hunt: a page of events of a playbook run.
func (s *server) apiHunt(r *http.Request) (any, error) {
	st := readSearchState(r.URL.Query())
	if st.Playbook == "" {
		return nil, &inputError{Field: "playbook", Msg: "name a playbook (GET /api/playbooks lists them)"}
	}
	return s.searchJSON(r, st, "/api/hunt")
}

// searchJSON is the body of /api/search and /api/hunt for a state.
func (s *server) searchJSON(r *http.Request, st searchState, path string) (any, error) {
	p, err := s.plan(r.Context(), st)
	if err != nil {
		return nil, err
	}
	events, next, err := s.fetchPage(r.Context(), p.Query, st.After, s.pageSize(st.Limit))
	if err != nil {
		return nil, err
	}
	resp := searchResponse{Filter: p.FilterText, Q: st.Keywords, Order: st.Order,
		Since: timeOrNil(p.Query.Since), Until: timeOrNil(p.Query.Until), Count: len(events), Events: rawEvents(events)}
	if p.Playbook != nil {
		resp.Playbook, resp.Value = playbookJSONOf(*p.Playbook), st.Value
		if p.Playbook.Parameter == indicator.User {
			resp.UserID = p.HuntValue
		}
	}
	if next != "" {
		n := st
		n.After, n.Page, n.Open = next, 0, nil
		resp.Next, resp.NextURL = next, withQuery(path, n.values())
	}
	return resp, nil
}

func rawEvents(events []*logevent.Event) []json.RawMessage {
	out := make([]json.RawMessage, 0, len(events))
	for _, e := range events {
		out = append(out, e.Raw)
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// playbookJSON describes a playbook.
type playbookJSON struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Parameter   string   `json:"parameter"`
	Placeholder string   `json:"placeholder"`
	Filter      string   `json:"filter"`
	EventTypes  []string `json:"eventTypes"`
}

func playbookJSONOf(p catalog.Playbook) *playbookJSON {
	return &playbookJSON{Name: p.Name, Title: p.Title, Description: p.Description, Parameter: string(p.Parameter),
		Placeholder: p.Placeholder, Filter: p.Template, EventTypes: append([]string{}, p.EventTypes...)}
}

// apiPlaybooks serves /api/playbooks: the article's queries.
func (s *server) apiPlaybooks(*http.Request) (any, error) {
	var out []*playbookJSON
	for _, p := range catalog.Playbooks() {
		out = append(out, playbookJSONOf(p))
	}
	return out, nil
}

// indicatorJSON describes the indicator of a timeline.
type indicatorJSON struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Resolved string `json:"resolved"`
}

// timelineResponse is the body of /api/timeline.
type timelineResponse struct {
	Indicator indicatorJSON   `json:"indicator"`
	Events    int             `json:"events"`
	Truncated bool            `json:"truncated"`
	Timeline  json.RawMessage `json:"timeline"`
}

// apiTimeline serves /api/timeline: an indicator's flows and deviations.
func (s *server) apiTimeline(r *http.Request) (any, error) {
	st := readIndicatorState(r.URL.Query())
	var v timelineView
	tl, err := s.buildTimeline(r.Context(), st, &v)
	if err != nil {
		return nil, err
	}
	body, err := render.MarshalTimeline(tl)
	if err != nil {
		return nil, err
	}
	resolved := st.Value
	if v.Resolved != "" {
		resolved = v.Resolved
	}
	return timelineResponse{Indicator: indicatorJSON{Kind: st.Kind, Value: st.Value, Resolved: resolved},
		Events: v.Events, Truncated: v.Truncated, Timeline: body}, nil
}

// apiScope serves /api/scope: the scope report, as scope --format json
// writes it (docs/scope.md).
func (s *server) apiScope(r *http.Request) (any, error) {
	st := readIndicatorState(r.URL.Query())
	st.Depth = min(max(st.Depth, 1), scope.MaxDepth)
	report, _, err := s.runScope(r.Context(), st)
	if err != nil {
		return nil, err
	}
	body, err := render.MarshalScope(report)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(body), nil
}

// histogramJSON is the body of /api/histogram.
type histogramJSON struct {
	From        *time.Time   `json:"from"`
	To          *time.Time   `json:"to"`
	StepSeconds float64      `json:"stepSeconds"`
	Total       int          `json:"total"`
	Complete    bool         `json:"complete"`
	Buckets     []bucketJSON `json:"buckets"`
}

type bucketJSON struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Count *int      `json:"count"` // null when not counted within the budget
}

// apiHistogram serves /api/histogram: events over time.
func (s *server) apiHistogram(r *http.Request) (any, error) {
	p, err := s.plan(r.Context(), readSearchState(r.URL.Query()).firstPage())
	if err != nil {
		return nil, err
	}
	h, err := s.histogram(r.Context(), p.Query)
	if err != nil {
		return nil, err
	}
	out := histogramJSON{From: timeOrNil(h.From), To: timeOrNil(h.To), StepSeconds: h.Step.Seconds(),
		Total: h.Total, Complete: h.Complete, Buckets: []bucketJSON{}}
	for _, b := range h.Buckets {
		bj := bucketJSON{Start: b.Start.UTC(), End: b.End.UTC()}
		if b.Counted {
			bj.Count = &b.Count
		}
		out.Buckets = append(out.Buckets, bj)
	}
	return out, nil
}

// apiEvent serves /api/event: one event's original JSON.
func (s *server) apiEvent(r *http.Request) (any, error) {
	e, err := s.eventByUUID(r.Context(), r.URL.Query().Get("uuid"))
	if err != nil {
		return nil, err
	}
	return json.RawMessage(e.Raw), nil
}

// validateResponse is the body of /api/validate.
type validateResponse struct {
	Valid bool            `json:"valid"`
	Error *apiErrorDetail `json:"error,omitempty"`
}

// apiValidate serves /api/validate: whether a filter and keywords parse,
// and where they do not. The page's script calls it as the filter is typed.
func (s *server) apiValidate(r *http.Request) (any, error) {
	q := r.URL.Query()
	_, err := filter.Parse(q.Get("filter"))
	if err != nil {
		err = filterError(err)
	} else if _, kerr := filter.ParseKeywords(q.Get("q")); kerr != nil {
		err = &inputError{Field: "q", Msg: kerr.Error()}
	}
	if err == nil {
		return validateResponse{Valid: true}, nil
	}
	detail := errorBody(err, "").Error
	return validateResponse{Error: &detail}, nil
}
