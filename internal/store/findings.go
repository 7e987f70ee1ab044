package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

// The store keeps the findings of oktascope watch beside the events
// (backend.FindingStore; tables in 0004_findings.sql).

var _ backend.FindingStore = (*Store)(nil)

// PutFinding stores f, replacing the finding of the same watch and id, and
// marks its version due to each output that has not acknowledged it, in
// one transaction.
func (s *Store) PutFinding(ctx context.Context, f backend.StoredFinding, outputs []string) error {
	if f.Watch == "" || f.ID == "" || f.Version < 1 {
		return errors.New("store: put finding: watch, id and a positive version are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store: put finding: store is closed")
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: put finding: %w", err)
	}
	defer tx.Rollback()
	updated := unixNanos(f.Updated)
	_, err = tx.ExecContext(ctx, `INSERT INTO findings
		(watch, id, rule, indicator_kind, indicator_value, start_ns, end_ns, version, final, detected_ns, updated_ns, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (watch, id) DO UPDATE SET
			rule = excluded.rule, indicator_kind = excluded.indicator_kind, indicator_value = excluded.indicator_value,
			start_ns = excluded.start_ns, end_ns = excluded.end_ns, version = excluded.version, final = excluded.final,
			updated_ns = excluded.updated_ns, body = excluded.body`,
		f.Watch, f.ID, f.Rule, f.IndicatorKind, f.IndicatorValue, unixNanos(f.Start), unixNanos(f.End),
		f.Version, f.Final, unixNanos(f.Detected), updated, f.Body)
	if err != nil {
		return fmt.Errorf("store: put finding: %w", err)
	}
	for _, out := range outputs {
		_, err = tx.ExecContext(ctx, `INSERT INTO finding_deliveries (watch, output, id, version, delivered, updated_ns)
			VALUES (?, ?, ?, ?, 0, ?)
			ON CONFLICT (watch, output, id) DO UPDATE SET version = excluded.version, updated_ns = excluded.updated_ns`,
			f.Watch, out, f.ID, f.Version, updated)
		if err != nil {
			return fmt.Errorf("store: put finding: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: put finding: %w", err)
	}
	return nil
}

const findingColumns = `f.watch, f.id, f.rule, f.indicator_kind, f.indicator_value, f.start_ns, f.end_ns,
	f.version, f.final, f.detected_ns, f.updated_ns, f.body`

// Findings calls fn with the findings of watch whose end is at or after
// since, in order of end.
func (s *Store) Findings(ctx context.Context, watch string, since time.Time, fn func(backend.StoredFinding) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+findingColumns+`, 0 FROM findings f
		WHERE f.watch = ? AND f.end_ns >= ? ORDER BY f.end_ns, f.id`, watch, unixNanos(since))
	if err != nil {
		return fmt.Errorf("store: findings: %w", err)
	}
	return scanFindings(rows, func(f backend.StoredFinding, _ int) error { return fn(f) })
}

// Due calls fn with the findings of watch whose latest version output has
// not acknowledged, in order of their update, and the version it did.
func (s *Store) Due(ctx context.Context, watch, output string, fn func(backend.StoredFinding, int) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+findingColumns+`, d.delivered FROM finding_deliveries d
		JOIN findings f ON f.watch = d.watch AND f.id = d.id
		WHERE d.watch = ? AND d.output = ? AND d.delivered < d.version
		ORDER BY d.updated_ns, d.id`, watch, output)
	if err != nil {
		return fmt.Errorf("store: due findings: %w", err)
	}
	return scanFindings(rows, fn)
}

// Acknowledge records that output has version of the finding id.
func (s *Store) Acknowledge(ctx context.Context, watch, id, output string, version int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("store: acknowledge: store is closed")
	}
	_, err := s.write.ExecContext(ctx, `UPDATE finding_deliveries SET delivered = max(delivered, ?)
		WHERE watch = ? AND output = ? AND id = ?`, version, watch, output, id)
	if err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	return nil
}

// scanFindings reads rows of findingColumns and an acknowledged version,
// streaming them to fn.
func scanFindings(rows *sql.Rows, fn func(backend.StoredFinding, int) error) error {
	defer rows.Close()
	for rows.Next() {
		var f backend.StoredFinding
		var start, end, detected, updated int64
		var acknowledged int
		if err := rows.Scan(&f.Watch, &f.ID, &f.Rule, &f.IndicatorKind, &f.IndicatorValue, &start, &end,
			&f.Version, &f.Final, &detected, &updated, &f.Body, &acknowledged); err != nil {
			return fmt.Errorf("store: findings: %w", err)
		}
		f.Start, f.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
		f.Detected, f.Updated = time.Unix(0, detected).UTC(), time.Unix(0, updated).UTC()
		if err := fn(f, acknowledged); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: findings: %w", err)
	}
	return nil
}
