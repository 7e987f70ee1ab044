package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Collect checkpoints (backend.Checkpoints): the table checkpoints
// (0003_checkpoints.sql), written through the writer connection like the
// events, read through the read pool. (The WAL checkpoints of checkpoint.go
// are another thing.)

// LoadCheckpoint returns the link saved for key; ok is false when there is
// none.
func (s *Store) LoadCheckpoint(ctx context.Context, key string) (next string, ok bool, err error) {
	err = s.read.QueryRowContext(ctx, "SELECT next FROM checkpoints WHERE key = ?", key).Scan(&next)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("store: load checkpoint: %w", err)
	}
	return next, true, nil
}

// SaveCheckpoint records next as the link of key.
func (s *Store) SaveCheckpoint(ctx context.Context, key, next string) error {
	const save = `INSERT INTO checkpoints (key, next, saved) VALUES (?, ?, ?)
	ON CONFLICT (key) DO UPDATE SET next = excluded.next, saved = excluded.saved`
	return s.writeCheckpoint(ctx, "save", save, key, next, time.Now().UnixNano())
}

// DeleteCheckpoint forgets key.
func (s *Store) DeleteCheckpoint(ctx context.Context, key string) error {
	return s.writeCheckpoint(ctx, "delete", "DELETE FROM checkpoints WHERE key = ?", key)
}

func (s *Store) writeCheckpoint(ctx context.Context, what, stmt string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("store: %s checkpoint: store is closed", what)
	}
	if _, err := s.write.ExecContext(ctx, stmt, args...); err != nil {
		return fmt.Errorf("store: %s checkpoint: %w", what, err)
	}
	s.ckpt.poke()
	return nil
}

// checkpointFile is where the previous release kept a store's collect
// checkpoints: a JSON file beside the database,
// {"version": 1, "checkpoints": {KEY: {"next": URL, "saved": TIME}}}.
func checkpointFile(dbPath string) string { return dbPath + ".checkpoints.json" }

// migrateCheckpointFile moves the checkpoints of the previous release's
// file into the table, once: a key the table holds already keeps its link,
// and the file is removed after the commit. So an interrupted collect of
// the previous release resumes.
func migrateCheckpointFile(ctx context.Context, db *sql.DB, dbPath string) error {
	path := checkpointFile(dbPath)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoints %s: %w", path, err)
	}
	var file struct {
		Checkpoints map[string]struct {
			Next  string    `json:"next"`
			Saved time.Time `json:"saved"`
		} `json:"checkpoints"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return fmt.Errorf("checkpoints %s: not a checkpoint file (move it aside to open the store): %w", path, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("checkpoints %s: %w", path, err)
	}
	defer tx.Rollback()
	for key, cp := range file.Checkpoints {
		if cp.Next == "" {
			continue
		}
		const add = "INSERT INTO checkpoints (key, next, saved) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING"
		if _, err := tx.ExecContext(ctx, add, key, cp.Next, cp.Saved.UnixNano()); err != nil {
			return fmt.Errorf("checkpoints %s: %w", path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("checkpoints %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("checkpoints %s: migrated, but: %w", path, err)
	}
	return nil
}
