package catalog

import (
	"slices"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
)

// Playbook is one of the article's System Log queries, with the article's
// placeholder standing for the value the analyst supplies.
type Playbook struct {
	// Name is the playbook's name: user-signin, ip-signin, session,
	// session-signin, user-logout, user-mfa-changes, user-sspr, user-ssu.
	Name string
	// Title is the article's heading above the query.
	Title string
	// Description is the article's sentence introducing the query.
	Description string
	// Parameter is the kind of indicator the playbook takes: a user id
	// (actor.id / target.id), an IP address or an external session id.
	Parameter indicator.Kind
	// Placeholder is the article's placeholder text, e.g. "<enter user id>".
	Placeholder string
	// Template is the article's query text, byte for byte, placeholders included.
	Template string
	// EventTypes are the event types the query selects, in the query's order;
	// empty when it selects every event type (the "session" playbook).
	EventTypes []string
}

// Filter returns the playbook's query with every placeholder replaced by value.
// The placeholders sit inside double-quoted strings, and value is escaped as a
// JSON string body (`"` → `\"`, `\` → `\\`, control characters → `\uXXXX`,
// invalid UTF-8 → `\ufffd`), so whatever it holds it stays one string literal and
// cannot change the query's structure. Filter(p.Placeholder) == p.Template.
func (p Playbook) Filter(value string) string {
	return strings.ReplaceAll(p.Template, p.Placeholder, escapeStringBody(value))
}

// escapeStringBody escapes s for use between the double quotes of a filter
// string literal, exactly as filter.Quote does.
func escapeStringBody(s string) string {
	quoted := filter.Quote(s)
	return quoted[1 : len(quoted)-1]
}

// eventTypeClause is how the article's queries name an event type.
const eventTypeClause = `eventType eq "`

// eventTypesIn reads the event types a filter selects from its
// `eventType eq "..."` clauses, in order, without repeats.
func eventTypesIn(filter string) []string {
	var eventTypes []string
	for rest := filter; ; {
		_, after, found := strings.Cut(rest, eventTypeClause)
		if !found {
			return eventTypes
		}
		eventType, remainder, closed := strings.Cut(after, `"`)
		if !closed {
			return eventTypes
		}
		if !slices.Contains(eventTypes, eventType) {
			eventTypes = append(eventTypes, eventType)
		}
		rest = remainder
	}
}
