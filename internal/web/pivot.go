package web

import (
	"net/url"

	"github.com/oktascope/oktascope/internal/filter"
)

// pivots builds the links of one-click pivots. They keep the time range of
// the view they start from.
type pivots struct {
	Since, Until string
}

func pivotsOf(since, until string) pivots { return pivots{Since: since, Until: until} }

// Every pivot's URL is "" when the value it carries is longer than
// maxPivotValue (a hostile event's megabyte-long value would otherwise be
// copied into every link of a page; no filter could search it anyway), and
// the templates leave such links out.

// Search is the search view of an Okta filter.
func (p pivots) Search(filterText string) string {
	if len(filterText) > 4*maxPivotValue {
		return ""
	}
	return searchState{Filter: filterText, Since: p.Since, Until: p.Until}.URL()
}

// Equals is the search view of the events whose path equals value.
func (p pivots) Equals(path, value string) string {
	if len(value) > maxPivotValue {
		return ""
	}
	return p.Search(path + " eq " + filter.Quote(value))
}

// Hunt is the view of a playbook run for value.
func (p pivots) Hunt(playbook, value string) string {
	if len(value) > maxPivotValue {
		return ""
	}
	return searchState{Playbook: playbook, Value: value, Since: p.Since, Until: p.Until}.URL()
}

// Timeline is the timeline view of an indicator.
func (p pivots) Timeline(kind, value string) string {
	if len(value) > maxPivotValue {
		return ""
	}
	return withQuery("/timeline", indicatorState{Kind: kind, Value: value, Since: p.Since, Until: p.Until}.values())
}

// Scope is the scope view of an indicator.
func (p pivots) Scope(kind, value string) string {
	if len(value) > maxPivotValue {
		return ""
	}
	return withQuery("/scope", indicatorState{Kind: kind, Value: value, Since: p.Since, Until: p.Until}.values())
}

// Event is the page of one event.
func (p pivots) Event(uuid string) string {
	if len(uuid) > maxPivotValue {
		return ""
	}
	return withQuery("/event", url.Values{"uuid": {uuid}})
}

// link is a labelled pivot.
type link struct {
	Label string // the link's text
	URL   string
	Title string // what it does, shown on hover
}

// pivotGroup is a value of an event and the pivots it offers.
type pivotGroup struct {
	Name  string // what the value is: actor, target, IP address, session, …
	Value string // the value, escaped for display
	Note  string // more about it (a login, a place), escaped for display
	Links []link
}

// userPivots are the pivots of a user id.
func (p pivots) userPivots(id string) []link {
	return []link{
		{"sign-ins", p.Hunt("user-signin", id), "The article's query for this user's sign-in and recovery events (playbook user-signin)"},
		{"as actor", p.Equals("actor.id", id), "Every event this user performed"},
		{"as target", p.Equals("target.id", id), "Every event that targets this user"},
		{"timeline", p.Timeline("user", id), "This user's events in the article's flows, with deviations"},
		{"scope", p.Scope("user", id), "Everything tied to this user"},
	}
}

// ipPivots are the pivots of a client IP address.
func (p pivots) ipPivots(ip string) []link {
	return []link{
		{"sign-ins", p.Hunt("ip-signin", ip), "The article's query for sign-in events from this address (playbook ip-signin)"},
		{"all events", p.Equals("client.ipAddress", ip), "Every event from this address"},
		{"timeline", p.Timeline("ip", ip), "This address's events in the article's flows, with deviations"},
		{"scope", p.Scope("ip", ip), "Everything tied to this address"},
	}
}

// sessionPivots are the pivots of an external session id.
func (p pivots) sessionPivots(id string) []link {
	return []link{
		{"timeline", p.Timeline("session", id), "This session's events in the article's flows, with deviations"},
		{"all events", p.Hunt("session", id), "Every event of this session (playbook session)"},
		{"sign-ins", p.Hunt("session-signin", id), "The sign-in events of this session (playbook session-signin)"},
		{"scope", p.Scope("session", id), "Everything tied to this session"},
	}
}
