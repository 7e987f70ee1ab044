package web

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
)

// show makes attacker-controlled text safe to look at: it keeps at most
// maxShown bytes of it (saying how long it was), and shows control,
// bidirectional and invisible characters as escapes (render.Terminal).
// html/template then escapes it for HTML.
func show(s string) string { return render.Terminal(render.Clip(s, maxShown)) }

// Time formats of the views, all in UTC.
const (
	rowTime  = "2006-01-02 15:04:05.000"
	fullTime = "2006-01-02T15:04:05.000Z07:00"
)

// eventRow is one row of a results table.
type eventRow struct {
	UUID       string
	Time       string // rowTime
	Published  string // fullTime
	Actor      actorCell
	EventType  string
	Definition string // the event type's definition, for the title attribute
	TypeURL    string // search of this event type
	Outcome    string
	Reason     string
	Failed     bool
	IP         string
	IPURL      string // hunt ip-signin
	Location   string
	Session    string
	SessionURL string // session timeline; empty for an API transaction
	// TransactionURL searches the events of an API transaction: an
	// externalSessionId naming a request made outside any session
	// (logevent's session rule), not followed as a session.
	TransactionURL string
	Message        string
	Open           bool
	ToggleURL      string       // the view with this row expanded or collapsed
	DetailURL      string       // the fragment of the expanded row
	Detail         *eventDetail // when Open
}

// actorCell is the actor of an event and its pivots.
type actorCell struct {
	Name, Login, ID, Type string
	HuntURL, SearchURL    string
}

// newRow builds the row of an event.
func newRow(e *logevent.Event, pv pivots) eventRow {
	r := eventRow{
		UUID: show(e.UUID), Time: e.Time.UTC().Format(rowTime), Published: e.Time.UTC().Format(fullTime),
		Actor:     newActorCell(e.Actor, pv),
		EventType: show(e.EventType), Definition: definitionOf(e.EventType), TypeURL: pv.Equals("eventType", e.EventType),
		Outcome: show(e.Outcome.Result), Reason: show(e.Outcome.Reason), Failed: isFailure(e.Outcome.Result),
		IP: show(e.Client.IPAddress), Location: show(render.Location(e)),
		Session: show(e.AuthenticationContext.ExternalSessionID), Message: show(e.DisplayMessage),
		DetailURL: detailURL(e.UUID, pv),
	}
	if e.Client.IPAddress != "" {
		r.IPURL = pv.Hunt("ip-signin", e.Client.IPAddress)
	}
	if id := e.SessionID(); id != "" {
		r.SessionURL = pv.Timeline("session", id)
	} else if id := e.APITransaction(); id != "" {
		r.TransactionURL = pv.Equals("authenticationContext.externalSessionId", id)
	}
	return r
}

func newActorCell(a logevent.Actor, pv pivots) actorCell {
	c := actorCell{Name: show(a.DisplayName), Login: show(a.AlternateID), ID: show(a.ID), Type: show(a.Type)}
	if a.ID == "" {
		return c
	}
	c.SearchURL = pv.Equals("actor.id", a.ID)
	if a.Type == "" || strings.EqualFold(a.Type, "User") {
		c.HuntURL = pv.Hunt("user-signin", a.ID)
	}
	return c
}

// isFailure reports whether an outcome is a failure or a denial.
func isFailure(result string) bool {
	switch strings.ToUpper(result) {
	case "FAILURE", "DENY", "REJECTED", "ABANDONED":
		return true
	}
	return false
}

// definitionOf is the article's (or Okta's) definition of an event type,
// and where it sits in the article's flows; empty when unknown.
func definitionOf(eventType string) string {
	def, ok := catalog.Lookup(eventType)
	var b strings.Builder
	if ok {
		b.WriteString(def.Description)
	}
	for _, step := range catalog.StepsOf(eventType) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Step %d of the flow %q.", step.Step, step.Sequence)
	}
	return b.String()
}

// eventDetail is an event's full JSON and its pivots.
type eventDetail struct {
	UUID       string
	EventType  string
	Definition string
	JSON       render.JSONView // indented within bounds, unsafe characters escaped
	RawBytes   string          // the size of the raw event, for the download link
	Groups     []pivotGroup
	// MoreTargets counts the target users past maxTargetPivots, listed
	// without pivots (in the JSON view and the raw event only).
	MoreTargets string
	PageURL     string // the event's own page
	RawURL      string // the raw event, as a download
}

// newDetail builds the expanded view of an event.
func newDetail(e *logevent.Event, pv pivots) *eventDetail {
	d := &eventDetail{
		UUID: show(e.UUID), EventType: show(e.EventType), Definition: definitionOf(e.EventType),
		JSON: render.DisplayJSON(e.Raw), RawBytes: render.Thousands(len(e.Raw)), PageURL: pv.Event(e.UUID), RawURL: rawEventURL(e.UUID),
	}
	var more int
	d.Groups, more = eventPivots(e, pv)
	if more > 0 {
		d.MoreTargets = render.Thousands(more)
	}
	return d
}

// eventPivots lists the pivots an event offers: its actor, its user
// targets (the first maxTargetPivots distinct ones: more reports how many
// others there are), its IP address, its session and its event type.
func eventPivots(e *logevent.Event, pv pivots) (groups []pivotGroup, more int) {
	if e.Actor.ID != "" {
		groups = append(groups, pivotGroup{Name: "actor", Value: show(e.Actor.ID),
			Note: show(joinNonEmpty(" ", e.Actor.DisplayName, e.Actor.AlternateID)), Links: pv.userPivots(e.Actor.ID)})
	}
	listed := make(map[string]bool)
	for _, t := range e.Target {
		if t.ID == "" || !strings.EqualFold(t.Type, "User") || t.ID == e.Actor.ID || listed[t.ID] {
			continue
		}
		if len(listed) == maxTargetPivots {
			more++
			continue
		}
		listed[t.ID] = true
		groups = append(groups, pivotGroup{Name: "target user", Value: show(t.ID),
			Note: show(joinNonEmpty(" ", t.DisplayName, t.AlternateID)), Links: pv.userPivots(t.ID)})
	}
	if ip := e.Client.IPAddress; ip != "" {
		groups = append(groups, pivotGroup{Name: "IP address", Value: show(ip), Note: show(render.Location(e)), Links: pv.ipPivots(ip)})
	}
	if id := e.SessionID(); id != "" {
		groups = append(groups, pivotGroup{Name: "session", Value: show(id), Links: pv.sessionPivots(id)})
	} else if id := e.APITransaction(); id != "" {
		groups = append(groups, pivotGroup{Name: "API transaction", Value: show(id), Note: "a request outside any session",
			Links: []link{{"events of this transaction", pv.Equals("authenticationContext.externalSessionId", id), "Every event of this request"}}})
	}
	groups = append(groups, pivotGroup{Name: "event type", Value: show(e.EventType), Note: definitionOf(e.EventType),
		Links: []link{{"all events of this type", pv.Equals("eventType", e.EventType), "Every event of this type"}}})
	return groups, more
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
