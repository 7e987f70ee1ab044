package indicator

import (
	"context"
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
)

// UserRef is an Okta id seen with a given alternateId (login), and in how
// many events it appears as the actor and as a target of type User.
type UserRef struct {
	ID           string
	ActorEvents  int
	TargetEvents int
}

// Resolver lists the user ids a login names. Every storage backend
// satisfies it (backend.Reader).
type Resolver interface {
	// ResolveUser lists the distinct actor.id values, and target.id values
	// of targets of type User, of the events whose matching alternateId is
	// login exactly, with their counts, most frequent first, then by id.
	ResolveUser(ctx context.Context, login string) ([]UserRef, error)
}

// UserError says why a value names no single user: Candidates is empty when
// the login is unknown, and holds the ids when it names several.
type UserError struct {
	Login      string
	Candidates []UserRef
	// NoAccount is set when the login was seen only with placeholder ids
	// (see Placeholder): sign-ins with a username that names no account.
	NoAccount bool
}

func (e *UserError) Error() string {
	if e.NoAccount {
		return fmt.Sprintf("login %q names no account: Okta logged it only for sign-ins with a username that is no user's (the filter actor.alternateId eq %s lists them)",
			e.Login, filter.Quote(e.Login))
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("no user %q in the store: give an Okta user id (00u…) or a login seen in the events", e.Login)
	}
	return fmt.Sprintf("login %q names %d users: pass one id", e.Login, len(e.Candidates))
}

// LooksLikeLogin reports whether a user value must be a login, not an id:
// it holds "@" (Okta's user ids never do).
func LooksLikeLogin(value string) bool { return strings.Contains(value, "@") }

// Placeholder reports whether an actor or target id stands for no user:
// empty, or "unknown", which Okta logs for a sign-in with a username that
// names no account (the username is then only in alternateId).
func Placeholder(id string) bool { return id == "" || strings.EqualFold(id, "unknown") }

// UserID turns a login into the one Okta user id it names. A value the
// resolver does not know as a login is taken for an id and returned as it
// is, unless it looks like a login (LooksLikeLogin). Placeholder ids are no
// candidates: a login seen only with them names no account. It fails with a *UserError when the login is unknown or names
// several users.
func UserID(ctx context.Context, r Resolver, value string) (string, error) {
	refs, err := r.ResolveUser(ctx, value)
	if err != nil {
		return "", err
	}
	kept := refs[:0:0]
	for _, ref := range refs {
		if !Placeholder(ref.ID) {
			kept = append(kept, ref)
		}
	}
	switch {
	case len(kept) == 1:
		return kept[0].ID, nil
	case len(refs) > 0 && len(kept) == 0:
		return "", &UserError{Login: value, NoAccount: true}
	case len(kept) == 0 && !LooksLikeLogin(value):
		return value, nil
	}
	return "", &UserError{Login: value, Candidates: kept}
}

// Resolve returns the indicator with a user's login replaced by the user's
// id (UserID); other indicators are returned as they are. It fails when the
// indicator does not Validate.
func Resolve(ctx context.Context, r Resolver, ind Indicator) (Indicator, error) {
	if err := ind.Validate(); err != nil {
		return ind, err
	}
	if ind.Kind != User {
		return ind, nil
	}
	id, err := UserID(ctx, r, ind.Value)
	if err != nil {
		return ind, err
	}
	return Indicator{Kind: User, Value: id}, nil
}
