package web

import (
	"context"

	"fmt"
	"net/http"
	"strconv"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
)

// scopeView is what the scope page shows.
type scopeView struct {
	Layout layout
	Form   indicatorForm
	Error  *inputError
	// Report is the report with its lists cut (render.CutScope); nil
	// until an indicator is given. More counts the rows each list left
	// out (Rows is the most a list shows), All links to the whole report
	// (/api/scope), and Deviations counts them all.
	Report     *scope.Report
	More       render.ScopeMore
	Rows       int
	All        string
	Deviations int
	Resolved   string // the user id a login resolved to, when it differs
	Pivots     pivots // builds the report's links
	Links      []link // the indicator's pivots
	Graph      *render.GraphPicture
}

// scopePage serves /scope.
func (s *server) scopePage(w http.ResponseWriter, r *http.Request) error {
	st := readIndicatorState(r.URL.Query())
	st.Depth = min(max(st.Depth, 1), scope.MaxDepth)
	v := &scopeView{Layout: s.pictureLayout(r.Context(), "Scope", "scope"),
		Form: indicatorForm{Action: "/scope", State: st, Kinds: indicator.Kinds(), Depths: depths(), MaxSharedDefault: scope.DefaultMaxShared}, Pivots: pivotsOf(st.Since, st.Until)}
	if st.Kind == "" && st.Value == "" {
		return s.tmpl.render(w, http.StatusOK, "scope", v)
	}
	report, p, err := s.runScope(r.Context(), st)
	if ie, ok := asInputError(err); ok {
		v.Error = ie
		return s.tmpl.render(w, http.StatusBadRequest, "scope", v)
	} else if err != nil {
		return err
	}
	v.Report, v.More = render.CutScope(report)
	v.Rows = render.ScopeRows
	v.All, v.Deviations, v.Links = withQuery("/api/scope", st.values()), len(report.Deviations), indicatorPivots(p.Indicator, st)
	v.Graph = graphPicture(report, v.Pivots)
	if p.Indicator.Value != st.Value {
		v.Resolved = show(p.Indicator.Value)
	}
	return s.tmpl.render(w, http.StatusOK, "scope", v)
}

// runScope builds the scope report of an indicator view's state.
func (s *server) runScope(ctx context.Context, st indicatorState) (*scope.Report, *plannedIndicator, error) {
	p, err := s.planIndicator(ctx, st)
	if err != nil {
		return nil, p, err
	}
	maxShared, err := parseMaxShared(st.MaxShared)
	if err != nil {
		return nil, p, err
	}
	searcher := backend.Window{Reader: s.st, Since: p.Since, Until: p.Until}
	opts := scope.Options{Depth: st.Depth, MaxShared: maxShared, Timeline: s.opts.Timeline}
	report, err := scope.RunOptions(ctx, searcher, p.Indicator, opts)
	if err != nil {
		return nil, p, fmt.Errorf("scope %v: %w", p.Indicator, err)
	}
	return report, p, nil
}

// parseMaxShared reads the maxShared parameter as scope.Options wants it:
// empty is the default (0), "0" is no limit (negative), as the CLI's
// --max-shared.
func parseMaxShared(text string) (int, error) {
	if text == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(text)
	switch {
	case err != nil || n < 0:
		return 0, &inputError{Field: "maxShared", Msg: fmt.Sprintf("%q: want a number of users, 0 for no limit", text)}
	case n == 0:
		return -1, nil
	}
	return n, nil
}

// graphPicture is the data of the report's graph, each node with its
// pivots.
func graphPicture(r *scope.Report, p pivots) *render.GraphPicture {
	pic := render.ScopeGraph(r)
	pic.Pivots = map[string][]render.PictureLink{}
	for _, n := range r.Graph.Nodes {
		var links []link
		switch n.Kind {
		case scope.NodeUser:
			links = p.userPivots(n.Value)
		case scope.NodeIP:
			links = p.ipPivots(n.Value)
		case scope.NodeSession:
			links = p.sessionPivots(n.Value)
		case scope.NodeApp:
			links = []link{{Label: "events", URL: p.Equals("target.id", n.Value)}}
		case scope.NodeDevice:
			links = []link{{Label: "events", URL: p.Equals("device.id", n.Value)}}
		}
		if n.More > 0 || n.Value == "" {
			continue
		}
		for _, l := range links {
			pic.Pivots[n.ID] = append(pic.Pivots[n.ID], render.PictureLink{Label: l.Label, URL: l.URL})
		}
	}
	return pic
}

func depths() []int {
	out := make([]int, scope.MaxDepth)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
