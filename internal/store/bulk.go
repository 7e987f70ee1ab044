package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Bulk loading.
//
// Keeping the secondary indexes (every index but uuid's) up to date costs
// most of an insert: each event adds an entry at a random place of about
// ten B-trees. Building them afterwards, by sorting, is several times
// cheaper when the load is large compared with what the store already
// holds. BeginBulk drops them, recording their definitions in the table
// deferred_indexes in the same transaction; EndBulk (or Close) builds them
// again. If the process dies in between, the next Open rebuilds them, so
// an open store is always fully indexed except during its own bulk load.
// Searches stay correct (only slower) while the indexes are missing.

// bulkSmallStore is the size below which BeginBulk defers indexes when the
// caller cannot say how many events it will add.
const bulkSmallStore = 100_000

// BeginBulk prepares the store for a large import of about expected events
// (0 when unknown): when that is at least as many as the store holds (or,
// if unknown, the store holds fewer than 100,000), index maintenance is
// deferred until EndBulk. Inserts remain atomic and deduplicated as usual.
func (s *Store) BeginBulk(ctx context.Context, expected int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store: begin bulk: store is closed")
	}
	n, err := s.countLocked(ctx)
	if err != nil {
		return fmt.Errorf("store: begin bulk: %w", err)
	}
	if (expected > 0 && expected < n) || (expected <= 0 && n >= bulkSmallStore) {
		return nil
	}
	if err := dropIndexes(ctx, s.write); err != nil {
		return fmt.Errorf("store: begin bulk: %w", err)
	}
	s.bulk, s.bulkIPUsers = true, map[ipUserKey]*ipUserSum{}
	return nil
}

// EndBulk ends a bulk load: it builds the indexes BeginBulk deferred,
// refreshes the query planner's statistics, and copies the WAL (which
// then holds every new index page) into the database file, so that
// searches read the file directly. It does nothing when no bulk load is
// under way.
func (s *Store) EndBulk(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.bulk {
		return nil
	}
	if err := s.endBulkLocked(ctx); err != nil {
		return fmt.Errorf("store: end bulk: %w", err)
	}
	if err := s.analyzeLocked(ctx); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		return fmt.Errorf("store: end bulk: checkpoint: %w", err)
	}
	return nil
}

// endBulkLocked writes the bulk load's ip_users sums and builds the
// deferred indexes.
func (s *Store) endBulkLocked(ctx context.Context) error {
	if err := s.flushIPUsersLocked(ctx); err != nil {
		return err
	}
	if err := s.rebuildIndexes(ctx, s.write); err != nil {
		return err
	}
	s.bulk = false
	return nil
}

func (s *Store) countLocked(ctx context.Context) (int, error) {
	var n sql.NullInt64
	err := s.write.QueryRowContext(ctx, "SELECT sum(n) FROM event_type_counts").Scan(&n)
	return int(n.Int64), err
}

// dropIndexes drops every secondary index, saving its definition.
func dropIndexes(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	const save = `INSERT INTO deferred_indexes (name, sql)
	SELECT name, sql FROM sqlite_schema
	WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'targets')
	AND name NOT IN (SELECT name FROM deferred_indexes)`
	if _, err := tx.ExecContext(ctx, save); err != nil {
		return fmt.Errorf("save index definitions: %w", err)
	}
	const mark = "INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)"
	if _, err := tx.ExecContext(ctx, mark, ipUsersMarker, ipUsersRebuildNote); err != nil {
		return fmt.Errorf("mark ip_users: %w", err)
	}
	names, err := deferredIndexes(ctx, tx)
	if err != nil {
		return err
	}
	for _, name := range names {
		if name == ipUsersMarker {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS "`+name+`"`); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return tx.Commit()
}

// rebuildIndexes creates every deferred index, and rebuilds ip_users when
// a bulk load left it pending, in one transaction.
func (s *Store) rebuildIndexes(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM deferred_indexes ORDER BY name")
	if err != nil {
		return fmt.Errorf("read deferred indexes: %w", err)
	}
	var defs [][2]string
	for rows.Next() {
		var d [2]string
		if err := rows.Scan(&d[0], &d[1]); err != nil {
			rows.Close()
			return fmt.Errorf("read deferred indexes: %w", err)
		}
		defs = append(defs, d)
	}
	rows.Close()
	for _, d := range defs {
		if d[0] == ipUsersMarker {
			if err := s.rebuildIPUsers(ctx, tx); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, d[1]); err != nil {
			return fmt.Errorf("create index %s: %w", d[0], err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM deferred_indexes"); err != nil {
		return fmt.Errorf("clear deferred indexes: %w", err)
	}
	return tx.Commit()
}

func deferredIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM deferred_indexes ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("read deferred indexes: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
