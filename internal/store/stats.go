package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Stats returns the number of events and the time range they cover. It
// reads counters and the ends of the published index: no scan.
func (s *Store) Stats(ctx context.Context) (backend.Stats, error) {
	var st backend.Stats
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

// EventTypeCounts returns how many events of each type the store holds,
// most frequent first (then by type). It reads counters: no scan.
func (s *Store) EventTypeCounts(ctx context.Context) ([]backend.TypeCount, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT event_type, n FROM event_type_counts WHERE n > 0 ORDER BY n DESC, event_type")
	if err != nil {
		return nil, fmt.Errorf("store: event type counts: %w", err)
	}
	defer rows.Close()
	var out []backend.TypeCount
	for rows.Next() {
		var tc backend.TypeCount
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

// ResolveUser lists the distinct actor.id values, and target.id values of
// targets of type User, of events whose matching alternateId equals login
// exactly, with their counts, most frequent first, then by id. It lets a
// user be named by login where an id is needed (indicator.UserID).
func (s *Store) ResolveUser(ctx context.Context, login string) ([]backend.UserRef, error) {
	refs := backend.UserRefs{}
	const actors = `SELECT actor_id, count(*) FROM events
	WHERE actor_alternate_id = ? AND actor_id IS NOT NULL GROUP BY actor_id`
	err := s.scanCounts(ctx, actors, login, func(id string, n int) { refs.Ref(id).ActorEvents = n })
	if err == nil {
		err = s.userTargets(ctx, login, func(id string, n int) { refs.Ref(id).TargetEvents = n })
	}
	if err != nil {
		return nil, fmt.Errorf("store: resolve user %q: %w", login, err)
	}
	return refs.Sorted(), nil
}

// userTargets calls fn with each target.id of the events with a target of
// type User whose alternateId is login, and how many events have it. Only
// targets of type User: an app assignment (AppUser) or an authenticator
// carries the user's login as its alternateId too. The type is read from
// each candidate event's JSON.
func (s *Store) userTargets(ctx context.Context, login string, fn func(string, int)) error {
	rows, err := s.read.QueryContext(ctx, `SELECT event, pos, target_id FROM targets
	WHERE target_alternate_id = ? AND target_id IS NOT NULL ORDER BY event, pos`, login)
	if err != nil {
		return err
	}
	defer rows.Close()
	src := newRawSource(s.read, s.rawMax)
	defer src.close()
	counts := map[string]int{}
	var event *logevent.Event // of the row with id last
	var last int64
	var counted map[string]bool // target ids already counted for event
	for rows.Next() {
		var id int64
		var pos int
		var target string
		if err := rows.Scan(&id, &pos, &target); err != nil {
			return err
		}
		if event == nil || last != id {
			raw, err := src.json(ctx, s.codec, id)
			if err != nil {
				return err
			}
			if event, err = logevent.Decode(raw); err != nil {
				return fmt.Errorf("event %d: %w", id, err)
			}
			last, counted = id, map[string]bool{}
		}
		if pos < len(event.Target) && event.Target[pos].Type == "User" && !counted[target] {
			counted[target] = true
			counts[target]++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, n := range counts {
		fn(id, n)
	}
	return nil
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
