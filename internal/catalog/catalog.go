// Package catalog holds what oktascope knows about the Okta System Log before it
// reads a single event: the event types the article names and their definitions,
// the article's sign-in and recovery flows as ordered steps, the article's queries
// as named playbooks, and links that open a query in the Okta Admin Console.
//
// Everything comes from the YAML files under data/, embedded in the binary and
// parsed once, on first use. The article's words (definitions, step descriptions,
// query text) are kept exactly; the tests compare them with testdata/article.txt.
package catalog

import (
	"embed"
	"slices"
	"sync"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Kind says what a definition names: an event type or a LogEvent field.
type Kind string

// The kinds of definition. The article's Definitions table defines one field,
// actor.id, among its event types.
const (
	KindEvent Kind = "event"
	KindField Kind = "field"
)

// Source says whose words a definition is.
type Source string

// The sources of definitions.
const (
	// SourceArticle is the article's Definitions table, word for word.
	SourceArticle Source = "article"
	// SourceOktaEventTypes is Okta's Event Types catalogue (event-types.json in
	// okta/okta-developer-docs), word for word, for types the article uses
	// without defining them.
	SourceOktaEventTypes Source = "okta-event-types"
)

// EventType is the definition of one event type (or, for KindField, of one
// LogEvent field) that the article names.
type EventType struct {
	// ID is the eventType value, e.g. "user.session.start".
	ID string
	// Kind is KindEvent, or KindField for a LogEvent field such as actor.id.
	Kind Kind
	// Description is the definition, word for word from Source.
	Description string
	// Source says whose words Description is.
	Source Source
	// ScenarioDescription is the article's longer description of the event from
	// its sequence tables ("This event is fired after ..."), when the article
	// gives one and it differs from Description; empty otherwise.
	ScenarioDescription string
	// Note is a remark of ours, e.g. where the article and Okta disagree.
	Note string
}

// catalog is the parsed content of the embedded data files.
type catalog struct {
	definitions []EventType    // every definition, sorted by ID
	byID        map[string]int // index into definitions
	sequences   []Sequence     // in data file order
	playbooks   []Playbook     // in data file order
	stepsOf     map[string][]StepRef
}

// load parses the embedded data once. The data is part of the binary, so an error
// here is a bug in this package; TestEmbeddedData reports it.
var load = sync.OnceValues(func() (*catalog, error) { return parse(dataFS) })

// mustLoad returns the parsed catalog, or panics if the embedded data is malformed.
func mustLoad() *catalog {
	c, err := load()
	if err != nil {
		panic("catalog: malformed embedded data: " + err.Error())
	}
	return c
}

// EventTypes returns every event type the article names, sorted by ID: those it
// defines and those it only uses. Fields such as actor.id are left out; Lookup
// finds them.
func EventTypes() []EventType {
	var events []EventType
	for _, definition := range mustLoad().definitions {
		if definition.Kind == KindEvent {
			events = append(events, definition)
		}
	}
	return events
}

// Lookup returns the definition of an event type, or of a field the article's
// Definitions table defines (actor.id). The id must match exactly.
func Lookup(id string) (EventType, bool) {
	c := mustLoad()
	i, ok := c.byID[id]
	if !ok {
		return EventType{}, false
	}
	return c.definitions[i], true
}

// Sequences returns the article's flows, in the article's order.
func Sequences() []Sequence {
	sequences := slices.Clone(mustLoad().sequences)
	for i := range sequences {
		sequences[i] = sequences[i].clone()
	}
	return sequences
}

// SequenceByName returns the flow with the given name (see Sequence.Name).
func SequenceByName(name string) (Sequence, bool) {
	for _, sequence := range mustLoad().sequences {
		if sequence.Name == name {
			return sequence.clone(), true
		}
	}
	return Sequence{}, false
}

// StepsOf returns every step that names the event type, in the order of
// Sequences: the flows it belongs to and its place in each. A step that refers
// to another flow (Step.Ref) is not followed: auth_via_mfa belongs to "mfa", and
// "mfa" is step 3 of "okta-signin".
func StepsOf(eventType string) []StepRef {
	return slices.Clone(mustLoad().stepsOf[eventType])
}

// Playbooks returns the article's queries as playbooks, in the article's order.
func Playbooks() []Playbook {
	playbooks := slices.Clone(mustLoad().playbooks)
	for i := range playbooks {
		playbooks[i].EventTypes = slices.Clone(playbooks[i].EventTypes)
	}
	return playbooks
}

// PlaybookByName returns the playbook with the given name, e.g. "user-signin".
func PlaybookByName(name string) (Playbook, bool) {
	for _, playbook := range mustLoad().playbooks {
		if playbook.Name == name {
			playbook.EventTypes = slices.Clone(playbook.EventTypes)
			return playbook, true
		}
	}
	return Playbook{}, false
}
