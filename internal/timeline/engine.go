package timeline

import (
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Engine is the Okta engine whose sign-in sequence a flow follows, as its
// events tell (docs/timeline.md, "Classic Engine and Identity Engine").
type Engine string

// The engines.
const (
	// EngineUnknown: the events carry none of the signals below.
	EngineUnknown Engine = ""
	// EngineClassic: Okta Classic Engine. Its sign-in is user.session.start,
	// policy.evaluate_sign_on and, when the policy challenges, MFA logged
	// under another externalSessionId and tied to the sign-in by
	// debugData.authnRequestId; it logs no user.authentication.verify.
	EngineClassic Engine = "classic"
	// EngineIdentity: Okta Identity Engine, whose sign-in ends with
	// user.authentication.verify (the article's sequence).
	EngineIdentity Engine = "identity"
)

// signals are what an event says of the engine of its flow.
type signals uint8

const (
	// sigIdentity: an "idx…" session (Identity Engine's idx cookie), a
	// request to the Identity Engine's /idp/idx/ API, or an authentication
	// policy rule ("rul…").
	sigIdentity signals = 1 << iota
	// sigVerify: user.authentication.verify, the last step of the Identity
	// Engine's sign-in.
	sigVerify
	// sigClassic: a request to Classic Engine's Authentication API
	// (/api/v1/authn) or sign-in page (/login/do-login), or a Classic app
	// sign-on policy rule ("plr…").
	sigClassic
	// sigClassicMFA: MFA tied to the sign-in by debugData.authnRequestId
	// from another externalSessionId.
	sigClassicMFA
)

// engine is the engine the signals point to: a verification is the
// Identity Engine's last step; else any Classic signal makes the flow
// Classic (an org upgraded to the Identity Engine may still sign users in
// through the Classic Authentication API, and then logs Classic's
// sequence); else the Identity Engine's own signals.
func (s signals) engine() Engine {
	switch {
	case s&sigVerify != 0:
		return EngineIdentity
	case s&(sigClassic|sigClassicMFA) != 0:
		return EngineClassic
	case s&sigIdentity != 0:
		return EngineIdentity
	}
	return EngineUnknown
}

// classic reports whether the signals make a flow Classic.
func (s signals) classic() bool { return s.engine() == EngineClassic }

// signalsOf reads the engine signals of a sign-in or MFA event joining a
// flow that has the signals have. The request's URI is read on
// user.session.start and policy.evaluate_sign_on only (the sign-in's
// request), and not once a Classic signal is known: no URI changes the
// engine then.
func signalsOf(e *logevent.Event, have signals) signals {
	var s signals
	if strings.HasPrefix(e.AuthenticationContext.ExternalSessionID, "idx") {
		s |= sigIdentity
	}
	if e.EventType == typeVerify {
		s |= sigVerify
	}
	readURI := (e.EventType == typeSessionInit || e.EventType == typePolicy) && have&sigClassic == 0
	if uri := ""; readURI {
		uri = debugString(e, "requestUri")
		switch {
		case strings.HasPrefix(uri, "/idp/idx/"):
			s |= sigIdentity
		case uri == "/api/v1/authn" || strings.HasPrefix(uri, "/api/v1/authn/") || strings.HasPrefix(uri, "/login/do-login"):
			s |= sigClassic
		}
	}
	if e.EventType == typePolicy {
		for _, t := range e.Target {
			switch {
			case !isType(t.Type, "PolicyRule"):
			case strings.HasPrefix(t.ID, "rul"):
				s |= sigIdentity
			case strings.HasPrefix(t.ID, "plr"):
				s |= sigClassic
			}
		}
	}
	return s
}

// debugString returns debugData's member key when it is a string.
func debugString(e *logevent.Event, key string) string {
	v, _ := e.DebugContext.DebugData.Get(key)
	s, _ := v.(string)
	return s
}

// classicMFAFlow returns the Classic sign-in an MFA event of user u belongs
// to: the sign-in whose user.session.start's transaction.id the event's
// debugData.authnRequestId names, when the event comes from another
// externalSessionId (own; nil for none) within the join window of the
// sign-in's last event, and the sign-in was not verified (an Identity
// Engine sign-in). A second factor enrolled at the sign-in joins it too.
func (b *Builder) classicMFAFlow(e *logevent.Event, u *userState, own *sessionState) *flowState {
	if len(b.authn) == 0 {
		return nil
	}
	if own != nil {
		if cur := own.fresh(e.Time, b); cur != nil && cur.acceptsMFA() {
			return nil // its own session's flow takes it, as the link would
		}
	}
	id := debugString(e, "authnRequestId")
	if id == "" {
		return nil
	}
	fs := b.authn[id]
	switch {
	case fs == nil, fs.retired, fs.user != u, fs.final, !b.near(e.Time, fs.last):
		return nil
	case own != nil && own.id == fs.session:
		return nil // the same session: routed as any MFA event of it
	}
	fs.signals |= sigClassicMFA
	if own != nil && own.current != fs {
		// The session the sign-in's MFA established: its next events
		// follow the sign-in, as in the sign-in's own session.
		own.signed, own.current = true, fs
		fs.mfaTrack = own
	}
	return fs
}

// noteAuthn records a sign-in's user.session.start by its transaction.id,
// which Classic Engine's MFA events name as their authnRequestId.
func (b *Builder) noteAuthn(e *logevent.Event, fs *flowState) {
	id := e.Transaction.ID
	if id == "" || fs.kind != KindSignin || fs.authnKey != "" {
		return
	}
	if b.authn == nil {
		b.authn = map[string]*flowState{}
	}
	fs.authnKey = id
	b.authn[id] = fs
}

// classicComplete reports whether a Classic sign-in has completed as
// Classic Engine completes one: a session started, the sign-on policy
// evaluated, and, if the policy challenged, an MFA factor verified (or
// enrolled).
func (fs *flowState) classicComplete() bool {
	return fs.started && fs.policy && (!fs.challenged || fs.mfaPassed)
}
