package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

func TestFindingStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "findings.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	put := func(id string, version int, end time.Time, outputs ...string) {
		t.Helper()
		f := backend.StoredFinding{Watch: "w", ID: id, Rule: "r", IndicatorKind: "user", IndicatorValue: "alice",
			Start: t0, End: end, Version: version, Detected: t0, Updated: end, Body: []byte(`{"id":"` + id + `"}`)}
		if err := s.PutFinding(ctx, f, outputs); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(fn func(func(backend.StoredFinding) error) error) []string {
		t.Helper()
		var out []string
		if err := fn(func(f backend.StoredFinding) error { out = append(out, f.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	acked := map[string]int{}
	due := func(output string) []string {
		return ids(func(fn func(backend.StoredFinding) error) error {
			return s.Due(ctx, "w", output, func(f backend.StoredFinding, ack int) error {
				acked[f.ID] = ack
				return fn(f)
			})
		})
	}
	put("a", 1, t0.Add(time.Minute), "stdout", "webhook")
	put("b", 1, t0.Add(2*time.Minute), "stdout", "webhook")
	if got := due("webhook"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("due %v", got)
	}
	must(t, s.Acknowledge(ctx, "w", "a", "webhook", 1))
	must(t, s.Acknowledge(ctx, "w", "b", "stdout", 1))
	if got := due("webhook"); !slices.Equal(got, []string{"b"}) {
		t.Errorf("webhook due %v", got)
	}
	if got := due("stdout"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("stdout due %v", got)
	}
	// a grows: version 2 is due again to both; an old acknowledgement
	// changes nothing.
	put("a", 2, t0.Add(3*time.Minute), "stdout", "webhook")
	must(t, s.Acknowledge(ctx, "w", "a", "webhook", 1))
	if got := due("webhook"); !slices.Equal(got, []string{"b", "a"}) || acked["a"] != 1 || acked["b"] != 0 {
		t.Errorf("webhook due after a grew %v, acknowledged %v", got, acked)
	}
	// Another watch's findings are its own.
	other := backend.StoredFinding{Watch: "v", ID: "a", Version: 1, Updated: t0, Body: []byte("{}")}
	must(t, s.PutFinding(ctx, other, []string{"stdout"}))

	// Everything survives a reopening.
	must(t, s.Close())
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := due("webhook"); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("webhook due after reopening %v", got)
	}
	var got []backend.StoredFinding
	must(t, s.Findings(ctx, "w", t0.Add(150*time.Second), func(f backend.StoredFinding) error { got = append(got, f); return nil }))
	if len(got) != 1 || got[0].ID != "a" || got[0].Version != 2 || !got[0].End.Equal(t0.Add(3*time.Minute)) ||
		!got[0].Detected.Equal(t0) || string(got[0].Body) != `{"id":"a"}` {
		t.Errorf("findings since: %+v", got)
	}
	if err := s.PutFinding(ctx, backend.StoredFinding{Watch: "w"}, nil); err == nil {
		t.Error("a finding without an id was stored")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
