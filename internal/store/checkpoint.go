package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"
)

// Checkpoints.
//
// In WAL mode every commit appends pages to the WAL, and a checkpoint
// copies them into the database file. SQLite's automatic checkpoint runs in
// the committing connection, stalling the import; instead a goroutine with
// its own connection runs a PASSIVE checkpoint (which never blocks the
// writer or readers) at most every checkpointEvery after a commit, on the
// other core. The writer's wal_autocheckpoint stays as a backstop, high.

const checkpointEvery = 250 * time.Millisecond

type checkpointer struct {
	db    *sql.DB
	wake  chan struct{}
	done  chan struct{}
	errCh chan error
}

func startCheckpointer(path string) (*checkpointer, error) {
	params := url.Values{"_busy_timeout": {"10000"}}
	db, err := sql.Open("sqlite", dsn(path, params))
	if err != nil {
		return nil, fmt.Errorf("store %s: checkpointer: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), done: make(chan struct{}), errCh: make(chan error, 1)}
	go c.run()
	return c, nil
}

// poke tells the checkpointer that a transaction committed.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	var firstErr error
	for {
		select {
		case <-c.done:
			c.errCh <- firstErr
			return
		case <-c.wake:
		}
		start := time.Now()
		if _, err := c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("checkpoint: %w", err)
		}
		select {
		case <-c.done:
		case <-time.After(checkpointEvery - time.Since(start)):
		}
	}
}

// stop ends the goroutine and closes its connection.
func (c *checkpointer) stop() error {
	close(c.done)
	err := <-c.errCh
	if cerr := c.db.Close(); err == nil {
		err = cerr
	}
	return err
}
