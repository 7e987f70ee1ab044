package timeline

import (
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Builder groups events into flows as they arrive, in ascending published
// order, and flags deviations. It keeps the events it is given (callers
// must not reuse them) until Finish, or until Retire hands back their
// finished flows; it is not safe for concurrent use.
type Builder struct {
	opts     Options
	flows    []*flowState
	sessions map[string]*sessionState
	users    map[string]*userState
	fatigues []*fatigueIncident
	// authn holds the sign-ins by the transaction.id of their
	// user.session.start, which Classic Engine's MFA events name.
	authn map[string]*flowState
	// egress counts the users signing in from each address (impossible
	// travel's shared egresses).
	egress map[string]*egressState
	done   *Timeline
	// Retire's bookkeeping: the flows by the time they may be retired, how
	// many of b.flows were retired, when idle sessions were last forgotten.
	due     dueQueue[*flowState]
	idle    dueQueue[*sessionState]
	retired int
	swept   time.Time
}

// NewBuilder returns a Builder using opts (zero fields take defaults).
func NewBuilder(opts Options) *Builder {
	return &Builder{
		opts:     opts.WithDefaults(),
		sessions: map[string]*sessionState{},
		users:    map[string]*userState{},
	}
}

// userState is what the Builder remembers of one user.
type userState struct {
	actor       Actor
	lastSession *sessionState // the session of the user's latest own event
	loose       *sessionState // flows of events that carry no session
	recovery    *flowState    // latest sspr or ssu flow
	changes     *flowState    // latest mfa_change flow
	fatigue     fatigueState
	watched     []*flowState // recovery flows whose watches follow the user
	seen        networks
	// watchFloor and watchStart are at or before the last and the first
	// event of every flow watched, so that most events need not look at
	// each: no watch expires until RecoveryWindow after watchFloor, and a
	// network known at watchStart is known to every watch.
	watchFloor time.Time
	watchStart time.Time
	// The user's latest ASN, as a number and as text: users keep to a few
	// networks, and formatting a number allocates.
	asnValue float64
	asnText  string
	travel   travelState
}

// sessionState is a track of flows: one external session, or a user's
// events that carry none.
type sessionState struct {
	id      string // "" for a user's sessionless track
	user    string // the user the session belongs to
	last    time.Time
	current *flowState
	ended   bool // user.session.end seen
	signed  bool // a sign-in flow happened in it
	gone    bool // forgotten by Retire (see retireSessions)
	hijack  hijackState
}

// Add routes one event to its flow and runs the streaming rules (fatigue,
// hijack, recovery takeover). Events must come in ascending published
// order; Add after Finish is ignored.
func (b *Builder) Add(e *logevent.Event) {
	if e == nil || b.done != nil {
		return
	}
	p := placementOf(e.EventType)
	subject := subjectOf(e)
	u := b.user(subject)
	admin := actedOnByOther(e, subject)
	var own *sessionState
	if id := sessionID(e); id != "" && !admin {
		own = b.session(id, subject, u)
	}
	fs := b.route(e, p, u, own, admin)
	fs.add(e, p, own)
	if e.EventType == typeSessionInit && !e.Outcome.Failed() {
		b.noteAuthn(e, fs)
	}
	b.observe(e, clientOf(e, u.asnOf(e)), p, u, fs, own, admin)
}

// user returns the state of a user, creating it.
func (b *Builder) user(a Actor) *userState {
	k := a.key()
	u := b.users[k]
	if u == nil {
		u = &userState{actor: a}
		b.users[k] = u
	}
	return u
}

// asnOf returns asn(e), formatting it only when it is not the user's
// latest ASN.
func (u *userState) asnOf(e *logevent.Event) string {
	if n := e.SecurityContext.AsNumber; !n.Valid || n.Value != u.asnValue || u.asnText == "" {
		u.asnValue, u.asnText = n.Value, asn(e)
	}
	return u.asnText
}

// session returns the state of an external session, creating it. Most
// events of a session are its user's, so u's latest session spares the
// lookup.
func (b *Builder) session(id string, subject Actor, u *userState) *sessionState {
	if s := u.lastSession; s != nil && s.id == id && !s.gone {
		return s
	}
	s := b.sessions[id]
	if s == nil {
		s = &sessionState{id: id, user: subject.ID}
		b.sessions[id] = s
		b.idle.push(time.Time{}, s) // looked at by the next Retire
	}
	return s
}

// route picks (or starts) the flow an event joins.
func (b *Builder) route(e *logevent.Event, p placement, u *userState, own *sessionState, admin bool) *flowState {
	switch {
	case p.role == roleSSPR || p.role == roleSSU:
		return b.recoveryFlow(e, p, u)
	case p.role == roleFactorChange:
		return b.changeFlow(e, u)
	}
	if p.role == roleMFA && !admin {
		if fs := b.classicMFAFlow(e, u, own); fs != nil {
			return fs
		}
	}
	tr := b.track(e, u, own, admin || p.role == roleSignin)
	if p.role == roleMFA {
		return b.mfaFlow(e, u, tr, own)
	}
	return b.routeInTrack(e, p, tr, u)
}

// track returns the track an event of a sign-in flow joins: its own
// session; else, for an event without one, the user's latest session if
// it is recent and not ended (unless alone is set: an administrator's
// action, or a sign-in step, which starts a sign-in of its own); else the
// user's sessionless track.
func (b *Builder) track(e *logevent.Event, u *userState, own *sessionState, alone bool) *sessionState {
	if own != nil {
		return own
	}
	if s := u.lastSession; !alone && s != nil && !s.ended && b.near(e.Time, s.last) {
		return s
	}
	if u.loose == nil {
		u.loose = &sessionState{user: u.actor.ID}
	}
	return u.loose
}

// near reports whether t is within the join window after last.
func (b *Builder) near(t, last time.Time) bool { return t.Sub(last) <= b.opts.JoinWindow }

// mfaFlow routes an MFA event: into an open recovery of the user when it
// carries no other session, into the sign-in or pending flow of its track,
// else into a new flow (an enrolment outside any sign-in is a factor change).
func (b *Builder) mfaFlow(e *logevent.Event, u *userState, tr *sessionState, own *sessionState) *flowState {
	accepting := tr.fresh(e.Time, b)
	if accepting != nil && !accepting.acceptsMFA() {
		accepting = nil
	}
	rf := b.openRecovery(e, u)
	if rf != nil && (own == nil || rf.session == own.id) && (accepting == nil || !rf.last.Before(accepting.last)) {
		return rf
	}
	if accepting != nil {
		return accepting
	}
	if e.EventType == typeActivate {
		return b.changeFlow(e, u)
	}
	return b.startPending(tr, u)
}

// routeInTrack routes a sign-in, app, logout or other event within a track.
func (b *Builder) routeInTrack(e *logevent.Event, p placement, tr *sessionState, u *userState) *flowState {
	cur := tr.fresh(e.Time, b)
	switch p.role {
	case roleSignin:
		return b.signinFlow(e, tr, cur, u)
	case roleAppGranted, roleAppDenied:
		if cur.isPending() {
			return cur
		}
		return b.newFlow(KindAppSignin, u, tr)
	case roleLogout:
		if cur.is(KindLogout) {
			return cur
		}
		return b.newFlow(KindLogout, u, tr)
	}
	if cur != nil {
		return cur
	}
	return b.newFlow(KindOther, u, tr)
}

// signinFlow routes user.session.start, policy.evaluate_sign_on and
// user.authentication.verify.
func (b *Builder) signinFlow(e *logevent.Event, tr *sessionState, cur *flowState, u *userState) *flowState {
	open := cur.is(KindSignin) && !cur.final
	switch e.EventType {
	case typeSessionInit:
		if open && !cur.started {
			return cur
		}
	case typePolicy:
		if (open && !cur.classicDone) || cur.isPending() {
			return cur
		}
		if tr.signed {
			return b.startPending(tr, u)
		}
	default:
		if open {
			return cur
		}
	}
	return b.newFlow(KindSignin, u, tr)
}

// startPending starts a flow of MFA (or policy) events whose kind the next
// events decide: an app sign-in if access is granted or denied, else MFA.
func (b *Builder) startPending(tr *sessionState, u *userState) *flowState {
	fs := b.newFlow(KindMFA, u, tr)
	fs.pending = true
	return fs
}

// newFlow starts a flow of kind k for user u in track tr (nil for flows
// outside sessions: recoveries and factor changes).
func (b *Builder) newFlow(k Kind, u *userState, tr *sessionState) *flowState {
	fs := &flowState{kind: k, track: tr, user: u}
	if tr != nil {
		fs.session = tr.id
		tr.current = fs
		if k == KindSignin {
			tr.signed = true
		}
	}
	b.flows = append(b.flows, fs)
	b.due.push(time.Time{}, fs) // looked at by the next Retire, once it has events
	return fs
}

// recoveryFlow routes an SSPR or SSU step: into the user's latest recovery
// of the same kind if it is recent and the step is new to it (a resent
// message joins while nothing followed it), else into a new flow.
func (b *Builder) recoveryFlow(e *logevent.Event, p placement, u *userState) *flowState {
	kind := KindSSPR
	if p.role == roleSSU {
		kind = KindSSU
	}
	if rf := u.recovery; rf != nil && rf.kind == kind && b.near(e.Time, rf.last) && rf.acceptsRecovery(p.number) {
		return rf
	}
	fs := b.newFlow(kind, u, nil)
	u.recovery = fs
	return fs
}

// openRecovery returns the user's latest recovery flow if it is recent and
// not finished.
func (b *Builder) openRecovery(e *logevent.Event, u *userState) *flowState {
	if rf := u.recovery; rf != nil && !rf.final && b.near(e.Time, rf.last) {
		return rf
	}
	return nil
}

// changeFlow routes an MFA configuration change into the user's latest
// mfa_change flow if it is recent, else a new one.
func (b *Builder) changeFlow(e *logevent.Event, u *userState) *flowState {
	if cf := u.changes; cf != nil && b.near(e.Time, cf.last) {
		return cf
	}
	u.changes = b.newFlow(KindMFAChange, u, nil)
	return u.changes
}

// observe runs the rules that follow users and sessions across flows; c is
// the event's client.
func (b *Builder) observe(e *logevent.Event, c client, p placement, u *userState, fs *flowState, own *sessionState, admin bool) {
	if own != nil {
		own.last = e.Time
		u.lastSession = own
		b.checkHijack(own, e, c, fs)
		if e.EventType == "user.session.end" {
			own.ended = true
		}
	}
	if fs.track != nil && e.Time.After(fs.track.last) {
		fs.track.last = e.Time
	}
	b.checkFatigue(e, p, u, fs)
	if admin { // an administrator's action says nothing of the user's networks
		b.checkRecovery(e, nil, p, u, fs, admin)
		return
	}
	s := u.seen.sight(c)
	s.noteOkta(e)
	b.checkRecovery(e, &s, p, u, fs, admin)
	u.seen.record(&s, e.Time)
	if e.EventType == typeSessionInit && !e.Outcome.Failed() {
		b.checkTravel(e, u, fs)
	}
}
