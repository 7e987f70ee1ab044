// Package indicator is what an investigation starts from: a user, a client
// IP address or an external session. It holds the one definition of "the
// events of an indicator" (Filter), and the resolution of a user named by
// login to the Okta user id those events carry (Resolve), through a narrow
// Resolver that the storage backends satisfy.
//
// The contract, with the reasons for it, is in docs/indicators.md. In short:
// a user's events are those naming its id as the actor or a target, as in
// Okta's own queries; a login is resolved to that id first and is never
// matched against actor.alternateId directly.
package indicator

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
)

// Kind is the kind of an indicator.
type Kind string

// The kinds of indicator.
const (
	User    Kind = "user"    // an Okta user id (00u…), or a login to resolve
	IP      Kind = "ip"      // a client IP address (client.ipAddress)
	Session Kind = "session" // an external session id (authenticationContext.externalSessionId)
)

// Kinds returns the kinds of indicator, in the order forms and messages
// list them.
func Kinds() []Kind { return []Kind{User, IP, Session} }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k == User || k == IP || k == Session }

// Indicator is a user, an IP address or a session.
type Indicator struct {
	Kind  Kind   // user, ip or session
	Value string // the user id (or login), the address, the session id
}

// String returns "kind value".
func (ind Indicator) String() string { return string(ind.Kind) + " " + ind.Value }

// Validate reports an unknown kind or an empty value.
func (ind Indicator) Validate() error {
	switch {
	case !ind.Kind.Valid():
		return fmt.Errorf("unknown indicator kind %q (user, ip or session)", ind.Kind)
	case strings.TrimSpace(ind.Value) == "":
		return fmt.Errorf("empty %s indicator", ind.Kind)
	}
	return nil
}

// The attribute paths the filters of indicators compare.
const (
	ActorID           = "actor.id"
	TargetID          = "target.id"
	ClientIP          = "client.ipAddress"
	ExternalSessionID = "authenticationContext.externalSessionId"
)

// Filter returns the filter of every event of the indicator:
//
//	user     actor.id eq V or target.id eq V
//	ip       client.ipAddress eq V
//	session  authenticationContext.externalSessionId eq V
//
// A user's Value is taken as an id: resolve a login first (Resolve). It
// fails when the indicator does not Validate.
func (ind Indicator) Filter() (filter.Expr, error) {
	if err := ind.Validate(); err != nil {
		return nil, err
	}
	switch ind.Kind {
	case User:
		return &filter.Or{Terms: []filter.Expr{filter.Equal(ActorID, ind.Value), filter.Equal(TargetID, ind.Value)}}, nil
	case IP:
		return filter.Equal(ClientIP, ind.Value), nil
	}
	return filter.Equal(ExternalSessionID, ind.Value), nil
}
