// Package clickhouse is oktascope's distributed backend: the events in a
// ClickHouse cluster (or one server), named by a DSN
//
//	clickhouse://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE][?cluster=NAME]
//
// It implements backend.Backend with the same
// answers as the embedded store. The SQL stays within what Debian's
// ClickHouse 18.16 and current releases share, through clickhouse-go v2's
// native protocol with explicit column lists.
//
//   - Schema: created on every server (schema.go); writes go through a
//     Distributed table sharded by uuid.
//   - Filters: internal/pushdown splits them; the parts the columns answer
//     become SQL (dialect.go), the rest a SQL superset on the raw JSON
//     followed by the Go evaluator on the rows returned.
//   - Each uuid is stored once: Insert looks the batch's uuids up first and
//     counts duplicates and conflicts exactly (insert.go); a search drops a
//     row whose uuid it just returned (rows of one event are neighbours in
//     its order).
//   - Every query carries max_execution_time: a cancelled context does
//     not stop a query on the server.
package clickhouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/oktascope/oktascope/internal/backend"
)

// Backend is an open ClickHouse backend. Its methods are safe for
// concurrent use; writes are serialized.
type Backend struct {
	cfg  *config
	conn driver.Conn
	// events, pivots and checkpoints are the tables queries name: with a
	// cluster, events and checkpoints are the Distributed tables, and
	// pivots is each shard's own (a sub-query runs on every shard).
	events, pivots, checkpoints string
	limits                      limits

	wmu      sync.Mutex // serializes writes; guards the fields below
	received uint64     // the last received value issued
	version  uint64     // the last checkpoint version issued
	closed   bool
}

var _ backend.Backend = (*Backend)(nil)

// Open connects to the server of dsn, creates the schema on every server
// of its cluster (or on it alone) where missing, and returns the backend.
func Open(ctx context.Context, dsn string) (*Backend, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	b := &Backend{cfg: cfg, limits: defaultLimits}
	fail := func(err error) (*Backend, error) {
		if b.conn != nil {
			b.conn.Close()
		}
		return nil, fmt.Errorf("clickhouse %s: %w", cfg.location(), err)
	}
	if b.conn, err = cfg.connect(cfg.addr); err != nil {
		return fail(err)
	}
	if err := b.conn.Ping(b.ctx(ctx)); err != nil {
		return fail(err)
	}
	db := cfg.database
	b.events, b.pivots, b.checkpoints = db+".events_local", db+".pivots_local", db+".checkpoints_local"
	if cfg.cluster != "" {
		b.events, b.checkpoints = db+".events", db+".checkpoints"
	}
	if err := b.createSchema(ctx); err != nil {
		return fail(err)
	}
	if err := b.conn.QueryRow(b.ctx(ctx), "SELECT max(received) FROM "+b.events).Scan(&b.received); err != nil {
		return fail(fmt.Errorf("read the last insertion: %w", err))
	}
	return b, nil
}

// connect opens a connection pool to one server.
func (c *config) connect(addr string) (driver.Conn, error) {
	opts := &ch.Options{
		Addr:        []string{addr},
		Auth:        ch.Auth{Database: "default", Username: c.user, Password: c.password},
		Compression: &ch.Compression{Method: ch.CompressionLZ4},
		DialTimeout: 10 * time.Second,
		// A query's server time is bounded by max_execution_time; the
		// read timeout only catches a server that went silent.
		ReadTimeout:     c.maxExecution + time.Minute,
		MaxOpenConns:    16,
		MaxIdleConns:    4,
		ConnMaxLifetime: time.Hour,
	}
	if c.secure {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return ch.Open(opts)
}

// createSchema creates the schema on every server of the cluster, or on
// the one server.
func (b *Backend) createSchema(ctx context.Context) error {
	if b.cfg.cluster == "" {
		return createSchema(ctx, func(ctx context.Context, q string) error { return b.exec(ctx, q) }, b.cfg.database, "")
	}
	rows, err := b.conn.Query(b.ctx(ctx),
		"SELECT host_name, port FROM system.clusters WHERE cluster = ? ORDER BY shard_num, replica_num", b.cfg.cluster)
	if err != nil {
		return fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
	}
	var addrs []string
	for rows.Next() {
		var host string
		var port uint16
		if err := rows.Scan(&host, &port); err != nil {
			rows.Close()
			return fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
		}
		addrs = append(addrs, fmt.Sprintf("%s:%d", host, port))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("the server has no cluster %q in its remote_servers", b.cfg.cluster)
	}
	for _, addr := range addrs {
		conn, err := b.cfg.connect(addr)
		if err != nil {
			return fmt.Errorf("server %s of cluster %s: %w", addr, b.cfg.cluster, err)
		}
		exec := func(ctx context.Context, q string) error { return conn.Exec(b.ctx(ctx), q) }
		err = createSchema(ctx, exec, b.cfg.database, b.cfg.cluster)
		conn.Close()
		if err != nil {
			return fmt.Errorf("server %s of cluster %s: %w", addr, b.cfg.cluster, err)
		}
	}
	return nil
}

// ctx gives a query its settings: every query is bounded on the server.
func (b *Backend) ctx(ctx context.Context, settings ...ch.Settings) context.Context {
	s := ch.Settings{"max_execution_time": int(b.cfg.maxExecution / time.Second)}
	for _, more := range settings {
		for k, v := range more {
			s[k] = v
		}
	}
	return ch.Context(ctx, ch.WithSettings(s))
}

func (b *Backend) exec(ctx context.Context, q string, args ...any) error {
	return b.conn.Exec(b.ctx(ctx), q, args...)
}

// Location is the DSN without its credentials.
func (b *Backend) Location() string { return b.cfg.location() }

// Close closes the connections.
func (b *Backend) Close() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if err := b.conn.Close(); err != nil {
		return fmt.Errorf("clickhouse %s: close: %w", b.Location(), err)
	}
	return nil
}
