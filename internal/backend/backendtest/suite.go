// Package backendtest is the conformance suite of the storage contract
// (internal/backend): the same cases, run on every backend, check that each
// answers as a reference model does (filter.Compile over an in-memory copy
// of the events), so that every command gives the same answers whatever
// keeps the events. It also holds the suite's event and filter generators,
// deterministic for a seed, for backends' own tests.
//
// The suite knows nothing of any backend: a backend's test calls Run with a
// function that opens a new, empty backend.
package backendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Run runs every case of the suite, each on a backend of its own: open
// returns a new, empty backend and arranges (t.Cleanup) for it to be
// closed and removed when t ends.
func Run(t *testing.T, open func(t *testing.T) backend.Backend) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, backend.Backend)
	}{
		{"FiltersMatchEvaluator", testFilters},
		{"Paging", testPaging},
		{"ReceivedOrder", testReceivedOrder},
		{"WindowsAndLimits", testWindowsAndLimits},
		{"Dedup", testDedup},
		{"Users", testUsers},
		{"IPUsers", testIPUsers},
		{"Histogram", testHistogram},
		{"StatsAndEventTypes", testStats},
		{"Checkpoints", testCheckpoints},
		{"BulkLoad", testBulkLoad},
		{"Findings", testFindings},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := open(t)
			if b.Location() == "" {
				t.Error("Location is empty")
			}
			c.run(t, b)
		})
	}
}

// insert runs one Insert on b and on ref and checks that b's result is the
// reference's: the counts, and each conflict's index and stored JSON, byte
// for byte.
func insert(t *testing.T, b backend.Writer, ref *Reference, events []*logevent.Event) backend.InsertResult {
	t.Helper()
	got, err := b.Insert(context.Background(), events)
	if err != nil {
		t.Fatalf("Insert of %d events: %v", len(events), err)
	}
	want := ref.Insert(events)
	if got.Inserted != want.Inserted || got.Duplicates != want.Duplicates || len(got.Conflicts) != len(want.Conflicts) {
		t.Fatalf("Insert of %d events: %d inserted, %d duplicates, %d conflicts; want %d, %d, %d", len(events),
			got.Inserted, got.Duplicates, len(got.Conflicts), want.Inserted, want.Duplicates, len(want.Conflicts))
	}
	slices.SortFunc(got.Conflicts, func(a, b backend.Conflict) int { return a.Index - b.Index })
	for i, c := range got.Conflicts {
		w := want.Conflicts[i]
		if c.Index != w.Index || !bytes.Equal(c.Stored, w.Stored) {
			t.Fatalf("Insert: conflict %d is event %d holding %.80q; want event %d holding %.80q", i, c.Index, c.Stored, w.Index, w.Stored)
		}
	}
	return got
}

// insertUneven inserts the events in calls of uneven sizes, 1 to maxBatch
// events.
func insertUneven(t *testing.T, b backend.Writer, ref *Reference, events []*logevent.Event, maxBatch int) {
	t.Helper()
	for i := 0; i < len(events); {
		n := min(1+i%maxBatch, len(events)-i)
		insert(t, b, ref, events[i:i+n])
		i += n
	}
}

// search returns what b.Search returns for q, events and cursors.
func search(t *testing.T, r backend.Reader, q backend.Query) ([]*logevent.Event, []backend.Cursor) {
	t.Helper()
	var events []*logevent.Event
	var cursors []backend.Cursor
	err := r.Search(context.Background(), q, func(e *logevent.Event, c backend.Cursor) error {
		events, cursors = append(events, e), append(cursors, c)
		return nil
	})
	if err != nil {
		t.Fatalf("Search(%s): %v", describe(q), err)
	}
	return events, cursors
}

// describe prints a query for a failure message.
func describe(q backend.Query) string {
	return fmt.Sprintf("filter %v, q %v, since %v, until %v, limit %d, order %d, desc %v, after %q",
		q.Filter, q.Keywords, q.Since, q.Until, q.Limit, q.Order, q.Desc, q.After)
}

// checkMatches checks that got is what q must return from ref's events (q
// without After): the matches, up to the limit, in q's order, ties in any
// order, each once and byte for byte as held.
func checkMatches(t *testing.T, ref *Reference, q backend.Query, got []*logevent.Event) {
	t.Helper()
	if err := matchError(ref, q, got); err != nil {
		t.Fatalf("Search(%s): %v", describe(q), err)
	}
}

func matchError(ref *Reference, q backend.Query, got []*logevent.Event) error {
	want := ref.Matches(q)
	n := len(want)
	if q.Limit > 0 && q.Limit < n {
		n = q.Limit
	}
	if len(got) != n {
		return fmt.Errorf("%d events, want %d (first got %v, want %v)", len(got), n, head(got), head(want))
	}
	matches := map[string]bool{}
	for _, e := range want {
		matches[e.UUID] = true
	}
	seen := map[string]bool{}
	for i, e := range got {
		held := ref.Held(e.UUID)
		switch {
		case seen[e.UUID]:
			return fmt.Errorf("event %d, %s, returned twice", i, e.UUID)
		case !matches[e.UUID]:
			return fmt.Errorf("event %d, %s, does not match", i, e.UUID)
		case ref.rank(q.Order, held) != ref.rank(q.Order, want[i]):
			return fmt.Errorf("event %d, %s, out of order: got %v want %v", i, e.UUID, head(got[i:]), head(want[i:]))
		case !bytes.Equal(e.Raw, held.Raw):
			return fmt.Errorf("event %d, %s: JSON differs from the one stored first", i, e.UUID)
		}
		seen[e.UUID] = true
	}
	return nil
}

func head(events []*logevent.Event) string {
	var uuids []string
	for _, e := range events[:min(len(events), 6)] {
		uuids = append(uuids, e.UUID)
	}
	if len(events) > 6 {
		uuids = append(uuids, "…")
	}
	return fmt.Sprint(uuids)
}

// checkCount checks Count against the reference.
func checkCount(t *testing.T, r backend.Reader, ref *Reference, q backend.Query) {
	t.Helper()
	n, err := r.Count(context.Background(), q)
	if want := len(ref.Matches(q)); err != nil || n != want {
		t.Fatalf("Count(%s) = %d, %v; want %d", describe(q), n, err, want)
	}
}

// testFilters checks Search and Count on a messy generated log against
// filter.Compile, for hundreds of random filters in either order and
// direction, with limits, time bounds and keyword searches.
func testFilters(t *testing.T, b backend.Backend) {
	events := NewGenerator(GenOptions{Seed: 11, Users: 12, Messy: true}).Events(800)
	ref := NewReference()
	insertUneven(t, b, ref, events, 97)
	eg := NewExprGen(12, events)
	held := ref.Matches(backend.Query{})
	const runs = 500
	nonEmpty := 0
	for range runs {
		q := eg.Query(held)
		got, _ := search(t, b, q)
		checkMatches(t, ref, q, got)
		if len(got) > 0 {
			nonEmpty++
		}
		checkCount(t, b, ref, q)
	}
	if nonEmpty < runs/4 || nonEmpty > runs*9/10 {
		t.Errorf("%d of %d filters matched something: the generator exercises little", nonEmpty, runs)
	}
}

// testPaging pages through searches with cursors, in both orders and both
// directions, and checks that the pages make up one search exactly; that
// Count honours After; and that a cursor the backend did not make for the
// order is refused with ErrInvalidCursor.
func testPaging(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	events := NewGenerator(GenOptions{Seed: 4, Users: 10, Messy: true}).Events(400)
	ref := NewReference()
	for chunk := range slices.Chunk(events, 50) {
		insert(t, b, ref, chunk)
	}
	keywords, err := filter.ParseKeywords("user")
	if err != nil {
		t.Fatal(err)
	}
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	cursors := map[backend.Order]backend.Cursor{}
	for _, order := range []backend.Order{backend.ByPublished, backend.ByReceived} {
		for _, desc := range []bool{false, true} {
			for _, q := range []backend.Query{
				{},
				{Filter: filter.MustParse(`eventType sw "user." or target.id pr`)},
				{Filter: filter.MustParse(`client.zone eq "null" and outcome.result ne "FAILURE"`)},
				{Keywords: keywords},
			} {
				q.Order, q.Desc = order, desc
				all, allCursors := search(t, b, q)
				checkMatches(t, ref, q, all)
				if len(all) < 40 {
					t.Fatalf("%s: %d events: too few to page", describe(q), len(all))
				}
				for _, c := range allCursors {
					if !urlSafe.MatchString(string(c)) {
						t.Fatalf("cursor %q is not a short URL-safe string", c)
					}
				}
				cursors[order] = allCursors[len(allCursors)/2]
				var paged []*logevent.Event
				q.Limit = 37
				for pages := 0; ; pages++ {
					if pages > len(all) {
						t.Fatalf("%s: paging does not end", describe(q))
					}
					page, pageCursors := search(t, b, q)
					paged = append(paged, page...)
					if len(page) < q.Limit {
						break
					}
					q.After = pageCursors[len(pageCursors)-1]
				}
				if !slices.Equal(uuids(paged), uuids(all)) {
					t.Errorf("%s: pages hold %d events, one search %d (or in another order)", describe(q), len(paged), len(all))
				}
				q.Limit, q.After = 0, allCursors[9]
				if n, err := b.Count(ctx, q); err != nil || n != len(all)-10 {
					t.Errorf("Count(%s) = %d, %v; want %d", describe(q), n, err, len(all)-10)
				}
			}
		}
	}
	for _, c := range []struct {
		order  backend.Order
		cursor backend.Cursor
	}{
		{backend.ByPublished, cursors[backend.ByReceived]},
		{backend.ByReceived, cursors[backend.ByPublished]},
		{backend.ByPublished, "%%%"},
		{backend.ByReceived, "%%%"},
	} {
		q := backend.Query{Order: c.order, After: c.cursor}
		err := b.Search(ctx, q, func(*logevent.Event, backend.Cursor) error { return nil })
		if !errors.Is(err, backend.ErrInvalidCursor) {
			t.Errorf("Search(order %d, after %q) = %v, want ErrInvalidCursor", c.order, c.cursor, err)
		}
		if _, err := b.Count(ctx, q); !errors.Is(err, backend.ErrInvalidCursor) {
			t.Errorf("Count(order %d, after %q) = %v, want ErrInvalidCursor", c.order, c.cursor, err)
		}
	}
}

func uuids(events []*logevent.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.UUID
	}
	return out
}

// testReceivedOrder checks what a poller of /api/v1/logs relies on: an
// event stored after a cursor was handed out, published earlier than
// anything seen, comes after that cursor in ByReceived order, and is never
// skipped; in ByPublished order it comes first.
func testReceivedOrder(t *testing.T, b backend.Backend) {
	g := NewGenerator(GenOptions{Seed: 21, Users: 5})
	events := g.Events(60)
	ref := NewReference()
	insert(t, b, ref, events)
	seen, cursors := search(t, b, backend.Query{Order: backend.ByReceived})
	checkMatches(t, ref, backend.Query{Order: backend.ByReceived}, seen)
	late := NewGenerator(GenOptions{Seed: 22, Users: 5, Start: events[0].Time.Add(-time.Hour)}).Events(3)
	insert(t, b, ref, late)
	q := backend.Query{Order: backend.ByReceived, After: cursors[len(cursors)-1]}
	got, _ := search(t, b, q)
	if !slices.Equal(uuids(got), uuids(late)) && !sameSet(uuids(got), uuids(late)) {
		t.Fatalf("after the last cursor: %v, want the late events %v", uuids(got), uuids(late))
	}
	all, _ := search(t, b, backend.Query{})
	if len(all) != len(events)+len(late) || !sameSet(uuids(all[:len(late)]), uuids(late)) {
		t.Errorf("by published, the late events (published earlier) do not come first: %v", head(all))
	}
	// Polling with a window: the late events are before it, so not seen.
	q.Since = events[0].Time
	if got, _ := search(t, b, q); len(got) != 0 {
		t.Errorf("after the last cursor, since %v: %v", q.Since, uuids(got))
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// testWindowsAndLimits checks time bounds (since inclusive, until
// exclusive, on events sharing an instant), backend.Window, limits, the
// errors of a negative limit and of fn, and a cancelled context.
func testWindowsAndLimits(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	events := NewGenerator(GenOptions{Seed: 6, Users: 8, Messy: true}).Events(300)
	ref := NewReference()
	insertUneven(t, b, ref, events, 40)
	held := ref.Matches(backend.Query{})
	since, until := held[100].Time, held[200].Time
	shared := commonInstant(held)
	for _, q := range []backend.Query{
		{Since: since, Until: until},
		{Since: since},
		{Until: until, Desc: true},
		{Since: shared, Until: shared.Add(time.Nanosecond)}, // one instant, shared by many
		{Since: shared, Until: shared.Add(time.Nanosecond), Limit: 2},
		{Until: shared, Desc: true},
		{Since: until, Until: until},
		{Until: time.Unix(0, 0)},
		{Limit: 1},
		{Limit: 1, Desc: true},
		{Limit: len(held) + 5},
		{Limit: 7, Since: since, Order: backend.ByReceived},
	} {
		got, _ := search(t, b, q)
		checkMatches(t, ref, q, got)
		checkCount(t, b, ref, q)
	}
	if n := len(ref.Matches(backend.Query{Since: shared, Until: shared.Add(time.Nanosecond)})); n < 5 {
		t.Errorf("only %d events share an instant: the test exercises little", n)
	}
	expr := filter.MustParse(`actor.id pr`)
	w := backend.Window{Reader: b, Since: since, Until: until}
	var got []*logevent.Event
	if err := w.Search(ctx, expr, func(e *logevent.Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	checkMatches(t, ref, backend.Query{Filter: expr, Since: since, Until: until}, got)
	if err := b.Search(ctx, backend.Query{Limit: -1}, func(*logevent.Event, backend.Cursor) error { return nil }); err == nil {
		t.Error("a negative limit was accepted")
	}
	stop := errors.New("stop")
	calls := 0
	err := b.Search(ctx, backend.Query{}, func(*logevent.Event, backend.Cursor) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Search with fn failing: %v after %d calls, want stop after 1", err, calls)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Search(cancelled, backend.Query{}, func(*logevent.Event, backend.Cursor) error { return nil }); err == nil {
		t.Error("Search with a cancelled context succeeded")
	}
}

// commonInstant returns the instant most events share.
func commonInstant(events []*logevent.Event) time.Time {
	n := map[time.Time]int{}
	var best time.Time
	for _, e := range events {
		if n[e.Time]++; n[e.Time] > n[best] {
			best = e.Time
		}
	}
	return best
}

// testDedup checks Insert's duplicates and conflicts: the same uuid twice
// in one call and across calls, with the same content (whitespace, key
// order and number spelling aside) or another.
func testDedup(t *testing.T, b backend.Backend) {
	ref := NewReference()
	a := decode(t, `{"uuid":"dd000001-0000-11ee-8000-000000000001","published":"2024-05-01T10:00:00.000Z","eventType":"user.session.start","actor":{"id":"00uA","type":"User","alternateId":"a@example.com"},"securityContext":{"asNumber":9009}}`)
	aSame := decode(t, `{ "eventType" : "user.session.start", "securityContext": {"asNumber": 9009.0},
		"actor": {"alternateId":"a@example.com","type":"User","id":"00uA"}, "published":"2024-05-01T10:00:00.000Z", "uuid":"dd000001-0000-11ee-8000-000000000001" }`)
	aOther := decode(t, `{"uuid":"dd000001-0000-11ee-8000-000000000001","published":"2024-05-01T10:00:00.000Z","eventType":"user.session.start","actor":{"id":"00uEVE","type":"User","alternateId":"a@example.com"},"securityContext":{"asNumber":9009}}`)
	c := decode(t, `{"uuid":"dd000003-0000-11ee-8000-000000000003","published":"2024-05-01T10:00:02.000Z","eventType":"user.session.end"}`)
	cOther := decode(t, `{"uuid":"dd000003-0000-11ee-8000-000000000003","published":"2024-05-01T10:00:02.000Z","eventType":"user.session.end","displayMessage":"x"}`)
	d := decode(t, `{"uuid":"dd000004-0000-11ee-8000-000000000004","published":"2024-05-01T10:00:03.000Z","eventType":"user.session.end"}`)
	for _, call := range [][]*logevent.Event{
		{a, aSame, aOther, c},       // in one call: a duplicate, a conflict
		{aOther, a, c, aSame, c},    // across calls
		{d, d, cOther},              // the same bytes twice; a conflict across calls
		{cOther, cOther, aOther, d}, // conflicts repeated
	} {
		insert(t, b, ref, call)
	}
	got, _ := search(t, b, backend.Query{})
	checkMatches(t, ref, backend.Query{}, got)
	if len(got) != 3 {
		t.Errorf("%d events held, want 3", len(got))
	}
	// A generated log, then all of it again: only duplicates.
	events := NewGenerator(GenOptions{Seed: 8, Users: 20}).Events(300)
	insertUneven(t, b, ref, events, 64)
	res := insert(t, b, ref, events)
	if res.Duplicates != len(events) {
		t.Errorf("inserting %d events again: %d duplicates", len(events), res.Duplicates)
	}
}

func decode(t *testing.T, text string) *logevent.Event {
	t.Helper()
	e, err := logevent.Decode([]byte(text))
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return e
}

// testUsers checks ResolveUser against the reference, and indicator.UserID
// on logins that name one user, several, or none.
func testUsers(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	ref := NewReference()
	var events []*logevent.Event
	for i, raw := range []string{
		// alice acts; her app assignment (AppUser) carries her login too.
		`"actor":{"id":"00uAlice","type":"User","alternateId":"alice@acme.example"},"target":[{"id":"0uaApp","type":"AppUser","alternateId":"alice@acme.example"}]`,
		// two users share a login (a renamed account).
		`"actor":{"id":"00uBob1","type":"User","alternateId":"bob@acme.example"}`,
		`"actor":{"id":"00uAdmin","type":"User"},"target":[{"id":"00uBob2","type":"User","alternateId":"bob@acme.example"}]`,
	} {
		events = append(events, decode(t, fmt.Sprintf(`{"uuid":"u%d","published":"2024-05-01T10:00:0%dZ","eventType":"x",%s}`, i, i, raw)))
	}
	insert(t, b, ref, events)
	for _, tt := range []struct {
		value, want string
		candidates  int
		fails       bool
	}{
		{"alice@acme.example", "00uAlice", 0, false},
		{"00uSomeone", "00uSomeone", 0, false},
		{"nobody@acme.example", "", 0, true},
		{"bob@acme.example", "", 2, true},
	} {
		got, err := indicator.UserID(ctx, b, tt.value)
		var userErr *indicator.UserError
		if tt.fails != errors.As(err, &userErr) || got != tt.want {
			t.Errorf("UserID(%q) = %q, %v; want %q (fails %v)", tt.value, got, err, tt.want, tt.fails)
			continue
		}
		if tt.fails && len(userErr.Candidates) != tt.candidates {
			t.Errorf("UserID(%q): %d candidates, want %d", tt.value, len(userErr.Candidates), tt.candidates)
		}
	}
	generated := NewGenerator(GenOptions{Seed: 3, Users: 20, Messy: true}).Events(600)
	insertUneven(t, b, ref, generated, 80)
	logins := map[string]bool{"USER0@EXAMPLE.COM": true, "": true, "bob@acme.example": true}
	for _, e := range generated {
		logins[e.Actor.AlternateID] = true
		for _, tg := range e.Target {
			logins[tg.AlternateID] = true
		}
	}
	resolved := 0
	for login := range logins {
		got, err := b.ResolveUser(ctx, login)
		want := ref.ResolveUser(login)
		if err != nil || !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("ResolveUser(%q) = %+v, %v; want %+v", login, got, err, want)
		}
		if len(want) > 0 && want[0].TargetEvents > 0 {
			resolved++
		}
	}
	if resolved < 5 {
		t.Errorf("only %d logins resolve through targets: the test exercises little", resolved)
	}
}

// testIPUsers checks IPUsers against the events, over the whole log and
// time windows.
func testIPUsers(t *testing.T, b backend.Backend) {
	events := NewGenerator(GenOptions{Seed: 5, Users: 9, Messy: true}).Events(1500)
	ref := NewReference()
	insertUneven(t, b, ref, events, 61)
	insert(t, b, ref, events[:200]) // duplicates add nothing
	CheckIPUsers(t, b, ref)
}

// CheckIPUsers checks r.IPUsers against ref over the whole log and a few
// windows, for every address ref knows and one nobody used.
func CheckIPUsers(t *testing.T, r backend.Reader, ref *Reference) {
	t.Helper()
	all := ref.IPUsers(time.Time{}, time.Time{})
	if len(all) < 20 {
		t.Fatalf("only %d (address, user) pairs: the test exercises little", len(all))
	}
	ips := []string{"203.0.113.250"}
	for k := range all {
		ips = append(ips, k.IP)
	}
	held := ref.Matches(backend.Query{})
	mid := held[len(held)/2].Time
	for _, w := range []struct {
		name         string
		since, until time.Time
	}{
		{"whole log", time.Time{}, time.Time{}},
		{"since", mid, time.Time{}},
		{"until", time.Time{}, mid},
		{"both", held[len(held)/4].Time, held[3*len(held)/4].Time},
		{"empty window", mid, mid},
	} {
		want := ref.IPUsers(w.since, w.until)
		got := map[IPUserKey]backend.IPUser{}
		err := r.IPUsers(context.Background(), ips, w.since, w.until, func(u backend.IPUser) error {
			k := IPUserKey{u.IP, u.User.Key()}
			if _, dup := got[k]; dup {
				t.Errorf("%s: IPUsers gives %v twice", w.name, k)
			}
			got[k] = u
			return nil
		})
		if err != nil {
			t.Fatalf("%s: IPUsers: %v", w.name, err)
		}
		for k, u := range want {
			if !SameIPUser(got[k], u) {
				t.Errorf("%s: %v: got %+v, want %+v", w.name, k, got[k], u)
			}
		}
		for k, u := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: %v: unexpected %+v", w.name, k, u)
			}
		}
	}
}

// testHistogram checks Histogram against counting by hand: with and
// without a filter (answered by the backend's index or only by the
// evaluator), keywords, windows cutting buckets, buckets past the events;
// and that it refuses buckets that do not Validate.
func testHistogram(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	empty, err := b.Histogram(ctx, backend.Query{}, backend.Buckets{From: day, Step: time.Hour, N: 24})
	if err != nil || len(empty) != 24 || slices.Max(empty) != 0 {
		t.Errorf("Histogram of an empty backend = %v, %v", empty, err)
	}
	events := NewGenerator(GenOptions{Seed: 9, Users: 15, Messy: true}).Events(700)
	ref := NewReference()
	insertUneven(t, b, ref, events, 90)
	st := ref.Stats()
	keywords, err := filter.ParseKeywords("push")
	if err != nil {
		t.Fatal(err)
	}
	buckets := []backend.Buckets{
		{From: st.First.Truncate(time.Minute), Step: 5 * time.Minute, N: 60},
		{From: st.First, Step: st.Last.Sub(st.First) + 1, N: 1},                                 // one bucket, to the last event inclusive
		{From: st.First.Add(17 * time.Minute), Step: 7 * time.Second, N: 500},                   // starts among the events
		{From: day.AddDate(-1, 0, 0), Step: 30 * 24 * time.Hour, N: 36},                         // months, around the events
		{From: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), Step: 3650 * 24 * time.Hour, N: 14}, // decades
	}
	queries := []backend.Query{
		{},
		{Filter: filter.MustParse(`eventType eq "user.authentication.sso"`)},
		{Filter: filter.MustParse(`client.zone eq "null"`)},
		{Filter: filter.MustParse(`outcome.result eq "SUCCESS" and securityContext.isProxy eq false`)},
		{Keywords: keywords},
		{Since: st.First.Add(20 * time.Minute), Until: st.First.Add(50*time.Minute + 3*time.Second)},
		{Filter: filter.MustParse(`actor.id pr`), Until: st.First.Add(31 * time.Minute)},
		{Limit: 3, Desc: true, Order: backend.ByReceived}, // ignored
	}
	counted := 0
	for _, bk := range buckets {
		for _, q := range queries {
			got, err := b.Histogram(ctx, q, bk)
			want := ref.Histogram(backend.Query{Filter: q.Filter, Keywords: q.Keywords, Since: q.Since, Until: q.Until}, bk)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Histogram(%s, %+v) = %v, %v\nwant %v", describe(q), bk, got, err, want)
			}
			for _, n := range want {
				counted += n
			}
		}
	}
	if counted < 1000 {
		t.Errorf("the histograms counted %d events: the test exercises little", counted)
	}
	for _, bk := range []backend.Buckets{
		{From: day, Step: 0, N: 10},
		{From: day, Step: time.Hour, N: 0},
		{From: day, Step: time.Hour, N: backend.MaxBuckets + 1},
		{From: day, Step: 200 * 365 * 24 * time.Hour, N: 2},
	} {
		if _, err := b.Histogram(ctx, backend.Query{}, bk); err == nil {
			t.Errorf("Histogram with buckets %+v succeeded", bk)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Histogram(cancelled, backend.Query{Filter: filter.MustParse(`client.zone eq "null"`)}, buckets[0]); err == nil {
		t.Error("Histogram with a cancelled context succeeded")
	}
}

// testStats checks Stats and EventTypeCounts, empty and after inserts
// with duplicates.
func testStats(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	if st, err := b.Stats(ctx); err != nil || st != (backend.Stats{}) {
		t.Errorf("Stats of an empty backend = %+v, %v", st, err)
	}
	if counts, err := b.EventTypeCounts(ctx); err != nil || len(counts) != 0 {
		t.Errorf("EventTypeCounts of an empty backend = %+v, %v", counts, err)
	}
	events := NewGenerator(GenOptions{Seed: 3, Users: 20, Messy: true}).Events(500)
	ref := NewReference()
	insert(t, b, ref, events[:200])
	insert(t, b, ref, events[150:])
	st, err := b.Stats(ctx)
	want := ref.Stats()
	if err != nil || st.Events != want.Events || !st.First.Equal(want.First) || !st.Last.Equal(want.Last) {
		t.Errorf("Stats = %+v, %v; want %+v", st, err, want)
	}
	counts, err := b.EventTypeCounts(ctx)
	if wantCounts := ref.EventTypeCounts(); err != nil || !slices.Equal(counts, wantCounts) {
		t.Errorf("EventTypeCounts = %+v, %v\nwant %+v", counts, err, wantCounts)
	}
	if len(counts) < 10 {
		t.Errorf("%d event types: the test exercises little", len(counts))
	}
}

// testCheckpoints checks saving, loading, replacing and deleting collect
// checkpoints, with keys as the collector makes them (a URL and the flags
// as typed, joined by NUL bytes).
func testCheckpoints(t *testing.T, b backend.Backend) {
	ctx := context.Background()
	k1 := "https://acme.okta.com/api/v1/logs 7d\x00\x00eventType eq \"x\"\x00"
	k2 := "https://other.okta.com/api/v1/logs?limit=1000&sortOrder=ASCENDING é"
	load := func(key string) (string, bool) {
		t.Helper()
		next, ok, err := b.LoadCheckpoint(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return next, ok
	}
	if _, ok := load(k1); ok {
		t.Fatal("a checkpoint in a new backend")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.SaveCheckpoint(ctx, k1, "https://acme.okta.com/api/v1/logs?after=1"))
	must(b.SaveCheckpoint(ctx, k2, "https://other.okta.com/api/v1/logs?after=9"))
	must(b.SaveCheckpoint(ctx, k1, "https://acme.okta.com/api/v1/logs?after=2"))
	if next, ok := load(k1); !ok || next != "https://acme.okta.com/api/v1/logs?after=2" {
		t.Errorf("Load = %q, %v; want the last saved link", next, ok)
	}
	if _, ok := load(k1[:len(k1)-1]); ok {
		t.Error("a key's prefix loads its checkpoint")
	}
	must(b.DeleteCheckpoint(ctx, k1))
	must(b.DeleteCheckpoint(ctx, k1)) // forgetting nothing is no error
	if _, ok := load(k1); ok {
		t.Error("a deleted checkpoint loads")
	}
	if next, _ := load(k2); next != "https://other.okta.com/api/v1/logs?after=9" {
		t.Errorf("Delete of one key changed another: %q", next)
	}
}

// testBulkLoad checks, on a backend that has one, that a bulk load stores
// the events as inserts do, searchable during the load and after it.
func testBulkLoad(t *testing.T, b backend.Backend) {
	bl, ok := b.(backend.BulkLoader)
	if !ok {
		t.Skip("no bulk load")
	}
	ctx := context.Background()
	events := NewGenerator(GenOptions{Seed: 9, Users: 30}).Events(600)
	ref := NewReference()
	if err := bl.BeginBulk(ctx, len(events)); err != nil {
		t.Fatal(err)
	}
	insertUneven(t, b, ref, events[:400], 70)
	insert(t, b, ref, events[200:])
	q := backend.Query{Filter: filter.MustParse(`actor.id eq "00u00000000000000001" or target.id eq "00u00000000000000001"`)}
	got, _ := search(t, b, q)
	checkMatches(t, ref, q, got)
	if err := bl.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = search(t, b, q)
	checkMatches(t, ref, q, got)
	if len(got) < 10 {
		t.Errorf("%d matches: the test exercises little", len(got))
	}
	CheckIPUsersWhole(t, b, ref)
}

// CheckIPUsersWhole checks r.IPUsers against ref over the whole log only.
func CheckIPUsersWhole(t *testing.T, r backend.Reader, ref *Reference) {
	t.Helper()
	want := ref.IPUsers(time.Time{}, time.Time{})
	var ips []string
	for k := range want {
		ips = append(ips, k.IP)
	}
	n := 0
	err := r.IPUsers(context.Background(), ips, time.Time{}, time.Time{}, func(u backend.IPUser) error {
		n++
		if w := want[IPUserKey{u.IP, u.User.Key()}]; !SameIPUser(u, w) {
			t.Errorf("IPUsers: %+v, want %+v", u, w)
		}
		return nil
	})
	if err != nil || n != len(want) {
		t.Errorf("IPUsers: %d users, %v; want %d", n, err, len(want))
	}
}
