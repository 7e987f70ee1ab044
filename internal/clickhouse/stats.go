package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/oktascope/oktascope/internal/backend"
)

// Stats returns the number of events and the time range they cover.
func (b *Backend) Stats(ctx context.Context) (backend.Stats, error) {
	var st backend.Stats
	var n uint64
	var first, last int64
	err := b.conn.QueryRow(b.ctx(ctx), "SELECT count(), min(published_ns), max(published_ns) FROM "+b.events).Scan(&n, &first, &last)
	if err != nil {
		return st, fmt.Errorf("clickhouse: stats: %w", err)
	}
	if n == 0 {
		return st, nil
	}
	return backend.Stats{Events: int(n), First: time.Unix(0, first).UTC(), Last: time.Unix(0, last).UTC()}, nil
}

// EventTypeCounts returns how many events of each type are held, most
// frequent first, then by type.
func (b *Backend) EventTypeCounts(ctx context.Context) ([]backend.TypeCount, error) {
	rows, err := b.conn.Query(b.ctx(ctx),
		"SELECT event_type, count() AS n FROM "+b.events+" GROUP BY event_type ORDER BY n DESC, event_type")
	if err != nil {
		return nil, fmt.Errorf("clickhouse: event type counts: %w", err)
	}
	defer rows.Close()
	var out []backend.TypeCount
	for rows.Next() {
		var tc backend.TypeCount
		var n uint64
		if err := rows.Scan(&tc.EventType, &n); err != nil {
			return nil, fmt.Errorf("clickhouse: event type counts: %w", err)
		}
		tc.Count = int(n)
		out = append(out, tc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: event type counts: %w", err)
	}
	return out, nil
}

// ResolveUser lists the ids seen with the login as actor.alternateId
// (actor.id) or as the alternateId of a target of type User (its id), with
// their counts of events, most frequent first, then by id.
func (b *Backend) ResolveUser(ctx context.Context, login string) ([]backend.UserRef, error) {
	refs := map[string]*backend.UserRef{}
	ref := func(id string) *backend.UserRef {
		if refs[id] == nil {
			refs[id] = &backend.UserRef{ID: id}
		}
		return refs[id]
	}
	actorPivot := b.pivotCond([]pivotTerm{{pivotActorAlternateID, []string{login}}})
	actors := "SELECT actor_id, count() FROM " + b.events + " WHERE " + actorPivot.sql +
		" AND actor_alternate_id = ? AND actor_id != '' GROUP BY actor_id"
	// Only targets of type User: an app assignment (AppUser) or an
	// authenticator carries the user's login as its alternateId too.
	targetPivot := b.pivotCond([]pivotTerm{{pivotTargetAlternateID, []string{login}}})
	targets := "SELECT tid, count(DISTINCT uuid) FROM " + b.events +
		" ARRAY JOIN target_id AS tid, target_alternate_id AS talt, target_type AS ttype WHERE " + targetPivot.sql +
		" AND has(target_alternate_id, ?) AND talt = ? AND tid != '' AND ttype = 'User' GROUP BY tid"
	err := b.scanCounts(ctx, actors, append(actorPivot.args, login), func(id string, n int) { ref(id).ActorEvents = n })
	if err == nil {
		err = b.scanCounts(ctx, targets, append(targetPivot.args, login, login), func(id string, n int) { ref(id).TargetEvents = n })
	}
	if err != nil {
		return nil, fmt.Errorf("clickhouse: resolve user %q: %w", login, err)
	}
	out := make([]backend.UserRef, 0, len(refs))
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

func (b *Backend) scanCounts(ctx context.Context, query string, args []any, fn func(string, int)) error {
	rows, err := b.conn.Query(b.ctx(ctx), query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n uint64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		fn(id, int(n))
	}
	return rows.Err()
}

// ipUsersChunk is the most addresses one query of IPUsers names.
const ipUsersChunk = 500

// IPUsers calls fn with every user (actor of type User) acting from one of
// the addresses in [since, until), ordered by address, then first event:
// its identity (the greatest of each field over all its events from the
// address, as the embedded store keeps it) and its events in the window.
// One grouped query per chunk of addresses, found through the pivots.
func (b *Backend) IPUsers(ctx context.Context, ips []string, since, until time.Time, fn func(backend.IPUser) error) error {
	from, to := int64(-1<<63), int64(1<<63-1)
	if !since.IsZero() {
		from = unixNanos(since)
	}
	if !until.IsZero() {
		to = unixNanos(until)
	}
	ips = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(ips))), func(ip string) bool { return ip == "" || ip == "null" })
	for chunk := range slices.Chunk(ips, ipUsersChunk) {
		if err := b.ipUsers(ctx, chunk, from, to, fn); err != nil {
			return fmt.Errorf("clickhouse: ip users: %w", err)
		}
	}
	return nil
}

func (b *Backend) ipUsers(ctx context.Context, ips []string, from, to int64, fn func(backend.IPUser) error) error {
	const w = "published_ns >= ? AND published_ns < ?"
	args := []any{from, to, from, to, from, to}
	pivot := b.pivotCond([]pivotTerm{{pivotClientIP, ips}})
	args = append(args, pivot.args...)
	for _, ip := range ips {
		args = append(args, ip)
	}
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT client_ip, user_key, max(actor_id), max(actor_alternate_id), max(actor_display_name),"+
		" countIf("+w+") AS n, minIf(published_ns, "+w+") AS first, maxIf(published_ns, "+w+")"+
		" FROM "+b.events+" WHERE "+pivot.sql+" AND client_ip IN ("+placeholders(len(ips))+") AND user_key != ''"+
		" GROUP BY client_ip, user_key HAVING n > 0 ORDER BY client_ip, first, user_key", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u backend.IPUser
		var key string
		var n uint64
		var first, last int64
		if err := rows.Scan(&u.IP, &key, &u.User.ID, &u.User.AlternateID, &u.User.DisplayName, &n, &first, &last); err != nil {
			return err
		}
		u.Events, u.First, u.Last = int(n), time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		if err := fn(u); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LoadCheckpoint returns the saved link for key.
func (b *Backend) LoadCheckpoint(ctx context.Context, key string) (string, bool, error) {
	var next string
	var deleted uint8
	var n uint64
	err := b.conn.QueryRow(b.ctx(ctx), "SELECT argMax(next, version), argMax(deleted, version), count() FROM "+b.checkpoints+
		" WHERE key = ?", key).Scan(&next, &deleted, &n)
	if err != nil {
		return "", false, fmt.Errorf("clickhouse: load checkpoint: %w", err)
	}
	if n == 0 || deleted != 0 {
		return "", false, nil
	}
	return next, true, nil
}

// SaveCheckpoint records the link for key.
func (b *Backend) SaveCheckpoint(ctx context.Context, key, next string) error {
	if err := b.putCheckpoint(ctx, key, next, 0); err != nil {
		return fmt.Errorf("clickhouse: save checkpoint: %w", err)
	}
	return nil
}

// DeleteCheckpoint forgets key.
func (b *Backend) DeleteCheckpoint(ctx context.Context, key string) error {
	if err := b.putCheckpoint(ctx, key, "", 1); err != nil {
		return fmt.Errorf("clickhouse: delete checkpoint: %w", err)
	}
	return nil
}

// putCheckpoint adds a version of key's checkpoint: the latest version
// wins, and merges keep only it.
func (b *Backend) putCheckpoint(ctx context.Context, key, next string, deleted uint8) error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.version = max(b.version+1, uint64(time.Now().UnixNano()))
	batch, err := b.conn.PrepareBatch(b.ctx(ctx, ch.Settings{"insert_distributed_sync": 1}),
		"INSERT INTO "+b.checkpoints+" (key, next, version, deleted)")
	if err != nil {
		return err
	}
	if err := batch.Append(key, next, b.version, deleted); err != nil {
		batch.Abort()
		return err
	}
	return batch.Send()
}
