package timeline

import (
	"strconv"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// subjectOf returns the user an event is about: the first target of type
// User (the user an administrator or Okta acts on, or the actor itself),
// else the actor.
func subjectOf(e *logevent.Event) Actor {
	for _, t := range e.Target {
		if isType(t.Type, "User") && (t.ID != "" || t.AlternateID != "") {
			return Actor{ID: t.ID, AlternateID: t.AlternateID, DisplayName: t.DisplayName}
		}
	}
	return Actor{ID: e.Actor.ID, AlternateID: e.Actor.AlternateID, DisplayName: e.Actor.DisplayName}
}

// key identifies a user: the id, else the login.
func (a Actor) key() string {
	if a.ID != "" {
		return a.ID
	}
	return a.AlternateID
}

// actorIsUser reports whether the event's actor is a person (a User, or an
// actor of no stated type with an id).
func actorIsUser(e *logevent.Event) bool {
	return isType(e.Actor.Type, "User") || (e.Actor.Type == "" && e.Actor.ID != "")
}

// isType reports whether an actor or target type is want, in any case
// (Okta writes it as want).
func isType(typ, want string) bool {
	return typ == want || strings.EqualFold(typ, want)
}

// actedOnByOther reports whether a user other than the subject performed the
// event: an administrator acting on the subject.
func actedOnByOther(e *logevent.Event, subject Actor) bool {
	return actorIsUser(e) && e.Actor.ID != "" && e.Actor.ID != subject.ID
}

// sessionID returns the event's Okta session id, or "" when it has none or
// its externalSessionId names an API transaction (logevent's session rule).
func sessionID(e *logevent.Event) string { return e.SessionID() }

// asn returns the client's autonomous system number as text, or "".
func asn(e *logevent.Event) string {
	n := e.SecurityContext.AsNumber
	switch {
	case !n.Valid || n.Value == 0:
		return ""
	case n.Value == float64(int64(n.Value)):
		return strconv.FormatInt(int64(n.Value), 10)
	}
	return strconv.FormatFloat(n.Value, 'f', -1, 64)
}

// appName returns the display name of the event's first AppInstance
// target, or "".
func appName(e *logevent.Event) string {
	for _, t := range e.Target {
		if strings.EqualFold(t.Type, "AppInstance") {
			if t.DisplayName != "" {
				return t.DisplayName
			}
			return t.AlternateID
		}
	}
	return ""
}
