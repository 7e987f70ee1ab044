// Package timeline reconstructs the article's flows from System Log events:
// it groups events into flows (sign in to Okta, sign in to an app, MFA,
// self-service password reset and unlock, logout, MFA configuration
// changes), labels every event with its step in the article's sequences
// (internal/catalog), and flags what departs from them: a flow that stops
// early, steps out of order, MFA push fatigue, a session that changes
// client, an account recovery followed by a takeover, and denials.
//
// Events go in one at a time, in ascending published order, through a
// Builder (so a caller can stream them from a store); Finish returns the
// Timeline, which internal/render writes as text for a terminal, JSON or
// HTML.
// The rules and their default thresholds are documented in docs/timeline.md.
package timeline

import (
	"iter"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Kind is the kind of a flow.
type Kind string

// The kinds of flow: the article's sequences, and "other" for events no
// sequence names.
const (
	KindSignin    Kind = "signin"     // Sign in to Okta
	KindAppSignin Kind = "app_signin" // Sign in to an app, granted or denied
	KindMFA       Kind = "mfa"        // MFA outside a sign-in (no app outcome followed)
	KindSSPR      Kind = "sspr"       // Self-Service Password Reset
	KindSSU       Kind = "ssu"        // Self-Service Account Unlock
	KindLogout    Kind = "logout"     // Okta session ended, app single logout
	KindMFAChange Kind = "mfa_change" // MFA configuration changes
	KindOther     Kind = "other"      // events outside the article's sequences
)

// DeviationKind is the kind of a deviation from the article's flows.
type DeviationKind string

// The kinds of deviation (rules and defaults in docs/timeline.md).
const (
	// Incomplete: the flow stops before its last required step.
	Incomplete DeviationKind = "incomplete"
	// OutOfOrder: a step comes after a later step of the same flow.
	OutOfOrder DeviationKind = "out_of_order"
	// Denied: access denied to an app, or a sign-in step denied or failed.
	Denied DeviationKind = "denied"
	// MFAFatigue: Options.FatigueCount or more push, SMS or voice
	// challenges sent to one user within Options.FatigueWindow.
	MFAFatigue DeviationKind = "mfa_fatigue"
	// SessionHijack: a change of IP, ASN, country or user agent inside one
	// external session.
	SessionHijack DeviationKind = "session_hijack"
	// RecoveryTakeover: a password reset or unlock followed, within
	// Options.RecoveryWindow, by an MFA factor change or a sign-in from a
	// network the user had not used before the recovery.
	RecoveryTakeover DeviationKind = "recovery_takeover"
	// ImpossibleTravel: two successive sign-ins of one user from places
	// farther apart than Options.TravelSpeed covers in the time between
	// them.
	ImpossibleTravel DeviationKind = "impossible_travel"
)

// DeviationKinds lists every deviation kind, in the order a flow lists them.
var DeviationKinds = []DeviationKind{Incomplete, OutOfOrder, Denied, MFAFatigue, SessionHijack, RecoveryTakeover, ImpossibleTravel}

// Timeline is the events of a search grouped into flows, in order of their
// first event.
type Timeline struct {
	// Flows are the flows, in order of their first event.
	Flows []Flow
	// Options are the thresholds the timeline was built with, defaults
	// filled in.
	Options Options
}

// Flow is one run of the article's sequences: a sign-in, an app sign-in, a
// password reset, …, with its steps in order and its deviations.
type Flow struct {
	// Kind is the article's flow the events follow.
	Kind Kind
	// Session is the Okta session the flow belongs to; empty when its
	// events carry none (recoveries and factor changes usually), or only
	// API transaction ids (see Transactions).
	Session string
	// Engine is the Okta engine whose sign-in sequence the flow follows, as
	// its events tell; EngineUnknown when they do not.
	Engine Engine
	// Transactions are the API transaction ids ("trs…") the flow's events
	// carry in externalSessionId, in order of first appearance: requests
	// made outside any session, not sessions.
	Transactions []string
	// Actor is the user the flow is about: the event's actor, or the user
	// it targets when an administrator or Okta itself acts on that user.
	Actor Actor
	// Start and End are the times of the first and last events.
	Start, End time.Time
	// Complete reports whether every required step of the flow's sequence
	// is present (optional steps, such as MFA, may be absent).
	Complete bool
	// Steps are the flow's events, in published order.
	Steps []Step
	// Deviations flag what departs from the article, each citing events.
	Deviations []Deviation
}

// Actor identifies a user.
type Actor struct {
	ID          string // Okta user id (00u…)
	AlternateID string // login
	DisplayName string // name
}

// Step is one event of a flow and its place in the article's sequence.
type Step struct {
	// Event is the event itself (the Builder keeps the pointer it was given).
	Event *logevent.Event
	// Label is the step's label, numbered "n/N" when the event is step n of
	// the flow's ordered N-step sequence, e.g. "1/4 session started" or
	// "3/4 MFA events: Okta Verify push sent"; empty for an event no
	// sequence names.
	Label string
	// Description is the article's description of the step, or the
	// catalog's definition of the event type.
	Description string
	// Position is the step's number in the flow's sequence; 0 when the
	// event is not one of its steps.
	Position int
}

// Deviation is one departure from the article's flows.
type Deviation struct {
	// Kind names the rule that found it.
	Kind DeviationKind
	// Message explains it. It quotes event content (IP addresses, user
	// agents, names): escape it for the medium it goes to.
	Message string
	// UUIDs are the events concerned, in order.
	UUIDs []string
}

// Build groups events, which must be in ascending published order, into a
// Timeline. It is NewBuilder, Add for each event, then Finish.
func Build(events iter.Seq[*logevent.Event], opts Options) Timeline {
	b := NewBuilder(opts)
	for e := range events {
		b.Add(e)
	}
	return b.Finish()
}

// Deviations returns every deviation of the timeline with the flow it was
// found in, in flow order.
func (t Timeline) Deviations() []FlowDeviation {
	var out []FlowDeviation
	for i := range t.Flows {
		for _, d := range t.Flows[i].Deviations {
			out = append(out, FlowDeviation{Deviation: d, Flow: &t.Flows[i]})
		}
	}
	return out
}

// FlowDeviation is a deviation and the flow that holds it.
type FlowDeviation struct {
	Deviation
	Flow *Flow // the flow holding the deviation
}
