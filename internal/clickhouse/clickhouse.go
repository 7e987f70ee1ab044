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
//   - Schema: created on every server (schema.go); reads go through
//     Distributed tables; Insert writes each shard's rows on it, sharded by
//     uuid as the Distributed table would.
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
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/go-faster/city"

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
	// shards are the servers Insert writes to, in the cluster's order;
	// slots maps cityHash64(uuid) % len(slots) to a shard, by weight, as
	// the Distributed table does.
	shards []driver.Conn
	slots  []int

	wmu      sync.Mutex // serializes writes; guards the fields below
	received uint64     // the last received value issued
	version  uint64     // the last checkpoint version issued
	closed   bool
}

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Batcher = (*Backend)(nil)
)

// Open connects to the server of dsn, creates the schema on every server
// of its cluster (or on it alone) where missing, and returns the backend.
func Open(ctx context.Context, dsn string) (*Backend, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	b := &Backend{cfg: cfg, limits: defaultLimits}
	fail := func(err error) (*Backend, error) {
		b.closeConns()
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
		Compression: &ch.Compression{Method: ch.CompressionNone},
		DialTimeout: 10 * time.Second,
		// A query's server time is bounded by max_execution_time; the
		// read timeout only catches a server that went silent.
		ReadTimeout:     c.maxExecution + time.Minute,
		MaxOpenConns:    16,
		MaxIdleConns:    4,
		ConnMaxLifetime: time.Hour,
	}
	if c.compress {
		opts.Compression.Method = ch.CompressionLZ4
	}
	if c.secure {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return ch.Open(opts)
}

// createSchema creates the schema on every server of the cluster (or on
// the one server), and connects to each for Insert.
func (b *Backend) createSchema(ctx context.Context) error {
	if b.cfg.cluster == "" {
		b.shards, b.slots = []driver.Conn{b.conn}, []int{0}
		return createSchema(ctx, func(ctx context.Context, q string) error { return b.exec(ctx, q) }, b.cfg.database, "")
	}
	servers, err := b.servers(ctx)
	if err != nil {
		return err
	}
	for i, s := range servers {
		conn, err := b.cfg.connect(s.addr)
		if err != nil {
			return fmt.Errorf("server %s of cluster %s: %w", s.addr, b.cfg.cluster, err)
		}
		b.shards = append(b.shards, conn)
		for range s.weight {
			b.slots = append(b.slots, i)
		}
		exec := func(ctx context.Context, q string) error { return conn.Exec(b.ctx(ctx), q) }
		if err := createSchema(ctx, exec, b.cfg.database, b.cfg.cluster); err != nil {
			return fmt.Errorf("server %s of cluster %s: %w", s.addr, b.cfg.cluster, err)
		}
	}
	if len(b.slots) == 0 {
		return fmt.Errorf("cluster %s: every shard has weight 0", b.cfg.cluster)
	}
	return nil
}

// server is a shard of the cluster.
type server struct {
	addr   string
	weight int
}

// servers lists the shards of the cluster, in order. A shard with several
// replicas is refused: the tables are not replicated (which 18.16 does
// only with ZooKeeper).
func (b *Backend) servers(ctx context.Context) ([]server, error) {
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT shard_num, shard_weight, replica_num, host_name, port FROM system.clusters"+
		" WHERE cluster = ? ORDER BY shard_num, replica_num", b.cfg.cluster)
	if err != nil {
		return nil, fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
	}
	defer rows.Close()
	var out []server
	for rows.Next() {
		var shard, weight, replica uint32
		var host string
		var port uint16
		if err := rows.Scan(&shard, &weight, &replica, &host, &port); err != nil {
			return nil, fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
		}
		if replica > 1 {
			return nil, fmt.Errorf("cluster %s: shard %d has replicas; oktascope's tables are not replicated: name a cluster of one replica per shard", b.cfg.cluster, shard)
		}
		out = append(out, server{addr: net.JoinHostPort(host, strconv.Itoa(int(port))), weight: int(weight)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the servers of cluster %s: %w", b.cfg.cluster, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the server has no cluster %q in its remote_servers", b.cfg.cluster)
	}
	return out, nil
}

// shardOf is the index in b.shards of the shard that holds uuid: the
// Distributed table's choice for the sharding key cityHash64(uuid).
func (b *Backend) shardOf(uuid string) int {
	return b.slots[city.CH64([]byte(uuid))%uint64(len(b.slots))]
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
	if err := b.closeConns(); err != nil {
		return fmt.Errorf("clickhouse %s: close: %w", b.Location(), err)
	}
	return nil
}

func (b *Backend) closeConns() error {
	var errs []error
	for _, c := range b.shards {
		if c != b.conn {
			errs = append(errs, c.Close())
		}
	}
	if b.conn != nil {
		errs = append(errs, b.conn.Close())
	}
	return errors.Join(errs...)
}

// InsertBatch is the number of events per Insert the backend stores
// fastest (backend.Batcher): each Insert writes one part per shard and
// month, which the servers merge later.
func (b *Backend) InsertBatch() int { return insertBatch }

const insertBatch = 50000

// Clear deletes every event, pivot and checkpoint, on every shard: the
// database then holds what a new one does (demo starts so).
func (b *Backend) Clear(ctx context.Context) error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	for _, conn := range b.shards {
		for _, table := range []string{"events_local", "pivots_local", "checkpoints_local"} {
			if err := conn.Exec(b.ctx(ctx), "TRUNCATE TABLE "+b.cfg.database+"."+table); err != nil {
				return fmt.Errorf("clickhouse %s: clear: %w", b.Location(), err)
			}
		}
	}
	return nil
}

// Redacted is location with the password of a ClickHouse DSN replaced by
// "xxxxx", for printing; any other location is returned as it is.
func Redacted(location string) string {
	if !IsDSN(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		return "clickhouse://…"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
