package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/oktascope/oktascope/internal/backend"
)

// oktascope watch's findings (backend.FindingStore), in findings_local and
// finding_deliveries_local (schema.go). Each change adds a row under a new
// row_version, and reads take each key's latest row. The changes that
// depend on what is stored (a finding's first detection, an output's
// acknowledged version) read it first, under the backend's write lock:
// exact for the one watch process that keeps a watch's findings.

// findingFields are the columns of a finding after watch and id, in
// backend.StoredFinding's order.
var findingFields = []string{"rule", "indicator_kind", "indicator_value", "start_ns", "end_ns",
	"version", "final", "detected_ns", "updated_ns", "body"}

// latestFindings is the query of the latest row of each finding of a
// watch (the argument), its columns prefixed "l_".
func (b *Backend) latestFindings(cond string) string {
	cols := make([]string, len(findingFields))
	for i, c := range findingFields {
		cols[i] = "argMax(" + c + ", row_version) AS l_" + c
	}
	return "SELECT id AS l_id, " + strings.Join(cols, ", ") + " FROM " + b.findings +
		" WHERE watch = ?" + cond + " GROUP BY id"
}

// findingRow is a finding as the latest-rows query returns it.
type findingRow struct {
	id, rule, kind, value         string
	start, end, detected, updated int64
	version                       uint32
	final                         uint8
	body                          string
}

func (r *findingRow) dest() []any {
	return []any{&r.id, &r.rule, &r.kind, &r.value, &r.start, &r.end, &r.version, &r.final, &r.detected, &r.updated, &r.body}
}

func (r *findingRow) finding(watch string) backend.StoredFinding {
	return backend.StoredFinding{Watch: watch, ID: r.id, Rule: r.rule, IndicatorKind: r.kind, IndicatorValue: r.value,
		Start: time.Unix(0, r.start).UTC(), End: time.Unix(0, r.end).UTC(), Version: int(r.version), Final: r.final != 0,
		Detected: time.Unix(0, r.detected).UTC(), Updated: time.Unix(0, r.updated).UTC(), Body: []byte(r.body)}
}

// PutFinding stores f, replacing the finding of the same watch and id
// (keeping when it was first detected), and marks its version due to each
// output that has not acknowledged it.
func (b *Backend) PutFinding(ctx context.Context, f backend.StoredFinding, outputs []string) error {
	if f.Watch == "" || f.ID == "" || f.Version < 1 {
		return errors.New("clickhouse: put finding: watch, id and a positive version are required")
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.closed {
		return errors.New("clickhouse: put finding: backend is closed")
	}
	fail := func(err error) error { return fmt.Errorf("clickhouse: put finding: %w", err) }
	var detected int64
	var n uint64
	err := b.conn.QueryRow(b.ctx(ctx), "SELECT argMax(detected_ns, row_version), count() FROM "+b.findings+
		" WHERE watch = ? AND id = ?", f.Watch, f.ID).Scan(&detected, &n)
	if err != nil {
		return fail(err)
	}
	if n == 0 {
		detected = unixNanos(f.Detected)
	}
	acked, err := b.acknowledged(ctx, f.Watch, f.ID)
	if err != nil {
		return fail(err)
	}
	updated := unixNanos(f.Updated)
	row := []any{f.Watch, f.ID, f.Rule, f.IndicatorKind, f.IndicatorValue, unixNanos(f.Start), unixNanos(f.End),
		uint32(f.Version), boolByte(f.Final), detected, updated, string(f.Body), b.nextVersion()}
	if err := b.insertRows(ctx, b.findings, "watch, id, "+strings.Join(findingFields, ", ")+", row_version", [][]any{row}); err != nil {
		return fail(err)
	}
	var rows [][]any
	for _, out := range outputs {
		rows = append(rows, []any{f.Watch, out, f.ID, uint32(f.Version), acked[out], updated, b.nextVersion()})
	}
	if err := b.insertRows(ctx, b.deliveries, "watch, output, id, version, delivered, updated_ns, row_version", rows); err != nil {
		return fail(err)
	}
	return nil
}

// acknowledged returns, for each output that has a delivery of a
// finding, the version it acknowledged.
func (b *Backend) acknowledged(ctx context.Context, watch, id string) (map[string]uint32, error) {
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT output, argMax(delivered, row_version) FROM "+b.deliveries+
		" WHERE watch = ? AND id = ? GROUP BY output", watch, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]uint32{}
	for rows.Next() {
		var output string
		var v uint32
		if err := rows.Scan(&output, &v); err != nil {
			return nil, err
		}
		out[output] = v
	}
	return out, rows.Err()
}

// nextVersion issues a row version, later than any issued before (the
// clock's, where it is ahead). The caller holds wmu.
func (b *Backend) nextVersion() uint64 {
	b.version = max(b.version+1, uint64(time.Now().UnixNano()))
	return b.version
}

// insertRows inserts rows of the columns into table, synchronously on
// every shard.
func (b *Backend) insertRows(ctx context.Context, table, columns string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := b.conn.PrepareBatch(b.ctx(ctx, ch.Settings{"insert_distributed_sync": 1}), "INSERT INTO "+table+" ("+columns+")")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := batch.Append(r...); err != nil {
			batch.Abort()
			return err
		}
	}
	return batch.Send()
}

func boolByte(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

// Findings calls fn with the findings of watch whose end is at or after
// since, in order of end.
func (b *Backend) Findings(ctx context.Context, watch string, since time.Time, fn func(backend.StoredFinding) error) error {
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT * FROM ("+b.latestFindings("")+") WHERE l_end_ns >= ? ORDER BY l_end_ns, l_id",
		watch, unixNanos(since))
	if err != nil {
		return fmt.Errorf("clickhouse: findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r findingRow
		if err := rows.Scan(r.dest()...); err != nil {
			return fmt.Errorf("clickhouse: findings: %w", err)
		}
		if err := fn(r.finding(watch)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: findings: %w", err)
	}
	return nil
}

// due is a delivery an output has not acknowledged.
type due struct {
	id           string
	acknowledged uint32
}

// Due calls fn with the findings of watch whose latest version output has
// not acknowledged, in order of their update, and the version it did.
func (b *Backend) Due(ctx context.Context, watch, output string, fn func(backend.StoredFinding, int) error) error {
	fail := func(err error) error { return fmt.Errorf("clickhouse: due findings: %w", err) }
	rows, err := b.conn.Query(b.ctx(ctx), "SELECT id, d FROM (SELECT id, argMax(version, row_version) AS v, argMax(delivered, row_version) AS d,"+
		" argMax(updated_ns, row_version) AS u FROM "+b.deliveries+" WHERE watch = ? AND output = ? GROUP BY id) WHERE d < v ORDER BY u, id",
		watch, output)
	if err != nil {
		return fail(err)
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.acknowledged); err != nil {
			rows.Close()
			return fail(err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	// The findings due, a chunk at a time, in the order of the deliveries.
	for chunk := range slices.Chunk(list, 1000) {
		args := []any{watch}
		for _, d := range chunk {
			args = append(args, d.id)
		}
		found := map[string]findingRow{}
		rows, err := b.conn.Query(b.ctx(ctx), b.latestFindings(" AND id IN ("+placeholders(len(chunk))+")"), args...)
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var r findingRow
			if err := rows.Scan(r.dest()...); err != nil {
				rows.Close()
				return fail(err)
			}
			found[r.id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail(err)
		}
		for _, d := range chunk {
			r, ok := found[d.id]
			if !ok {
				continue // a delivery without its finding (PutFinding failed between the two)
			}
			if err := fn(r.finding(watch), int(d.acknowledged)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Acknowledge records that output has version of the finding id (an older
// version than the one acknowledged changes nothing).
func (b *Backend) Acknowledge(ctx context.Context, watch, id, output string, version int) error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.closed {
		return errors.New("clickhouse: acknowledge: backend is closed")
	}
	fail := func(err error) error { return fmt.Errorf("clickhouse: acknowledge: %w", err) }
	var v, delivered uint32
	var updated int64
	var n uint64
	err := b.conn.QueryRow(b.ctx(ctx), "SELECT argMax(version, row_version), argMax(delivered, row_version), argMax(updated_ns, row_version), count() FROM "+
		b.deliveries+" WHERE watch = ? AND output = ? AND id = ?", watch, output, id).Scan(&v, &delivered, &updated, &n)
	if err != nil {
		return fail(err)
	}
	if n == 0 || version < 0 || uint32(version) <= delivered {
		return nil
	}
	row := []any{watch, output, id, v, uint32(version), updated, b.nextVersion()}
	if err := b.insertRows(ctx, b.deliveries, "watch, output, id, version, delivered, updated_ns, row_version", [][]any{row}); err != nil {
		return fail(err)
	}
	return nil
}
