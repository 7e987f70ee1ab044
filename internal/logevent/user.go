package logevent

import "strings"

// ActingUser returns the event's actor when it is a person: of type User
// (in any case), with an id or a login.
func (e *LogEvent) ActingUser() (Actor, bool) {
	a := e.Actor
	if !strings.EqualFold(a.Type, "User") || (a.ID == "" && a.AlternateID == "") {
		return Actor{}, false
	}
	return a, true
}

// Key tells actors apart: the id, or the login (alternateId) when the id is
// empty.
func (a Actor) Key() string {
	if a.ID != "" {
		return a.ID
	}
	return a.AlternateID
}

// ClientIP returns client.ipAddress, or "" when it is absent or Okta's
// "null" (events without a client).
func (e *LogEvent) ClientIP() string {
	if ip := e.Client.IPAddress; ip != "null" {
		return ip
	}
	return ""
}

// Failed reports whether the outcome is a failure or a denial (result
// FAILURE or DENY, in any case).
func (o Outcome) Failed() bool {
	r := o.Result
	if r == "SUCCESS" { // most outcomes: spares the case folding
		return false
	}
	switch strings.ToUpper(r) {
	case "DENY", "FAILURE":
		return true
	}
	return false
}
