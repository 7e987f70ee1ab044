package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/store"
)

// openMode says whether a command may create the backend it opens.
type openMode int

const (
	// mustExist: a reading command, which has nothing to read in a new
	// backend and says how to fill one.
	mustExist openMode = iota
	// createIfMissing: a command that stores events (import, collect, demo).
	createIfMissing
)

// openBackend opens the backend that --db (or $OKTASCOPE_DB) names. Every
// command opens its storage here, and only here: this is where a location
// is told apart by its form (a DSN's scheme, such as clickhouse://, is
// dispatched here to its backend); anything else is the path of an
// embedded store file.
func (a *app) openBackend(_ context.Context, mode openMode) (backend.Backend, error) {
	switch {
	default:
		if mode == mustExist {
			if _, err := os.Stat(a.dbPath); err != nil {
				return nil, fmt.Errorf("no store at %s: run 'oktascope import FILE' or 'oktascope demo' first (or pass --db)", a.dbPath)
			}
		}
		st, err := store.Open(a.dbPath)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
}
