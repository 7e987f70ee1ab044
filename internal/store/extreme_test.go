package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// TestExtremeTimes checks events published outside the instants an int64
// of nanoseconds holds (years 1677 to 2262), which published stores
// clamped: the histogram counts them by their own time (a scan in Go), and
// time bounds far outside the range neither fail nor overflow.
func TestExtremeTimes(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	var events []*logevent.Event
	for i, published := range []string{"1000-01-01T00:00:00Z", "1500-06-01T00:00:00Z", "1700-01-01T00:00:00Z",
		"2024-05-01T10:00:00Z", "2500-01-01T00:00:00Z", "2600-01-01T00:00:00Z"} {
		e, err := logevent.Decode([]byte(fmt.Sprintf(`{"uuid":"x-%d","published":%q,"eventType":"user.session.start"}`, i, published)))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	mustInsert(t, s, events)
	year := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	century := 100 * 365 * 24 * time.Hour
	for _, tt := range []struct {
		b    backend.Buckets
		q    backend.Query
		want []int
	}{
		{backend.Buckets{From: year(950), Step: century, N: 1}, backend.Query{}, []int{1}},
		{backend.Buckets{From: year(1000), Step: century, N: 1}, backend.Query{Since: year(1000).Add(time.Nanosecond)}, []int{0}},
		{backend.Buckets{From: year(1450), Step: century, N: 1}, backend.Query{}, []int{1}},
		{backend.Buckets{From: year(1690), Step: 11 * 365 * 24 * time.Hour, N: 2}, backend.Query{}, []int{1, 0}},
		{backend.Buckets{From: year(2450), Step: century, N: 1}, backend.Query{}, []int{1}},
		{backend.Buckets{From: year(2450), Step: century, N: 1}, backend.Query{Filter: filter.MustParse(`eventType eq "user.session.start"`)}, []int{1}},
		{backend.Buckets{From: year(2020), Step: 5 * 365 * 24 * time.Hour, N: 2}, backend.Query{}, []int{1, 0}},
	} {
		got, err := s.Histogram(ctx, tt.q, tt.b)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Histogram(since %v, %+v) = %v, %v; want %v", tt.q.Since, tt.b, got, err, tt.want)
		}
	}
	if got := searchUUIDs(t, s, backend.Query{Since: year(1), Until: year(9000)}); len(got) != len(events) {
		t.Errorf("a window over every year: %d events, want %d", len(got), len(events))
	}
}
