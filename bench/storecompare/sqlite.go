package main

import (
	"context"
	"path/filepath"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/store"
)

// sqliteEngine is oktascope's store; bulk defers its indexes to the end
// of the load (Store.BeginBulk), as an import into a new store does.
type sqliteEngine struct {
	s    *store.Store
	path string
	bulk bool
}

func openSQLite(dir string) (engine, error)     { return openStore(dir, false) }
func openSQLiteBulk(dir string) (engine, error) { return openStore(dir, true) }

func openStore(dir string, bulk bool) (engine, error) {
	name := map[bool]string{false: "sqlite-live.db", true: "sqlite-bulk.db"}[bulk]
	path := filepath.Join(dir, name)
	s, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	if bulk {
		if err := s.BeginBulk(context.Background(), 0); err != nil {
			return nil, err
		}
	}
	return &sqliteEngine{s: s, path: path, bulk: bulk}, nil
}

func (e *sqliteEngine) name() string {
	if e.bulk {
		return "oktascope store, bulk (modernc SQLite)"
	}
	return "oktascope store, live indexes (modernc SQLite)"
}

func (e *sqliteEngine) insert(ctx context.Context, events []*logevent.Event) error {
	_, err := e.s.Insert(ctx, events)
	return err
}

func (e *sqliteEngine) finish(ctx context.Context) error {
	if err := e.s.EndBulk(ctx); err != nil {
		return err
	}
	return e.s.Analyze(ctx)
}

func (e *sqliteEngine) lookup(ctx context.Context, l lookup) (int, error) {
	n := 0
	q := backend.Query{Filter: filter.MustParse(l.filter)}
	err := e.s.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { n++; return nil })
	return n, err
}

func (e *sqliteEngine) files() []string { return storeFiles(e.path) }
func (e *sqliteEngine) close() error    { return e.s.Close() }
