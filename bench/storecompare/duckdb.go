package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/oktascope/oktascope/internal/logevent"
)

// duckEngine is DuckDB with the same layout as oktascope's store: the
// pivot columns, the raw JSON, a targets table, and no secondary index
// (DuckDB filters with its min/max zone maps). With dedupe, uuid is UNIQUE
// and rows are appended (DuckDB's fastest path) to staging tables, then
// moved with INSERT OR IGNORE, as oktascope's import semantics require;
// without, rows are appended straight into the tables, duplicates and all:
// DuckDB's best case, which oktascope could not use as is.
type duckEngine struct {
	db     *sql.DB
	conn   *sql.Conn
	path   string
	nextID int64
	dedupe bool
}

const duckSchema = `
CREATE TABLE events (id BIGINT, uuid VARCHAR UNIQUE, published BIGINT NOT NULL, event_type VARCHAR NOT NULL,
	actor_id VARCHAR, actor_alternate_id VARCHAR, client_ip VARCHAR, session_id VARCHAR,
	outcome_result VARCHAR, raw VARCHAR NOT NULL);
CREATE TABLE targets (event BIGINT, pos INTEGER, target_id VARCHAR, target_alternate_id VARCHAR);
CREATE TEMP TABLE stage_events AS SELECT * FROM events LIMIT 0;
CREATE TEMP TABLE stage_targets AS SELECT * FROM targets LIMIT 0;`

func openDuckDB(dir string) (engine, error)       { return openDuck(dir, true) }
func openDuckDBAppend(dir string) (engine, error) { return openDuck(dir, false) }

func openDuck(dir string, dedupe bool) (engine, error) {
	path := filepath.Join(dir, map[bool]string{true: "dedupe.duckdb", false: "append.duckdb"}[dedupe])
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // the temp staging tables live in one connection
	conn, err := db.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	schema := duckSchema
	if !dedupe {
		schema = strings.Replace(schema, "uuid VARCHAR UNIQUE", "uuid VARCHAR", 1)
	}
	if _, err := conn.ExecContext(context.Background(), schema); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &duckEngine{db: db, conn: conn, path: path, nextID: 1, dedupe: dedupe}, nil
}

func (e *duckEngine) name() string {
	if e.dedupe {
		return "DuckDB (cgo), uuid UNIQUE"
	}
	return "DuckDB (cgo), append only, no dedupe"
}

func (e *duckEngine) insert(ctx context.Context, events []*logevent.Event) error {
	first := e.nextID
	schema := map[bool]string{true: "temp", false: "main"}[e.dedupe]
	prefix := map[bool]string{true: "stage_", false: ""}[e.dedupe]
	err := e.conn.Raw(func(dc any) error { return e.appendBatch(dc.(driver.Conn), schema, prefix, events) })
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if !e.dedupe {
		return nil
	}
	tx, err := e.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		"INSERT OR IGNORE INTO events SELECT * FROM stage_events",
		"INSERT INTO targets SELECT * FROM stage_targets WHERE event IN (SELECT id FROM events WHERE id >= ?)",
		"DELETE FROM stage_events",
		"DELETE FROM stage_targets",
	} {
		args := []any{}
		if len(q) > 0 && q[len(q)-2] == '?' {
			args = append(args, first)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

func (e *duckEngine) appendBatch(dc driver.Conn, catalog, prefix string, events []*logevent.Event) error {
	ev, err := newAppender(dc, catalog, prefix+"events")
	if err != nil {
		return err
	}
	tg, err := newAppender(dc, catalog, prefix+"targets")
	if err != nil {
		return err
	}
	for _, x := range events {
		id := e.nextID
		e.nextID++
		err := ev.AppendRow(id, x.UUID, x.Time.UnixNano(), x.EventType, null(x.Actor.ID), null(x.Actor.AlternateID),
			null(x.Client.IPAddress), null(x.AuthenticationContext.ExternalSessionID), null(x.Outcome.Result), string(x.Raw))
		if err != nil {
			return err
		}
		for pos, t := range x.Target {
			if t.ID != "" || t.AlternateID != "" {
				if err := tg.AppendRow(id, int32(pos), null(t.ID), null(t.AlternateID)); err != nil {
					return err
				}
			}
		}
	}
	if err := ev.Close(); err != nil {
		return err
	}
	return tg.Close()
}

// newAppender appends to a table of the temp catalog, or else of the
// database's own.
func newAppender(dc driver.Conn, catalog, table string) (*duckdb.Appender, error) {
	if catalog == "temp" {
		return duckdb.NewAppender(dc, catalog, "main", table)
	}
	return duckdb.NewAppenderFromConn(dc, "main", table)
}

func null(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func (e *duckEngine) finish(ctx context.Context) error {
	_, err := e.conn.ExecContext(ctx, "CHECKPOINT")
	return err
}

func (e *duckEngine) lookup(ctx context.Context, l lookup) (int, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT raw FROM events WHERE "+l.where+" ORDER BY published, id", l.args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return n, err
		}
		if _, err := logevent.Decode([]byte(raw)); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func (e *duckEngine) files() []string { return storeFiles(e.path) }

func (e *duckEngine) close() error {
	e.conn.Close()
	return e.db.Close()
}
