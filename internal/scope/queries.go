package scope

import "github.com/oktascope/oktascope/internal/filter"

// The attributes scope searches by.
const (
	actorID      = "actor.id"
	actorLogin   = "actor.alternateId"
	targetID     = "target.id"
	targetLogin  = "target.alternateId"
	clientIPPath = "client.ipAddress"
	sessionPath  = "authenticationContext.externalSessionId"
)

// eq is the filter "path eq value".
func eq(path, value string) filter.Expr {
	return &filter.Compare{Path: path, Op: filter.Eq, Value: filter.StringLiteral(value)}
}

// anyOf is the or of the terms, an Or's own terms joining the chain; a
// single term stands alone.
func anyOf(terms []filter.Expr) filter.Expr {
	var flat []filter.Expr
	for _, t := range terms {
		if or, ok := t.(*filter.Or); ok {
			flat = append(flat, or.Terms...)
		} else {
			flat = append(flat, t)
		}
	}
	if len(flat) == 1 {
		return flat[0]
	}
	return &filter.Or{Terms: flat}
}

// linkTerm is the filter of the events of an IP address or a session.
func linkTerm(l Link) filter.Expr {
	if l.Kind == IP {
		return eq(clientIPPath, l.Value)
	}
	return eq(sessionPath, l.Value)
}

// userTerm is the filter of a user's events: as actor or target, by id, or
// by login for a user known only by login.
func userTerm(u UserSummary) filter.Expr {
	if u.ID != "" {
		return anyOf([]filter.Expr{eq(actorID, u.ID), eq(targetID, u.ID)})
	}
	return anyOf([]filter.Expr{eq(actorLogin, u.AlternateID), eq(targetLogin, u.AlternateID)})
}
