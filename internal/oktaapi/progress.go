package oktaapi

import (
	"fmt"
	"strings"
	"time"
)

// Phase says what a Progress report is about.
type Phase string

// The phases of a collect.
const (
	PhaseStart    Phase = "start"     // about to send the first request
	PhasePage     Phase = "page"      // a page was stored and checkpointed
	PhaseBadEvent Phase = "bad-event" // an event of the page could not be decoded (Reason says why)
	PhaseWait     Phase = "wait"      // waiting Wait before the next request (Reason says why)
	PhasePoll     Phase = "poll"      // follow mode: caught up, next poll in Wait
	PhaseDone     Phase = "done"      // the collect finished
	PhaseStopped  Phase = "stopped"   // the collect stopped before its end (Reason: interrupted or failed)
)

// Progress is a collect's running tally, reported to Collector.Progress
// and returned by Run. It never holds the token.
type Progress struct {
	Phase Phase
	// Resumed is true when the collect started from a saved checkpoint.
	Resumed bool
	// Requests counts HTTP requests sent, Pages the pages stored.
	Requests, Pages int
	// Events counts events received; Inserted those new to the store,
	// Duplicates those it already held, Conflicts those whose uuid it held
	// with other content (skipped, see backend.InsertResult), Bad those
	// that could not be decoded (skipped).
	Events, Inserted, Duplicates, Conflicts, Bad int
	// RateLimited counts 429 responses, Retries the requests retried
	// (after a 429, a 5xx or a network error).
	RateLimited, Retries int
	// Oldest and Newest are the extreme published times received.
	Oldest, Newest time.Time
	// Elapsed is the time since Run started.
	Elapsed time.Duration
	// Wait is the pause being taken (PhaseWait, PhasePoll).
	Wait time.Duration
	// Reason explains a wait, a bad event or a stop.
	Reason string
	// Checkpointed is true when a stopped collect saved where to resume.
	Checkpointed bool
}

// Rate is the number of events received per second of Elapsed time.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Events) / p.Elapsed.Seconds()
}

// String is a one-line progress report: events, rate, time range, and the
// wait in progress.
func (p Progress) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d events (%d new, %d duplicate", p.Events, p.Inserted, p.Duplicates)
	if p.Conflicts > 0 {
		fmt.Fprintf(&b, ", %d conflicting", p.Conflicts)
	}
	if p.Bad > 0 {
		fmt.Fprintf(&b, ", %d bad", p.Bad)
	}
	fmt.Fprintf(&b, "), %d pages, %.0f events/s", p.Pages, p.Rate())
	if !p.Oldest.IsZero() {
		fmt.Fprintf(&b, ", %s … %s", p.Oldest.UTC().Format(time.RFC3339), p.Newest.UTC().Format(time.RFC3339))
	}
	switch p.Phase {
	case PhaseWait:
		fmt.Fprintf(&b, "; waiting %s: %s", p.Wait.Round(time.Millisecond), p.Reason)
	case PhasePoll:
		fmt.Fprintf(&b, "; caught up, next poll in %s", p.Wait.Round(time.Millisecond))
	case PhaseBadEvent:
		fmt.Fprintf(&b, "; skipped a bad event: %s", p.Reason)
	case PhaseDone:
		b.WriteString("; done")
	case PhaseStopped:
		fmt.Fprintf(&b, "; %s, not done", p.Reason)
		if p.Checkpointed {
			b.WriteString(": the checkpoint is saved, the same command resumes")
		}
	}
	return b.String()
}

// seen widens the time range with t.
func (p *Progress) seen(t time.Time) {
	if p.Oldest.IsZero() || t.Before(p.Oldest) {
		p.Oldest = t
	}
	if t.After(p.Newest) {
		p.Newest = t
	}
}
