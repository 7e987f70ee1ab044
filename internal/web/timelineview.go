package web

import (
	"context"

	"fmt"
	"net/http"

	"github.com/oktascope/oktascope/internal/indicator"

	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
)

// timelineView is what the timeline page shows.
type timelineView struct {
	Layout     layout
	Form       indicatorForm
	Error      *inputError
	Ran        bool   // an indicator was given and searched
	Resolved   string // the user id a login resolved to, when it differs
	Events     int
	Truncated  bool // more events than Options.MaxTimelineEvents
	Max        int
	Flows      []flowView
	Deviations int
	Thresholds string
	Links      []link
	Lanes      *render.LanesPicture
	Map        *render.MapPicture
}

// indicatorForm is the form of the timeline and scope pages.
type indicatorForm struct {
	Action string
	State  indicatorState
	Kinds  []indicator.Kind
	Depths []int // scope only: the depths offered
	// MaxSharedDefault is scope's default limit on a followed link's users.
	MaxSharedDefault int
}

// flowView is one flow of a timeline.
type flowView struct {
	Anchor     string
	Kind       string
	Title      string
	Session    string
	SessionURL string
	Actor      string // name and login, escaped
	ActorID    string
	ActorURL   string
	Start, End string
	Complete   bool
	Deviations []deviationView
	Steps      []stepView
}

// deviationView is one deviation of a flow.
type deviationView struct {
	Kind    string
	Message string
	Events  []link // anchors of the events it cites
}

// stepView is one event of a flow.
type stepView struct {
	Row         eventRow
	Label       string
	Description string
	Network     string
	UserAgent   string
	Flagged     bool
	EventURL    string
}

// flowTitles name the kinds of flow as the article does.
var flowTitles = map[timeline.Kind]string{
	timeline.KindSignin:    "Sign in to Okta",
	timeline.KindAppSignin: "Sign in to an app",
	timeline.KindMFA:       "MFA",
	timeline.KindSSPR:      "Self-service password reset",
	timeline.KindSSU:       "Self-service account unlock",
	timeline.KindLogout:    "Logout",
	timeline.KindMFAChange: "MFA configuration change",
	timeline.KindOther:     "Other events",
}

// timelinePage serves /timeline.
func (s *server) timelinePage(w http.ResponseWriter, r *http.Request) error {
	st := readIndicatorState(r.URL.Query())
	v := &timelineView{Layout: s.pictureLayout(r.Context(), "Timeline", "timeline"),
		Form: indicatorForm{Action: "/timeline", State: st, Kinds: indicator.Kinds()}, Max: s.opts.MaxTimelineEvents}
	if st.Kind == "" && st.Value == "" {
		return s.tmpl.render(w, http.StatusOK, "timeline", v)
	}
	tl, err := s.buildTimeline(r.Context(), st, v)
	if ie, ok := asInputError(err); ok {
		v.Error = ie
		return s.tmpl.render(w, http.StatusBadRequest, "timeline", v)
	} else if err != nil {
		return err
	}
	v.Ran = true
	v.fill(tl, st)
	return s.tmpl.render(w, http.StatusOK, "timeline", v)
}

// buildTimeline reads an indicator's events into a timeline.
func (s *server) buildTimeline(ctx context.Context, st indicatorState, v *timelineView) (timeline.Timeline, error) {
	p, err := s.planIndicator(ctx, st)
	if err != nil {
		return timeline.Timeline{}, err
	}
	events, truncated, err := s.indicatorEvents(ctx, p, s.opts.MaxTimelineEvents)
	if err != nil {
		return timeline.Timeline{}, err
	}
	if p.Indicator.Value != st.Value {
		v.Resolved = show(p.Indicator.Value)
	}
	v.Events, v.Truncated = len(events), truncated
	v.Links = indicatorPivots(p.Indicator, st)
	b := timeline.NewBuilder(s.opts.Timeline)
	for _, e := range events {
		b.Add(e)
	}
	return b.Finish(), nil
}

func (v *timelineView) fill(tl timeline.Timeline, st indicatorState) {
	o := tl.Options
	v.Thresholds = fmt.Sprintf("MFA fatigue: %d challenges within %v; recovery window %v; join window %v; travel speed %g km/h",
		o.FatigueCount, o.FatigueWindow, o.RecoveryWindow, o.JoinWindow, o.TravelSpeed)
	v.Lanes, v.Map = render.TimelineLanes(tl), render.SignInMap(tl)
	pv := pivotsOf(st.Since, st.Until)
	for i, f := range tl.Flows {
		v.Deviations += len(f.Deviations)
		v.Flows = append(v.Flows, flowViewOf(i, f, pv))
	}
}

func flowViewOf(i int, f timeline.Flow, pv pivots) flowView {
	fv := flowView{
		Anchor: fmt.Sprintf("flow-%d", i+1), Kind: string(f.Kind), Title: flowTitles[f.Kind],
		Session: show(f.Session), Actor: show(joinNonEmpty(" ", f.Actor.DisplayName, f.Actor.AlternateID)),
		ActorID: show(f.Actor.ID), Start: f.Start.UTC().Format(fullTime), End: f.End.UTC().Format(fullTime),
		Complete: f.Complete,
	}
	if fv.Title == "" {
		fv.Title = fv.Kind
	}
	if f.Session != "" {
		fv.SessionURL = pv.Timeline("session", f.Session)
	}
	if f.Actor.ID != "" {
		fv.ActorURL = pv.Timeline("user", f.Actor.ID)
	}
	flagged := map[string]bool{}
	for _, d := range f.Deviations {
		fv.Deviations = append(fv.Deviations, deviationViewOf(d))
		for _, id := range d.UUIDs {
			flagged[id] = true
		}
	}
	for _, step := range f.Steps {
		fv.Steps = append(fv.Steps, stepViewOf(step, flagged[step.Event.UUID], pv))
	}
	return fv
}

func deviationViewOf(d timeline.Deviation) deviationView {
	dv := deviationView{Kind: string(d.Kind), Message: show(d.Message)}
	for _, id := range d.UUIDs {
		dv.Events = append(dv.Events, link{Label: show(shortID(id)), URL: "#ev-" + id, Title: show(id)})
	}
	return dv
}

func stepViewOf(step timeline.Step, flagged bool, pv pivots) stepView {
	e := step.Event
	return stepView{
		Row: newRow(e, pv), Label: step.Label, Description: step.Description,
		Network: show(render.Network(e)), UserAgent: show(e.Client.UserAgent.RawUserAgent),
		Flagged: flagged, EventURL: pv.Event(e.UUID),
	}
}

// shortID shortens a long id for display.
func shortID(id string) string {
	if r := []rune(id); len(r) > 12 {
		return string(r[:8]) + "…"
	}
	return id
}
