package backend

import (
	"context"
	"fmt"
	"strings"
)

// UserResolver lists the users a login names (every Reader is one).
type UserResolver interface {
	ResolveUser(ctx context.Context, login string) ([]UserRef, error)
}

// UserError says why a value names no single user: Candidates is empty when
// the login is unknown, and holds the ids when it names several.
type UserError struct {
	Login      string
	Candidates []UserRef
}

func (e *UserError) Error() string {
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("no user %q in the store: give an Okta user id (00u…) or a login seen in the events", e.Login)
	}
	return fmt.Sprintf("login %q names %d users: pass one id", e.Login, len(e.Candidates))
}

// UserID turns a login into the one Okta user id it names. A value r does
// not know as a login is taken for an id and returned as it is, unless it
// looks like a login (holds "@"). It fails with a *UserError when the login
// is unknown or names several users.
func UserID(ctx context.Context, r UserResolver, value string) (string, error) {
	refs, err := r.ResolveUser(ctx, value)
	switch {
	case err != nil:
		return "", err
	case len(refs) == 1:
		return refs[0].ID, nil
	case len(refs) == 0 && !strings.Contains(value, "@"):
		return value, nil
	}
	return "", &UserError{Login: value, Candidates: refs}
}
