package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
)

// searchView is what the search and hunt pages show.
type searchView struct {
	Layout    layout
	State     searchState
	Plan      *plannedSearch
	Error     *inputError
	ErrLine   string // the filter's line with the syntax error
	ErrMark   string // a caret under the error's column
	Playbooks []playbookOption
	Hunt      *huntBanner
	Results   *resultPage
	// HistogramURL is the fragment the script loads into the histogram.
	HistogramURL string
	FilterRows   int    // the height of the filter box, in lines
	AscURL       string // the view, oldest first
	DescURL      string // the view, newest first
}

// resultPage is one page of results.
type resultPage struct {
	Rows        []eventRow
	First, Last int    // 1-based positions of the first and last rows
	NextURL     string // the next page; empty on the last
	FirstURL    string // the first page; empty on it
	Columns     int    // the table's columns (for an expanded row's colspan)
}

// huntBanner describes the playbook a hunt runs.
type huntBanner struct {
	Playbook catalog.Playbook
	Noun     string // what the value is
	Value    string // as given, escaped for display
	Resolved string // the user id a login resolved to, when it differs
	Links    []link // pivots of the value
}

// playbookOption is a playbook in the picker.
type playbookOption struct {
	Name, Title, Description, Noun string
	Selected                       bool
}

func playbookOptions(selected string) []playbookOption {
	var out []playbookOption
	for _, p := range catalog.Playbooks() {
		out = append(out, playbookOption{Name: p.Name, Title: p.Title, Description: p.Description,
			Noun: parameterNoun(p.Parameter), Selected: p.Name == selected})
	}
	return out
}

// searchPage serves / : a search, or an empty form.
func (s *server) searchPage(w http.ResponseWriter, r *http.Request) error {
	return s.resultsPage(w, r, readSearchState(r.URL.Query()), "Search")
}

// huntPage serves /hunt: one of the article's playbooks for a value.
func (s *server) huntPage(w http.ResponseWriter, r *http.Request) error {
	st := readSearchState(r.URL.Query())
	title := "Hunt"
	if st.Playbook != "" {
		title = "Hunt " + st.Playbook
	}
	return s.resultsPage(w, r, st, title)
}

// resultsPage renders a search or hunt view: the form, the hunt banner, a
// page of results, or the input error.
func (s *server) resultsPage(w http.ResponseWriter, r *http.Request, st searchState, title string) error {
	ctx := r.Context()
	v := &searchView{Layout: s.layout(ctx, title, "search"), State: st, Playbooks: playbookOptions(st.Playbook)}
	plan, err := s.plan(ctx, st)
	v.Plan = plan
	v.FilterRows = min(max(strings.Count(plan.FilterText, "\n")+1, 3), 8)
	if err == nil {
		v.Results, err = s.results(ctx, plan)
	}
	if ie, ok := asInputError(err); ok {
		v.setError(ie)
		return s.tmpl.render(w, http.StatusBadRequest, "search", v)
	} else if err != nil {
		return err
	}
	v.Hunt = huntBannerOf(plan)
	v.HistogramURL = withQuery("/ui/histogram", st.firstPage().values())
	asc, desc := st.firstPage(), st.firstPage()
	asc.Order, desc.Order = "asc", "desc"
	v.AscURL, v.DescURL = asc.URL(), desc.URL()
	return s.tmpl.render(w, http.StatusOK, "search", v)
}

func (v *searchView) setError(ie *inputError) {
	v.Error = ie
	if ie.Field == "filter" && v.Plan != nil {
		v.ErrLine, v.ErrMark = ie.caret(v.Plan.FilterText)
		v.ErrLine = show(v.ErrLine)
	}
}

func huntBannerOf(p *plannedSearch) *huntBanner {
	if p.Playbook == nil {
		return nil
	}
	b := &huntBanner{Playbook: *p.Playbook, Noun: parameterNoun(p.Playbook.Parameter), Value: show(p.State.Value)}
	if p.HuntValue != p.State.Value {
		b.Resolved = show(p.HuntValue)
	}
	pv := pivotsOf(p.State.Since, p.State.Until)
	switch p.Playbook.Parameter {
	case indicator.User:
		b.Links = pv.userPivots(p.HuntValue)
	case indicator.IP:
		b.Links = pv.ipPivots(p.HuntValue)
	case indicator.Session:
		b.Links = pv.sessionPivots(p.HuntValue)
	}
	return b
}

// pageSize is the number of rows a view asks for, within limits.
func (s *server) pageSize(asked int) int {
	if asked <= 0 {
		return s.opts.PageSize
	}
	return min(asked, MaxPageSize)
}

// results fetches the page of results a state names.
func (s *server) results(ctx context.Context, p *plannedSearch) (*resultPage, error) {
	st := p.State
	limit := s.pageSize(st.Limit)
	events, next, err := s.fetchPage(ctx, p.Query, st.After, limit)
	if err != nil {
		return nil, err
	}
	page := &resultPage{First: (st.Page-1)*limit + 1, Columns: 9}
	page.Last = page.First + len(events) - 1
	pv := pivotsOf(st.Since, st.Until)
	for _, e := range events {
		page.Rows = append(page.Rows, rowIn(e, st, pv))
	}
	if next != "" {
		n := st
		n.After, n.Page, n.Open = next, st.Page+1, nil
		page.NextURL = n.URL()
	}
	if st.After != "" {
		page.FirstURL = st.firstPage().URL()
	}
	return page, nil
}

// rowIn builds a row as it shows in a view: expanded or not.
func rowIn(e *logevent.Event, st searchState, pv pivots) eventRow {
	row := newRow(e, pv)
	row.Open = st.isOpen(e.UUID)
	if len(e.UUID) <= maxIDLength {
		row.ToggleURL = st.toggled(e.UUID).URL()
	}
	if row.Open {
		row.Detail = newDetail(e, pv)
	}
	return row
}

// fetchPage returns up to limit events of q after a cursor (the after
// parameter: "" for the first page), and the cursor of the next page (""
// when none follows). A page also stops once its events hold half of
// Options.MaxAnswerBytes (after at least one), so that a page of huge
// events stays within the answer's bound: the next page goes on from
// there.
func (s *server) fetchPage(ctx context.Context, q backend.Query, after string, limit int) ([]*logevent.Event, string, error) {
	q.After, q.Limit = backend.Cursor(after), limit+1
	var events []*logevent.Event
	var last backend.Cursor
	more, size, budget := false, 0, s.opts.MaxAnswerBytes/2
	err := s.st.Search(ctx, q, func(e *logevent.Event, c backend.Cursor) error {
		if len(events) == limit || (len(events) > 0 && size+len(e.Raw) > budget) {
			more = true
			return errPageFull
		}
		events, last, size = append(events, e), c, size+len(e.Raw)
		return nil
	})
	switch {
	case errors.Is(err, errPageFull):
		err = nil
	case errors.Is(err, backend.ErrInvalidCursor):
		return nil, "", errBadCursor
	}
	if err != nil || !more {
		return events, "", err
	}
	return events, string(last), nil
}

// errPageFull stops a page's search once it is full.
var errPageFull = errors.New("page full")

// histogramFragment serves /ui/histogram: the histogram of a search or
// hunt, as HTML the script inserts.
func (s *server) histogramFragment(w http.ResponseWriter, r *http.Request) error {
	st := readSearchState(r.URL.Query()).firstPage()
	plan, err := s.plan(r.Context(), st)
	if err != nil {
		return err
	}
	h, err := s.histogram(r.Context(), plan.Query)
	if err != nil {
		return err
	}
	return s.tmpl.render(w, http.StatusOK, "histogram", histogramViewOf(h, st))
}
