package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/indicator"
)

// Stats summarizes the store.
type Stats struct {
	Events int       // number of events
	First  time.Time // earliest published (zero when empty)
	Last   time.Time // latest published (zero when empty)
}

// Stats returns the number of events and the time range they cover. It
// reads counters and the ends of the published index: no scan.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	var n sql.NullInt64
	if err := s.read.QueryRowContext(ctx, "SELECT sum(n) FROM event_type_counts").Scan(&n); err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	st.Events = int(n.Int64)
	if st.Events == 0 {
		return st, nil
	}
	var first, last int64
	const q = "SELECT (SELECT min(published) FROM events), (SELECT max(published) FROM events)"
	if err := s.read.QueryRowContext(ctx, q).Scan(&first, &last); err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	st.First, st.Last = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
	return st, nil
}

// TypeCount is the number of events of one type.
type TypeCount struct {
	EventType string
	Count     int
}

// EventTypeCounts returns how many events of each type the store holds,
// most frequent first (then by type). It reads counters: no scan.
func (s *Store) EventTypeCounts(ctx context.Context) ([]TypeCount, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT event_type, n FROM event_type_counts WHERE n > 0 ORDER BY n DESC, event_type")
	if err != nil {
		return nil, fmt.Errorf("store: event type counts: %w", err)
	}
	defer rows.Close()
	var out []TypeCount
	for rows.Next() {
		var tc TypeCount
		if err := rows.Scan(&tc.EventType, &tc.Count); err != nil {
			return nil, fmt.Errorf("store: event type counts: %w", err)
		}
		out = append(out, tc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: event type counts: %w", err)
	}
	return out, nil
}

// UserRef is an Okta id seen with a given alternateId (login), and in how
// many events it appears as the actor and as a target: the indicator
// package's, so that the store is an indicator.Resolver.
type UserRef = indicator.UserRef

// ResolveUser lists the distinct actor.id values, and target.id values of
// targets of type User, of events whose matching alternateId equals login
// exactly, with their counts, most
// frequent first. It lets a user be named by login where an id is needed.
func (s *Store) ResolveUser(ctx context.Context, login string) ([]UserRef, error) {
	refs := map[string]*UserRef{}
	ref := func(id string) *UserRef {
		if refs[id] == nil {
			refs[id] = &UserRef{ID: id}
		}
		return refs[id]
	}
	const actors = `SELECT actor_id, count(*) FROM events
	WHERE actor_alternate_id = ? AND actor_id IS NOT NULL GROUP BY actor_id`
	// Only targets of type User: an app assignment (AppUser) or an
	// authenticator carries the user's login as its alternateId too.
	const targets = `SELECT t.target_id, count(DISTINCT t.event) FROM targets t JOIN raw r ON r.id = t.event
	WHERE t.target_alternate_id = ? AND t.target_id IS NOT NULL
	AND json_extract(r.json, '$.target[' || t.pos || '].type') = 'User' GROUP BY t.target_id`
	err := s.scanCounts(ctx, actors, login, func(id string, n int) { ref(id).ActorEvents = n })
	if err == nil {
		err = s.scanCounts(ctx, targets, login, func(id string, n int) { ref(id).TargetEvents = n })
	}
	if err != nil {
		return nil, fmt.Errorf("store: resolve user %q: %w", login, err)
	}
	out := make([]UserRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		ni, nj := out[i].ActorEvents+out[i].TargetEvents, out[j].ActorEvents+out[j].TargetEvents
		if ni != nj {
			return ni > nj
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func (s *Store) scanCounts(ctx context.Context, query, arg string, fn func(string, int)) error {
	rows, err := s.read.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		fn(id, n)
	}
	return rows.Err()
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

// UserID turns a login into the one Okta user id it names. A value the
// store does not know as a login is taken for an id and returned as it is,
// unless it looks like a login (holds "@"). It fails with a *UserError when
// the login is unknown or names several users.
func (s *Store) UserID(ctx context.Context, value string) (string, error) {
	refs, err := s.ResolveUser(ctx, value)
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
