// Package store is oktascope's embedded event store, the default
// backend.Backend (and a backend.BulkLoader): one SQLite file (WAL, 16 KiB
// pages) holding every imported event once, indexed for the pivots of
// docs/storage.md (user, IP address, session, target), and searched
// with Okta's filter language.
//
// Filters are split in two (see translate.go): the part the columns and
// indexes answer exactly is pushed down to SQL; the rest is evaluated in Go
// with filter.Compile on each candidate row, decoded from its original JSON.
// Results are streamed in order (published, then insertion order; or
// insertion order alone, backend.ByReceived), never collected in memory.
//
// The driver is modernc.org/sqlite, a pure Go translation of SQLite: the
// binary builds without cgo.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/oktascope/oktascope/internal/privfile"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/oktascope/oktascope/internal/backend"
)

// applicationID marks a SQLite file as an oktascope store ("OkSc").
const applicationID = 0x4F6B5363

// pageSize is the page size of a new store. Larger pages than SQLite's
// default 4 KiB hold a whole event per page, which makes the file smaller and
// both imports and scans faster (docs/storage.md).
const pageSize = 16384

// Store is an open event store. Its methods are safe for concurrent use:
// inserts are serialized on one connection, and searches run on a pool of
// read-only connections that see the last committed state.
type Store struct {
	path   string
	write  *sql.DB // one connection, BEGIN IMMEDIATE
	read   *sql.DB // read-only pool
	insert *inserter
	codec  *codec // compresses and decompresses blocks of raw JSON
	// rawMax is the greatest id whose JSON is in the table raw (0: none),
	// in a store written before raw_blocks; fixed once the store is open.
	rawMax int64

	ckpt *checkpointer

	mu    sync.Mutex // serializes writes and guards the fields below
	dirty int64      // events inserted since the last ANALYZE
	// blockRatio is the compression ratio of the last blocks written
	// (blocks.go).
	blockRatio float64
	bulk       bool // in a bulk load, indexes dropped
	// bulkIPUsers sums the ip_users rows of a bulk load's batches.
	bulkIPUsers map[ipUserKey]*ipUserSum
	closeErr    error
	closed      bool
}

// Open opens the store at path, creating it (and applying every schema
// migration) when needed. It fails when the file is not an oktascope store
// or was written by a newer schema than this binary knows.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{path: abs, blockRatio: initialBlockRatio}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := s.openWriter(); err != nil {
		return nil, err
	}
	if err := s.openReaders(); err != nil {
		s.write.Close()
		s.codec.close()
		return nil, err
	}
	ckpt, err := startCheckpointer(s.path)
	if err != nil {
		s.read.Close()
		s.write.Close()
		s.codec.close()
		return nil, err
	}
	s.ckpt = ckpt
	return s, nil
}

// createPrivate makes sure the store's files are its owner's alone. A new
// store's file is created here, empty, with mode 0600 (O_EXCL, not
// following a symbolic link), before SQLite opens it: SQLite creates the
// -wal and -shm files with the database file's mode. The mode of an
// existing store is left as it is (docs/storage.md); a symbolic link, at
// the store's path or at its -wal or -shm, is refused, and so is a file
// that is not a regular file of the user's own.
func createPrivate(path string) error {
	info, err := privfile.Check(path)
	if err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := privfile.Check(path + suffix); err != nil {
			return err
		}
	}
	if info != nil {
		return nil
	}
	f, err := privfile.CreateNew(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// Location returns the absolute path of the store's database file.
func (s *Store) Location() string { return s.path }

// writerPragmas configure the write connection. page_size is listed as a
// _pragma so that it runs before the journal mode switch, which fixes the
// page size of a new file. A cache larger than 32 MiB was slower (modernc's
// allocator maps each 16 KiB page separately); wal_autocheckpoint is a
// backstop for the background checkpointer; journal_size_limit shrinks the
// WAL after a checkpoint (an index build writes gigabytes through it).
// threads(1): an index build's sorter may sort on one helper thread while
// the writer's reads the table; the nine builds of a 1M-event bulk load
// took about 15.6 CPU-s in 11.6 s with it, 21–22 CPU-s in 15 s with two
// helpers, 14–19 CPU-s in 15–22 s with none (docs/storage.md).
var writerPragmas = []string{"page_size(" + fmt.Sprint(pageSize) + ")", "cache_size(-32768)", "wal_autocheckpoint(8192)", "journal_size_limit(67108864)", "threads(1)"}

func (s *Store) openWriter() error {
	params := url.Values{
		"_pragma":       writerPragmas,
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_busy_timeout": {"10000"},
		"_txlock":       {"immediate"},
	}
	db, err := sql.Open("sqlite", dsn(s.path, params))
	if err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := s.prepareWriter(context.Background(), db); err != nil {
		if s.codec != nil {
			s.codec.close()
		}
		db.Close()
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	s.write = db
	return nil
}

// prepareWriter brings the schema up to date (and the previous release's
// checkpoint file into it), rebuilds the indexes a bulk load left deferred
// (if it did not finish), and prepares Insert.
func (s *Store) prepareWriter(ctx context.Context, db *sql.DB) error {
	if err := migrate(ctx, db); err != nil {
		return err
	}
	if err := migrateCheckpointFile(ctx, db, s.path); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM raw").Scan(&s.rawMax); err != nil {
		return fmt.Errorf("read raw: %w", err)
	}
	c, err := newCodec(s.loadDicts)
	if err != nil {
		return err
	}
	s.codec = c
	if err := s.rebuildIndexes(ctx, db); err != nil {
		return err
	}
	ins, err := newInserter(ctx, db)
	s.insert = ins
	return err
}

func (s *Store) openReaders() error {
	params := url.Values{
		"_pragma":       {"cache_size(-4096)", "mmap_size(" + readMmapSize + ")"},
		"_busy_timeout": {"10000"},
		"_query_only":   {"1"},
	}
	db, err := sql.Open("sqlite", dsn(s.path, params))
	if err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	db.SetMaxOpenConns(2*runtime.GOMAXPROCS(0) + 2)
	db.SetMaxIdleConns(runtime.GOMAXPROCS(0))
	if err := db.Ping(); err != nil {
		db.Close()
		return fmt.Errorf("store %s: open reader: %w", s.path, err)
	}
	s.read = db
	return nil
}

// readMmapSize is how much of the file read connections map into memory
// (SQLite's largest default): the pages a search reads here and there come
// from the OS page cache without a pread each.
const readMmapSize = "2147418112"

// unmappedConn returns a read connection that maps none of the file, for a
// scan of the whole store or a time window of it: each page is read once,
// in order, and a mapping's page faults (and its resident pages) cost more
// than the reads. releaseUnmapped gives it back as it was.
func (s *Store) unmappedConn(ctx context.Context) (*sql.Conn, error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA mmap_size = 0"); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// releaseUnmapped maps the file again on a connection of unmappedConn and
// returns it to the pool, or has the pool discard it if that fails.
func releaseUnmapped(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), "PRAGMA mmap_size = "+readMmapSize); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

// loadDicts reads the dictionaries of raw_dicts through a connection of
// its own: the codec calls it when it opens and when it meets a block
// whose dictionary it does not know, which may be while the writer's one
// connection is in a transaction.
func (s *Store) loadDicts() (map[uint32][]byte, error) {
	db, err := sql.Open("sqlite", dsn(s.path, url.Values{"_busy_timeout": {"10000"}, "_query_only": {"1"}}))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return loadDicts(context.Background(), db)
}

// dsn builds a modernc.org/sqlite URI for path with the driver parameters.
func dsn(path string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: path, RawQuery: params.Encode()}
	return "file:" + u.EscapedPath() + "?" + u.RawQuery
}

// Close ends a bulk load if one is under way (see EndBulk), refreshes the
// query planner's statistics when events were inserted, checkpoints the
// WAL into the database file and closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closeErr
	}
	s.closed = true
	ctx := context.Background()
	var errs []error
	if s.bulk {
		errs = append(errs, s.endBulkLocked(ctx))
	}
	if s.dirty > 0 {
		errs = append(errs, s.analyzeLocked(ctx))
	}
	errs = append(errs, s.ckpt.stop(), s.insert.close(), s.read.Close())
	// A last checkpoint empties the WAL, so that the file is complete.
	if _, err := s.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint: %w", err))
	}
	errs = append(errs, s.write.Close())
	s.codec.close()
	if err := errors.Join(errs...); err != nil {
		s.closeErr = fmt.Errorf("store %s: close: %w", s.path, err)
	}
	return s.closeErr
}

// Analyze gathers the statistics SQLite's query planner uses to pick an
// index (sampled, so it takes well under a second on a large store). Close
// does it when events were inserted; a long-running importer may call it
// after a bulk load.
func (s *Store) Analyze(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.analyzeLocked(ctx)
}

func (s *Store) analyzeLocked(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, "PRAGMA analysis_limit = 2000; ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	s.dirty = 0
	return nil
}

// The store is a backend, with a bulk load.
var (
	_ backend.Backend    = (*Store)(nil)
	_ backend.BulkLoader = (*Store)(nil)
)
