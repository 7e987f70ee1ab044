// Package detect runs detections over a stream of events: oktascope's
// built-in detections (embedded Sigma rules for spraying, brute force,
// proxies and scripted user agents; the timeline's MFA fatigue, session
// hijack and recovery takeover; admin console access from a new IP), Sigma
// rules for Okta and Okta's own customer-detections filters. Every finding
// names its rule, severity, indicator and time span, and cites its events.
package detect

import (
	"slices"
	"sort"
	"time"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/sigma"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Finding is one detection: a rule fired for an indicator over a time span,
// citing the events that made it fire. Its JSON form is the output layer's
// (internal/render, docs/detect.md).
type Finding struct {
	Rule     string
	Title    string
	Severity string // info, low, medium, high or critical
	Source   string // builtin, sigma, okta
	// Indicator is what the finding is about: a user (by login when the
	// events give one, else by id), an IP address or a session; for a
	// Sigma count rule grouped by another field, that field's path is
	// the Kind.
	Indicator indicator.Indicator
	Start     time.Time
	End       time.Time
	Count     int
	Message   string
	UUIDs     []string
	// FollowUp is the oktascope command line that investigates the
	// finding further, as arguments (unquoted, without the program's
	// name); nil when there is none.
	FollowUp []string
}

// Options choose the rules an Engine runs.
type Options struct {
	// Builtin enables oktascope's own detections, with Thresholds.
	Builtin    bool
	Thresholds Thresholds
	// Sigma and Okta are rules loaded from files (--rules).
	Sigma []*sigma.Rule
	Okta  []*oktarules.Rule
	// Live makes the engine follow a stream with no end (oktascope watch):
	// see Drain.
	Live bool
}

// Engine evaluates rules over events fed in ascending published order.
type Engine struct {
	aggregators []*sigmaRun
	okta        []oktaRun
	byType      map[string]*dispatch // per event type, the rules that may match
	grouped     map[groupKey]*Finding
	findings    []Finding
	timeline    *timeline.Builder
	retired     time.Time // when the timeline last retired finished flows
	adminIP     *newAdminIP
	spray       *spray
	live        *liveState // nil unless Options.Live
}

// retireEvery is how often, in event time, the engine has the timeline
// retire the flows no later event can change: their findings are final,
// and their events are dropped, so that a run holds the events of the
// active window, not of the log.
const retireEvery = time.Minute

// dispatch is what the engine runs on events of one type: the rules whose
// eventType tests do not rule the type out (most rules name the types they
// look at, so an event meets a handful of the rules, not all of them).
type dispatch struct {
	sigma   []bool    // per aggregator: may match (else only its clock moves)
	okta    []oktaRun // the Okta filters that may match
	article bool      // the type is in the article's flows (timeline)
}

type oktaRun struct {
	rule    *oktarules.Rule
	matcher *filter.Matcher
}

type sigmaRun struct {
	rule     *sigma.Rule
	agg      *sigma.Aggregator
	counting bool // the rule counts in a window: its clock moves on every event
	source   string
}

func newSigmaRun(r *sigma.Rule, source string) *sigmaRun {
	agg := sigma.NewAggregator(r)
	return &sigmaRun{rule: r, agg: agg, counting: agg.Counting(), source: source}
}

// groupKey merges the per-event matches of a rule for one indicator into
// one finding.
type groupKey struct {
	rule      string
	indicator indicator.Indicator
}

// New returns an engine for the rules opts chooses.
func New(opts Options) (*Engine, error) {
	e := &Engine{grouped: map[groupKey]*Finding{}, byType: map[string]*dispatch{}}
	if opts.Live {
		e.live = newLiveState(opts.Thresholds)
	}
	for _, r := range opts.Okta {
		e.okta = append(e.okta, oktaRun{rule: r, matcher: filter.Compile(sigma.CheapFirst(r.Filter))})
	}
	for _, r := range opts.Sigma {
		e.aggregators = append(e.aggregators, newSigmaRun(r, "sigma"))
	}
	if !opts.Builtin {
		return e, nil
	}
	builtin, err := BuiltinRules(opts.Thresholds)
	if err != nil {
		return nil, err
	}
	for _, r := range builtin {
		if r.ID == sprayRuleID {
			e.spray = newSpray(r)
			continue
		}
		e.aggregators = append(e.aggregators, newSigmaRun(r, "builtin"))
	}
	e.timeline = timeline.NewBuilder(opts.Thresholds.Timeline)
	e.adminIP = newNewAdminIP()
	return e, nil
}

// Add evaluates on one event the rules its type does not rule out (every
// count rule's clock moves all the same), and has the timeline retire,
// once a minute of event time, the flows no later event can change. The
// engine takes the event: it trims it (logevent.Event.Trim) and keeps it
// while its flow is open, so the caller must not use it afterwards.
func (e *Engine) Add(ev *logevent.Event) {
	if e.live != nil {
		e.closeIdle(ev.Time)
	}
	d := e.dispatchOf(ev.EventType)
	for i, run := range e.aggregators {
		var found []sigma.Finding
		switch {
		case d.sigma[i]:
			found = run.agg.Add(ev)
		case run.counting:
			found = run.agg.Advance(ev.Time)
		}
		for _, f := range found {
			e.addSigma(run.source, f, ev)
		}
	}
	for _, run := range d.okta {
		if run.matcher.Match(ev) {
			r := run.rule
			e.merge(Finding{Rule: r.ID, Title: r.Title, Severity: severityOr(r.Severity, "medium"), Source: "okta"}, ev)
		}
	}
	if e.adminIP != nil {
		if f, ok := e.adminIP.add(ev); ok {
			e.findings = append(e.findings, f)
		}
	}
	if e.spray != nil {
		for _, f := range e.spray.add(ev) {
			e.addSigma("builtin", f, ev)
		}
	}
	if e.timeline != nil {
		if ev.Time.Sub(e.retired) >= retireEvery {
			e.retired = ev.Time
			e.findings = append(e.findings, timelineFindings(e.timeline.RetireAttacks(ev.Time))...)
		}
		if d.article {
			ev.Trim() // the timeline keeps it while its flow is open
			e.timeline.Add(ev)
		}
	}
}

// dispatchOf returns the rules to run on events of one type, working them
// out the first time the type is seen.
func (e *Engine) dispatchOf(eventType string) *dispatch {
	if d, ok := e.byType[eventType]; ok {
		return d
	}
	d := &dispatch{sigma: make([]bool, len(e.aggregators)), article: inArticleFlows(eventType)}
	for i, run := range e.aggregators {
		d.sigma[i] = run.rule.MayMatchEventType(eventType)
	}
	for _, run := range e.okta {
		if sigma.FilterMayMatchEventType(run.rule.Filter, eventType) {
			d.okta = append(d.okta, run)
		}
	}
	e.byType[eventType] = d
	return d
}

// addSigma records a Sigma finding: a count finding stands alone (its group
// is the indicator); a per-event match merges with the rule's others for
// the same indicator.
func (e *Engine) addSigma(source string, f sigma.Finding, ev *logevent.Event) {
	if f.Rule.Aggregation == nil {
		e.merge(Finding{Rule: f.Rule.ID, Title: f.Rule.Title, Severity: severityOr(f.Rule.Level, "medium"), Source: source}, ev)
		return
	}
	e.findings = append(e.findings, countFinding(source, f))
}

// countFinding is the finding of a count rule's burst.
func countFinding(source string, f sigma.Finding) Finding {
	base := Finding{Rule: f.Rule.ID, Title: f.Rule.Title, Severity: severityOr(f.Rule.Level, "medium"), Source: source}
	base.Indicator = groupIndicator(f.Rule.Aggregation.GroupBy, f.Group)
	base.Start, base.End, base.Count, base.UUIDs = f.Start, f.End, f.Count, f.UUIDs
	base.Message = f.Rule.Aggregation.String()
	if f.Rule.ID == sprayRuleID {
		base.Message += "; failures of users who signed in from the address within " + sigmaDuration(f.Rule.Aggregation.Timeframe) + " are not counted"
	}
	return withFollowUp(base)
}

// merge adds one matching event to its rule's finding for the event's user.
func (e *Engine) merge(base Finding, ev *logevent.Event) {
	base.Indicator = userIndicator(ev)
	key := groupKey{rule: base.Rule, indicator: base.Indicator}
	f, ok := e.grouped[key]
	if !ok {
		base.Start = ev.Time
		f = &base
		e.grouped[key] = f
	}
	f.End = ev.Time
	f.Count++
	if e.live == nil || e.live.cite(key, f) {
		f.UUIDs = append(f.UUIDs, ev.UUID)
	}
}

// Finish flushes the windows and the timeline and returns every finding,
// ordered by start time, then rule.
func (e *Engine) Finish() []Finding {
	for _, run := range e.aggregators {
		for _, f := range run.agg.Flush() {
			e.addSigma(run.source, f, nil)
		}
	}
	if e.spray != nil {
		for _, f := range e.spray.flush() {
			e.addSigma("builtin", f, nil)
		}
	}
	out := slices.Clone(e.findings)
	for _, f := range e.grouped {
		out = append(out, withFollowUp(*f))
	}
	if e.timeline != nil {
		out = append(out, timelineFindings(e.timeline.Finish().Flows)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Indicator.Value < out[j].Indicator.Value
	})
	return out
}

// inArticleFlows reports whether an event is of a type the article's flows
// hold: only those go to the timeline, which keeps the events it is given.
func inArticleFlows(eventType string) bool {
	_, ok := catalog.Lookup(eventType)
	return ok
}

func severityOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// userIndicator names the user an event is about: its actor when that is a
// user, else the first user it targets, else the actor whatever it is.
func userIndicator(ev *logevent.Event) indicator.Indicator {
	if ev.Actor.Type != "User" {
		for _, t := range ev.Target {
			if t.Type == "User" {
				return userOf(t.AlternateID, t.ID)
			}
		}
	}
	return userOf(ev.Actor.AlternateID, ev.Actor.ID)
}

// userOf is the indicator of a user: by login when there is one, else by id.
func userOf(login, id string) indicator.Indicator {
	return indicator.Indicator{Kind: indicator.User, Value: firstNonEmpty(login, id)}
}

// groupPriority lists the group-by fields a count rule's finding takes its
// indicator from, most specific first: a session belongs to one user, and a
// user has many addresses. A rule grouped by several of them gets the first
// listed here, whatever the order of its group-by.
var groupPriority = []struct {
	path string // lower case
	kind indicator.Kind
}{
	{"authenticationcontext.externalsessionid", indicator.Session},
	{"actor.alternateid", indicator.User},
	{"actor.id", indicator.User},
	{"client.ipaddress", indicator.IP},
}

// groupIndicator reads the indicator from a count rule's group-by values
// (groupBy is the rule's group-by, in its order): the field of
// groupPriority that the rule groups by, else the rule's first group-by
// field, whose path is then the kind.
func groupIndicator(groupBy []string, group map[string]string) indicator.Indicator {
	for _, p := range groupPriority {
		for _, path := range groupBy {
			if lower(path) == p.path {
				return indicator.Indicator{Kind: p.kind, Value: group[path]}
			}
		}
	}
	if len(groupBy) > 0 {
		return indicator.Indicator{Kind: indicator.Kind(groupBy[0]), Value: group[groupBy[0]]}
	}
	return indicator.Indicator{}
}

// withFollowUp adds the command that investigates the finding further: the
// timeline of its user, address or session.
func withFollowUp(f Finding) Finding {
	if f.Indicator.Kind.Valid() {
		f.FollowUp = []string{"timeline", "--" + string(f.Indicator.Kind), f.Indicator.Value}
	}
	return f
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
