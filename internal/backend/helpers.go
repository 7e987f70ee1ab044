package backend

import (
	"cmp"
	"slices"
)

// UserRefs gathers what a backend's ResolveUser counts, by id.
type UserRefs map[string]*UserRef

// Ref returns the UserRef of id, adding it when new.
func (r UserRefs) Ref(id string) *UserRef {
	if r[id] == nil {
		r[id] = &UserRef{ID: id}
	}
	return r[id]
}

// Sorted returns the UserRefs in ResolveUser's order: most events (as
// actor and as target together) first, then by id.
func (r UserRefs) Sorted() []UserRef {
	out := make([]UserRef, 0, len(r))
	for _, ref := range r {
		out = append(out, *ref)
	}
	slices.SortFunc(out, func(a, b UserRef) int {
		if c := cmp.Compare(b.ActorEvents+b.TargetEvents, a.ActorEvents+a.TargetEvents); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// IsV1UUID reports whether u is a version 1 UUID written in lower case
// (Okta's event uuids are): its timestamp then orders the uuids of a
// chronological log, which backends use to keep them near each other.
func IsV1UUID(u string) bool {
	if len(u) != 36 || u[14] != '1' {
		return false
	}
	for i := range len(u) {
		switch c := u[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case (c < '0' || c > '9') && (c < 'a' || c > 'f'):
			return false
		}
	}
	return true
}
