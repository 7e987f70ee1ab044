package ingest

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestImplausiblePublishedRejected imports events published around the
// ends of the plausible range: before 2009-01-01, and more than
// a day after the import's clock, they are rejected with the reason.
func TestImplausiblePublishedRejected(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(uuid, published string) string {
		return fmt.Sprintf(`{"uuid":%q,"published":%q,"eventType":"user.session.start"}`, uuid, published)
	}
	lines := []string{
		at("year-1000", "1000-01-01T00:00:00Z"),
		at("last-of-2008", "2008-12-31T23:59:59.999Z"),
		at("first-of-2009", "2009-01-01T00:00:00Z"),
		at("now", "2025-06-01T12:00:00Z"),
		at("a-day-ahead", "2025-06-02T12:00:00Z"),
		at("a-day-and-a-second-ahead", "2025-06-02T12:00:01Z"),
		at("year-2400", "2400-01-01T00:00:00Z"),
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "times.ndjson", []byte(strings.Join(lines, "\n")+"\n"))
	rejects := filepath.Join(dir, "rejects.ndjson")
	sink := newMemSink()
	sum := importOnce(t, sink, Options{RejectsPath: rejects, Now: func() time.Time { return now }}, path)
	if want := []string{"first-of-2009", "now", "a-day-ahead"}; !slices.Equal(sink.order, want) {
		t.Errorf("imported %v, want %v", sink.order, want)
	}
	got := readRejects(t, rejects)
	want := []struct {
		line   int
		reason string
	}{
		{1, `published: "1000-01-01T00:00:00Z" is before 2009-01-01`},
		{2, `published: "2008-12-31T23:59:59.999Z" is before 2009-01-01`},
		{6, `published: "2025-06-02T12:00:01Z" is more than a day after this machine's clock (2025-06-01T12:00:00Z)`},
		{7, `published: "2400-01-01T00:00:00Z" is more than a day after`},
	}
	if len(got) != len(want) || sum.Rejected != len(want) {
		t.Fatalf("%d rejects (summary %d), want %d: %+v", len(got), sum.Rejected, len(want), got)
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.HasPrefix(got[i].Reason, w.reason) {
			t.Errorf("reject %d: line %d %q, want line %d %q…", i, got[i].Line, got[i].Reason, w.line, w.reason)
		}
	}
}
