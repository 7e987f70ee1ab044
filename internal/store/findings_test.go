package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
)

// TestFindingsSurviveReopening: the conformance cases (backendtest), then
// the findings and what was acknowledged, read again after a reopening.
func TestFindingsSurviveReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "findings.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	backendtest.CheckFindings(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var due []string
	if err := s.Due(ctx, "w", "webhook", func(f backend.StoredFinding, _ int) error { due = append(due, f.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	var found []backend.StoredFinding
	if err := s.Findings(ctx, "w", time.Time{}, func(f backend.StoredFinding) error { found = append(found, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(due) != 3 || len(found) != 3 || found[1].Version != 2 {
		t.Errorf("after reopening: due %v, findings %+v", due, found)
	}
}
