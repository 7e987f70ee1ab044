package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/clickhouse"
	"github.com/oktascope/oktascope/internal/store"
)

// openMode says whether a command may create the backend it opens.
type openMode int

const (
	// mustExist: a reading command, which has nothing to read in a new
	// backend and says how to fill one.
	mustExist openMode = iota
	// createIfMissing: a command that stores events (import, collect).
	createIfMissing
	// replaceExisting: a command that builds its backend from scratch
	// (demo): what the location held is dropped first.
	replaceExisting
)

// backendOpener opens the storage a command works on, in a mode. The
// factory holds the one a command gets (factory.openBackend); tests give
// their own.
type backendOpener func(ctx context.Context, mode openMode) (backend.Backend, error)

// with opens the backend, calls fn with it and closes it. It returns fn's
// error, else the error of closing (which finishes what a writer left
// pending).
func (open backendOpener) with(ctx context.Context, mode openMode, fn func(backend.Backend) error) error {
	st, err := open(ctx, mode)
	if err != nil {
		return err
	}
	err = fn(st)
	if closeErr := st.Close(); err == nil {
		err = closeErr
	}
	return err
}

// openBackend opens the backend at location, the one place a location is
// told apart by its form: a DSN's scheme (such as clickhouse://) is
// dispatched here to its backend; anything else is the path of an
// embedded store file.
func openBackend(ctx context.Context, location string, mode openMode) (backend.Backend, error) {
	switch {
	case clickhouse.IsDSN(location):
		b, err := clickhouse.Open(ctx, location)
		if err != nil {
			return nil, err
		}
		if mode == replaceExisting {
			if err := b.Clear(ctx); err != nil {
				b.Close()
				return nil, err
			}
		}
		return b, nil
	default:
		switch mode {
		case mustExist:
			if _, err := os.Stat(location); err != nil {
				return nil, fmt.Errorf("no store at %s: run 'oktascope import FILE' or 'oktascope demo' first (or pass --db)", location)
			}
		case replaceExisting:
			// The store's file and SQLite's write-ahead log and index beside it.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(location + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return nil, fmt.Errorf("remove the old store: %w", err)
				}
			}
		}
		st, err := store.Open(location)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
}

// printableLocation is a store's location as commands may print it: a
// ClickHouse DSN's password masked.
func printableLocation(location string) string { return clickhouse.Redacted(location) }
