package web

import (
	"encoding/json"
	"net/http"
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
		status := http.StatusOK
		if err != nil {
			var msg string
			status, msg = s.classify(r, err)
			result = errorBody(err, msg)
		}
		writeJSON(w, status, result)
	}
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

// writeJSON writes v as JSON (with <, > and & escaped, as encoding/json
// does by default).
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"message":"cannot encode the response"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// searchResponse is the body of /api/search and /api/hunt.
type searchResponse struct {
	Playbook *playbookJSON     `json:"playbook,omitempty"`
	Value    string            `json:"value,omitempty"`
	UserID   string            `json:"userId,omitempty"`
	Filter   string            `json:"filter"`
	Q        string            `json:"q"`
	Since    *time.Time        `json:"since"`
	Until    *time.Time        `json:"until"`
	Order    string            `json:"order"`
	Count    int               `json:"count"`
	Events   []json.RawMessage `json:"events"`
	Next     string            `json:"next,omitempty"`
	NextURL  string            `json:"nextUrl,omitempty"`
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
	after, err := parseCursor(st.After)
	if err != nil {
		return nil, err
	}
	events, next, err := s.fetchPage(r.Context(), p.Query, after, s.pageSize(st.Limit))
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
		out = append(out, json.RawMessage(e.Raw))
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
