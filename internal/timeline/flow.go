package timeline

import (
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// flowState is a flow under construction.
type flowState struct {
	kind    Kind
	pending bool // MFA or policy events waiting for an app outcome
	final   bool // reached its last step: no further step joins
	started bool // a successful user.session.start
	denied  bool // application.policy.sign_on.deny_access seen
	hasMFA  bool
	// What Classic Engine's sign-in needs to complete: the sign-on policy
	// evaluated, whether it challenged, and an MFA factor verified or
	// enrolled; classicDone once a Classic sign-in has them all.
	policy, challenged, mfaPassed, classicDone bool
	signals                                    signals // what the events say of the engine
	watched                                    bool    // a recovery watch follows this flow
	retired                                    bool    // handed back by Retire
	open                                       int     // deviations of the flow still growing (see Retire)
	user                                       *userState
	watch                                      *recoveryWatch // the watch of a recovery flow
	session                                    string
	// authnKey is the transaction.id of the sign-in's user.session.start,
	// under which Builder.authn holds the flow.
	authnKey string
	track    *sessionState // nil for recoveries and factor changes
	// mfaTrack is the session a Classic sign-in's MFA established, whose
	// current flow the sign-in is until its own events start another.
	mfaTrack *sessionState
	events   []*logevent.Event
	// first backs events while the flow holds two at most, as most flows
	// do: it spares them an allocation.
	first   [2]*logevent.Event
	reached map[int]bool // recovery steps reached without failure
	start   time.Time
	last    time.Time
	devs    []*Deviation
}

// add appends an event to the flow; own is the event's own session, if any.
func (fs *flowState) add(e *logevent.Event, p placement, own *sessionState) {
	if len(fs.events) == 0 {
		fs.start = e.Time
		fs.events = fs.first[:0]
	}
	fs.events = append(fs.events, e)
	if e.Time.After(fs.last) {
		fs.last = e.Time
	}
	if fs.session == "" && fs.track == nil && own != nil {
		fs.session = own.id
	}
	if p.role == roleSignin || p.role == roleMFA {
		fs.signals |= signalsOf(e, fs.signals)
	}
	switch {
	case p.role == roleMFA:
		fs.hasMFA = true
		if (e.EventType == typeAuthViaMFA || e.EventType == typeActivate) && !e.Outcome.Failed() {
			fs.mfaPassed = true
		}
	case e.EventType == typeSessionInit && !e.Outcome.Failed():
		fs.started = true
	case e.EventType == typePolicy && !e.Outcome.Failed():
		fs.policy = true
		fs.challenged = fs.challenged || strings.EqualFold(e.Outcome.Result, "CHALLENGE")
	case e.EventType == typeVerify && fs.kind == KindSignin:
		fs.final = true
	case p.role == roleAppGranted || p.role == roleAppDenied:
		fs.kind, fs.pending, fs.final = KindAppSignin, false, true
		fs.denied = fs.denied || p.role == roleAppDenied
	case p.role == roleSSPR || p.role == roleSSU:
		fs.reachRecovery(e, p)
	}
	if fs.kind == KindSignin && !fs.classicDone && fs.classicComplete() && fs.signals.classic() &&
		(!fs.challenged || fs.signals&sigClassicMFA != 0) {
		// Complete as Classic Engine completes a sign-in: allowed without
		// MFA, or its MFA tied to it from the session it established. (An
		// MFA in the sign-in's own session leaves it open, as on the
		// Identity Engine, for the verification that may follow.)
		fs.classicDone = true
	}
}

// reachRecovery records a recovery step reached; the last step ends the flow.
func (fs *flowState) reachRecovery(e *logevent.Event, p placement) {
	if e.Outcome.Failed() {
		return
	}
	if fs.reached == nil {
		fs.reached = map[int]bool{}
	}
	fs.reached[p.number] = true
	if p.number == len(loadCatalog().sequences[p.seq].Steps) {
		fs.final = true
	}
}

// acceptsRecovery reports whether recovery step n may join the flow: a
// first step (a resent message) while nothing followed it; a later step
// not reached yet.
func (fs *flowState) acceptsRecovery(n int) bool {
	if n == 1 {
		return !fs.reached[2] && !fs.reached[3]
	}
	return !fs.reached[n]
}

// acceptsMFA reports whether an MFA event may join: a sign-in not yet
// verified (nor complete as Classic Engine completes one), or a pending
// flow.
func (fs *flowState) acceptsMFA() bool {
	return fs.pending || (fs.kind == KindSignin && !fs.final && !fs.classicDone)
}

// is reports whether fs is a flow of kind k (false for nil).
func (fs *flowState) is(k Kind) bool { return fs != nil && fs.kind == k && !fs.pending }

// isPending reports whether fs waits for an app outcome (false for nil).
func (fs *flowState) isPending() bool { return fs != nil && fs.pending }

// fresh returns the track's current flow if its last event is within the
// join window of t, else nil.
func (tr *sessionState) fresh(t time.Time, b *Builder) *flowState {
	if cur := tr.current; cur != nil && b.near(t, cur.last) {
		return cur
	}
	return nil
}

// attach adds a deviation to the flow.
func (fs *flowState) attach(d *Deviation) { fs.devs = append(fs.devs, d) }
