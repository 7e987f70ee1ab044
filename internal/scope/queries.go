package scope

import (
	"fmt"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
)

// The attributes scope searches a user known only by login with (a user
// with an id is searched by the indicator's filter).
const (
	actorLogin  = "actor.alternateId"
	targetLogin = "target.alternateId"
)

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

// userTerms are the filters of the users' events: the filter of each user
// as an indicator, or, for a user known only by login, the events naming
// the login as actor or target.
func userTerms(users []*person) ([]filter.Expr, error) {
	terms := make([]filter.Expr, len(users))
	for i, u := range users {
		if u.ID == "" {
			terms[i] = anyOf([]filter.Expr{filter.Equal(actorLogin, u.AlternateID), filter.Equal(targetLogin, u.AlternateID)})
			continue
		}
		f, err := indicator.Indicator{Kind: indicator.User, Value: u.ID}.Filter()
		if err != nil {
			return nil, fmt.Errorf("scope: follow %s: %w", u.ID, err)
		}
		terms[i] = f
	}
	return terms, nil
}

// ipLink and sessionLink are the links of an address and a session.
func ipLink(ip string) Link      { return Link{Kind: indicator.IP, Value: ip} }
func sessionLink(id string) Link { return Link{Kind: indicator.Session, Value: id} }

// linkTerms are the filters of the links' events.
func linkTerms(links []Link) ([]filter.Expr, error) {
	terms := make([]filter.Expr, len(links))
	for i, l := range links {
		f, err := l.Filter()
		if err != nil {
			return nil, fmt.Errorf("scope: pivot through %v: %w", l, err)
		}
		terms[i] = f
	}
	return terms, nil
}
