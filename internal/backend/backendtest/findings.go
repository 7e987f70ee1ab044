package backendtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

// testFindings checks backend.FindingStore, an optional capability: the
// versions of watch's alerts and what each output acknowledged.
func testFindings(t *testing.T, b backend.Backend) {
	s, ok := b.(backend.FindingStore)
	if !ok {
		t.Skip("the backend keeps no findings (backend.FindingStore)")
	}
	CheckFindings(t, s)
}

// CheckFindings runs the FindingStore cases on s, which must hold no
// findings of the watches "w" and "v".
func CheckFindings(t *testing.T, s backend.FindingStore) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	put := func(id string, version int, end time.Time, outputs ...string) {
		t.Helper()
		f := backend.StoredFinding{Watch: "w", ID: id, Rule: "r", IndicatorKind: "user", IndicatorValue: "alice",
			Start: t0, End: end, Version: version, Detected: t0, Updated: end, Body: []byte(`{"id":"` + id + `"}`)}
		if err := s.PutFinding(ctx, f, outputs); err != nil {
			t.Fatal(err)
		}
	}
	acked := map[string]int{}
	due := func(output string) []string {
		t.Helper()
		var ids []string
		err := s.Due(ctx, "w", output, func(f backend.StoredFinding, ack int) error {
			ids, acked[f.ID] = append(ids, f.ID), ack
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	ack := func(id, output string, version int) {
		t.Helper()
		if err := s.Acknowledge(ctx, "w", id, output, version); err != nil {
			t.Fatal(err)
		}
	}
	put("a", 1, t0.Add(time.Minute), "stdout", "webhook")
	put("b", 1, t0.Add(2*time.Minute), "stdout", "webhook")
	if got := due("webhook"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("due %v", got)
	}
	ack("a", "webhook", 1)
	ack("b", "stdout", 1)
	if got := due("webhook"); !slices.Equal(got, []string{"b"}) {
		t.Errorf("webhook due %v", got)
	}
	if got := due("stdout"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("stdout due %v", got)
	}
	// a grows: its version 2 is due again to both, an output that took
	// version 1 says so; an older acknowledgement changes nothing.
	put("a", 2, t0.Add(3*time.Minute), "stdout", "webhook")
	ack("a", "webhook", 1)
	if got := due("webhook"); !slices.Equal(got, []string{"b", "a"}) || acked["a"] != 1 || acked["b"] != 0 {
		t.Errorf("webhook due after a grew %v, acknowledged %v", got, acked)
	}
	// A new output gets what is put from then on.
	put("c", 1, t0.Add(4*time.Minute), "stdout", "webhook", "later")
	if got := due("later"); !slices.Equal(got, []string{"c"}) {
		t.Errorf("a new output's due %v", got)
	}
	// Another watch's findings are its own.
	other := backend.StoredFinding{Watch: "v", ID: "a", Version: 1, Updated: t0, Body: []byte("{}")}
	if err := s.PutFinding(ctx, other, []string{"stdout"}); err != nil {
		t.Fatal(err)
	}
	var got []backend.StoredFinding
	err := s.Findings(ctx, "w", t0.Add(150*time.Second), func(f backend.StoredFinding) error { got = append(got, f); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[0].Version != 2 || !got[0].End.Equal(t0.Add(3*time.Minute)) ||
		!got[0].Detected.Equal(t0) || string(got[0].Body) != `{"id":"a"}` || got[1].ID != "c" {
		t.Errorf("findings since: %+v", got)
	}
	if err := s.PutFinding(ctx, backend.StoredFinding{Watch: "w"}, nil); err == nil {
		t.Error("a finding without an id was stored")
	}
}
