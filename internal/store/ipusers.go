package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// The table ip_users (0002_ip_users.sql) summarizes, per client IP address,
// the users acting from it. Insert adds each batch's events to it: the batch
// is summed in memory first, so a transaction upserts one row per address
// and user, not one per event. During a bulk load the sums of every batch
// stay in memory until EndBulk writes them at once (an address and user
// recur from batch to batch: that made bulk loads a fifth slower); a
// marker in deferred_indexes has the next Open rebuild the table from the
// events if the process dies before.

const sqlAddIPUser = `INSERT INTO ip_users (client_ip, user_key, actor_id, actor_alternate_id,
	actor_display_name, events, first, last) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (client_ip, user_key) DO UPDATE SET
	actor_id = nullif(max(coalesce(actor_id, ''), coalesce(excluded.actor_id, '')), ''),
	actor_alternate_id = nullif(max(coalesce(actor_alternate_id, ''), coalesce(excluded.actor_alternate_id, '')), ''),
	actor_display_name = nullif(max(coalesce(actor_display_name, ''), coalesce(excluded.actor_display_name, '')), ''),
	events = events + excluded.events,
	first = min(first, excluded.first),
	last = max(last, excluded.last)`

// ipUserKey identifies a row of ip_users.
type ipUserKey struct{ ip, user string }

// ipUserSum is a batch's contribution to a row of ip_users.
type ipUserSum struct {
	actor       logevent.Actor
	events      int
	first, last int64
}

// sumIPUser adds an inserted event to the batch's ip_users sums.
func (b *batch) sumIPUser(e *logevent.Event) { sumIPUser(b.ipUsers, e) }

// sumIPUser adds an event to sums of ip_users rows.
func sumIPUser(sums map[ipUserKey]*ipUserSum, e *logevent.Event) {
	a, ok := e.ActingUser()
	ip := e.ClientIP()
	if !ok || ip == "" {
		return
	}
	k := ipUserKey{ip, a.Key()}
	t := unixNanos(e.Time)
	s := sums[k]
	if s == nil {
		s = &ipUserSum{actor: logevent.Actor{ID: a.ID, AlternateID: a.AlternateID, DisplayName: a.DisplayName}, first: t, last: t}
		sums[k] = s
	}
	s.actor = union(s.actor, a)
	s.events++
	s.first, s.last = min(s.first, t), max(s.last, t)
}

// union is the identity of a user seen as a and as b: the greatest of each
// field's values, so that the result does not depend on the order events
// arrive in (an import, a bulk load and the migration agree; "" is least).
func union(a, b logevent.Actor) logevent.Actor {
	return logevent.Actor{ID: max(a.ID, b.ID), AlternateID: max(a.AlternateID, b.AlternateID), DisplayName: max(a.DisplayName, b.DisplayName)}
}

// addIPUsers writes the batch's sums to ip_users.
func (b *batch) addIPUsers() error {
	return writeIPUsers(b.run, b.tx.StmtContext(b.run, b.ins.stmts[sqlAddIPUser]), b.ipUsers)
}

// writeIPUsers upserts sums into ip_users.
func writeIPUsers(ctx context.Context, st *sql.Stmt, sums map[ipUserKey]*ipUserSum) error {
	for k, s := range sums {
		a := s.actor
		if _, err := st.ExecContext(ctx, k.ip, k.user, null(a.ID), null(a.AlternateID), null(a.DisplayName),
			s.events, s.first, s.last); err != nil {
			return fmt.Errorf("summarize ip users: %w", err)
		}
	}
	return nil
}

// mergeIPUsers adds a batch's sums to the bulk load's.
func mergeIPUsers(into, from map[ipUserKey]*ipUserSum) {
	for k, s := range from {
		t := into[k]
		if t == nil {
			into[k] = s
			continue
		}
		t.actor = union(t.actor, s.actor)
		t.events += s.events
		t.first, t.last = min(t.first, s.first), max(t.last, s.last)
	}
}

// flushIPUsersLocked writes the bulk load's sums and removes the marker
// that would have the next Open rebuild ip_users, in one transaction.
func (s *Store) flushIPUsersLocked(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := writeIPUsers(ctx, tx.StmtContext(ctx, s.insert.stmts[sqlAddIPUser]), s.bulkIPUsers); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM deferred_indexes WHERE name = ?", ipUsersMarker); err != nil {
		return fmt.Errorf("clear ip_users marker: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.bulkIPUsers = nil
	return nil
}

// ipUsersMarker names, in deferred_indexes, the rebuild of ip_users from
// the events, which a bulk load leaves pending until it writes its sums.
const ipUsersMarker = "ip_users"

// ipUsersRebuildNote is the marker's text in deferred_indexes (its sql
// column): the table is rebuilt in Go, by rebuildIPUsers.
const ipUsersRebuildNote = "-- ip_users: rebuilt from the events"

// rebuildIPUsers fills ip_users anew from the events, reading the actor's
// type from each event's JSON: the summary a bulk load would have written
// had it finished. It streams the events by id; the sums (one per address
// and user) are what EndBulk would have held.
func (s *Store) rebuildIPUsers(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM ip_users"); err != nil {
		return fmt.Errorf("rebuild ip_users: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM events
	WHERE client_ip IS NOT NULL AND coalesce(actor_id, actor_alternate_id) IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("rebuild ip_users: %w", err)
	}
	defer rows.Close()
	src := newRawSource(tx, s.rawMax)
	defer src.close()
	sums := map[ipUserKey]*ipUserSum{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("rebuild ip_users: %w", err)
		}
		raw, err := src.json(ctx, s.codec, id)
		if err != nil {
			return fmt.Errorf("rebuild ip_users: %w", err)
		}
		e, err := logevent.Decode(raw)
		if err != nil {
			return fmt.Errorf("rebuild ip_users: event %d: %w", id, err)
		}
		sumIPUser(sums, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rebuild ip_users: %w", err)
	}
	rows.Close()
	st, err := tx.PrepareContext(ctx, sqlAddIPUser)
	if err != nil {
		return fmt.Errorf("rebuild ip_users: %w", err)
	}
	defer st.Close()
	return writeIPUsers(ctx, st, sums)
}

// ipUsersChunk is the most addresses one query of IPUsers names.
const ipUsersChunk = 500

// IPUsers calls fn with every user (actor of type User) acting from one of
// the addresses in [since, until) (zero times leave that side unbounded),
// ordered by address, then first event. It reads the summary kept at
// insert time, not the events, except for the users whose events straddle
// a bound of the window: those it counts again within the window from the
// user's events.
func (s *Store) IPUsers(ctx context.Context, ips []string, since, until time.Time, fn func(backend.IPUser) error) error {
	from, to := windowNanos(since, until)
	for chunk := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(ips))), ipUsersChunk) {
		if err := s.ipUsers(ctx, chunk, from, to, fn); err != nil {
			return fmt.Errorf("store: ip users: %w", err)
		}
	}
	return nil
}

// windowNanos is [since, until) in published's unit, unbounded sides at
// the extremes of int64.
func windowNanos(since, until time.Time) (from, to int64) {
	from, to = unixNanos(minInstant), unixNanos(maxInstant)
	if !since.IsZero() {
		from = unixNanos(since)
	}
	if !until.IsZero() {
		to = unixNanos(until)
	}
	return from, to
}

func (s *Store) ipUsers(ctx context.Context, ips []string, from, to int64, fn func(backend.IPUser) error) error {
	args := make([]any, len(ips))
	for i, ip := range ips {
		args[i] = ip
	}
	rows, err := s.read.QueryContext(ctx, `SELECT client_ip, user_key, coalesce(actor_id, ''),
	coalesce(actor_alternate_id, ''), coalesce(actor_display_name, ''), events, first, last
	FROM ip_users WHERE client_ip IN (`+placeholders(len(ips))+`) ORDER BY client_ip, first, user_key`, args...)
	if err != nil {
		return err
	}
	var found []ipUserRow
	for rows.Next() {
		var r ipUserRow
		if err := rows.Scan(&r.IP, &r.key, &r.User.ID, &r.User.AlternateID, &r.User.DisplayName, &r.Events, &r.first, &r.last); err != nil {
			rows.Close()
			return err
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	counts, err := s.windowCounts(ctx, straddling(found, from, to), from, to)
	if err != nil {
		return err
	}
	for _, r := range found {
		if r.last < from || r.first >= to {
			continue
		}
		if r.first < from || r.last >= to {
			c, ok := counts[ipUserKey{r.IP, r.key}]
			if !ok {
				continue
			}
			r.Events, r.first, r.last = c.events, c.first, c.last
		}
		r.First, r.Last = time.Unix(0, r.first).UTC(), time.Unix(0, r.last).UTC()
		if err := fn(r.IPUser); err != nil {
			return err
		}
	}
	return nil
}

// ipUserRow is a row of ip_users being read.
type ipUserRow struct {
	backend.IPUser
	key         string
	first, last int64
}

// straddling returns the addresses of the rows whose events straddle a
// bound of [from, to).
func straddling(rows []ipUserRow, from, to int64) []string {
	var ips []string
	for _, r := range rows {
		if r.first < to && r.last >= from && (r.first < from || r.last >= to) {
			ips = append(ips, r.IP)
		}
	}
	return slices.Compact(ips) // rows come by address
}

// windowCounts counts, per address and user, the events from the addresses
// within [from, to), in one search of the addresses' index over the window.
// It does not read the actor's type: the rows it completes are those of
// users already (an Okta id names one kind of actor).
func (s *Store) windowCounts(ctx context.Context, ips []string, from, to int64) (map[ipUserKey]ipUserSum, error) {
	counts := map[ipUserKey]ipUserSum{}
	if len(ips) == 0 {
		return counts, nil
	}
	args := []any{from, to}
	for _, ip := range ips {
		args = append(args, ip)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT client_ip, coalesce(actor_id, actor_alternate_id) AS k,
	count(*), min(published), max(published) FROM events
	WHERE published >= ? AND published < ? AND client_ip IN (`+placeholders(len(ips))+`) AND k IS NOT NULL
	GROUP BY client_ip, k`, args...)
	if err != nil {
		return nil, fmt.Errorf("count within the window: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k ipUserKey
		var c ipUserSum
		if err := rows.Scan(&k.ip, &k.user, &c.events, &c.first, &c.last); err != nil {
			return nil, fmt.Errorf("count within the window: %w", err)
		}
		counts[k] = c
	}
	return counts, rows.Err()
}
