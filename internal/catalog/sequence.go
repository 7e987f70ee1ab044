package catalog

import "slices"

// SequenceSource says where the steps of a Sequence come from.
type SequenceSource string

// The sources of sequences.
const (
	// SequenceFromTable is one of the article's step tables.
	SequenceFromTable SequenceSource = "article-table"
	// SequenceFromQuery is a flow the article gives a query for but no table
	// (logout, MFA configuration changes): the steps are the query's event types.
	SequenceFromQuery SequenceSource = "article-query"
)

// Sequence is one of the article's flows: the events an analyst should expect,
// step by step.
type Sequence struct {
	// Name identifies the flow: okta-signin, app-signin, app-signin-denied, mfa,
	// mfa-factor, sspr, ssu, logout, mfa-changes.
	Name string
	// Title is the article's heading for the flow.
	Title string
	// Source says whether the steps come from an article table or query.
	Source SequenceSource
	// Ordered is true when the article numbers the steps; false when they are
	// alternatives in no particular order (the factor-specific MFA events, logout,
	// MFA configuration changes).
	Ordered bool
	// Intro is the article's sentence introducing the flow, word for word.
	Intro string
	// Notes are further sentences of the article about the flow, word for word.
	Notes []string
	// FollowedBy names the flow the article says comes next, if any.
	FollowedBy string
	// Steps are in the article's order.
	Steps []Step
}

// Step is one row of a flow: an event type, one of several event types, or the
// whole of another flow.
type Step struct {
	// Number is the step's position in the flow, from 1 (the article's Order).
	Number int
	// Label is a short label of ours for timelines, e.g. "session started".
	Label string
	// EventTypes holds the step's event type; several mean "one of the following".
	// Empty when Ref is set.
	EventTypes []string
	// Ref names another sequence whose steps happen here (the article's "MFA
	// events" row). Empty when EventTypes is set.
	Ref string
	// Optional is true when the step happens only under a condition the article
	// names, e.g. "If a policy requires MFA".
	Optional bool
	// Description is the article's Description column for the row, word for word.
	Description string
	// Note is the article's "NB:" for the row, word for word.
	Note string
}

// StepRef places an event type in a flow.
type StepRef struct {
	// Sequence is the flow's Name.
	Sequence string
	// Step is the step's Number.
	Step int
	// Label is the step's Label.
	Label string
}

// IsOneOf reports whether the step is "one of the following" event types.
func (s Step) IsOneOf() bool { return len(s.EventTypes) > 1 }

// IsRef reports whether the step stands for another sequence.
func (s Step) IsRef() bool { return s.Ref != "" }

// Has reports whether the step names the event type.
func (s Step) Has(eventType string) bool { return slices.Contains(s.EventTypes, eventType) }

// clone copies the sequence so that callers cannot change the catalog's copy.
func (s Sequence) clone() Sequence {
	s.Notes = slices.Clone(s.Notes)
	s.Steps = slices.Clone(s.Steps)
	for i := range s.Steps {
		s.Steps[i].EventTypes = slices.Clone(s.Steps[i].EventTypes)
	}
	return s
}
