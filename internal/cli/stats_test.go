package cli

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/histogram"
)

// stats counts every event, or the filter's, once each, in buckets that
// cover them: checked against the imported log itself.
func TestStatsCountsTheEvents(t *testing.T) {
	db, events, _ := importedOrg(t)
	out, stderr, code := run(t, db, false, "stats", "--format", "json")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	var h histogram.Histogram
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("stats --format json: %v: %s", err, out)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.UUID] = true
	}
	if !h.Complete || h.Total != len(seen) || len(h.Buckets) == 0 || len(h.Buckets) > histogram.MaxBuckets {
		t.Fatalf("stats: total %d in %d buckets (complete %v); want %d events", h.Total, len(h.Buckets), h.Complete, len(seen))
	}
	// Each bucket's count, from the events themselves.
	for _, b := range h.Buckets {
		want, done := 0, map[string]bool{}
		for _, e := range events {
			if !done[e.UUID] && !e.Time.Before(b.Start) && e.Time.Before(b.End) {
				done[e.UUID] = true
				want++
			}
		}
		if b.Count != want || !b.Counted {
			t.Errorf("bucket %v: %d events (counted %v), want %d", b.Start, b.Count, b.Counted, want)
		}
	}

	// A filter, a window, fewer buckets, as CSV.
	since := events[len(events)/3].Time.Truncate(time.Hour)
	out, stderr, code = run(t, db, false, "stats", `eventType eq "user.session.start"`, "--buckets", "4",
		"--since", since.Format(time.RFC3339), "--format", "csv")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 || len(rows) > 5 {
		t.Fatalf("stats --format csv: %d rows, %v: %s", len(rows), err, out)
	}
	total, want := 0, 0
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[2])
		if err != nil {
			t.Fatalf("count %q: %v", r[2], err)
		}
		total += n
	}
	counted := map[string]bool{}
	for _, e := range events {
		if e.EventType == "user.session.start" && !e.Time.Before(since) && !counted[e.UUID] {
			counted[e.UUID] = true
			want++
		}
	}
	if want == 0 || total != want {
		t.Errorf("stats of user.session.start since %v: %d, want %d", since, total, want)
	}

	// The table, for a terminal.
	out, _, code = run(t, db, true, "stats")
	if code != 0 || !strings.Contains(out, "█") || !strings.Contains(out, strconv.Itoa(len(seen)%1000)+" events from") {
		t.Errorf("stats table (exit %d):\n%s", code, out)
	}
}
