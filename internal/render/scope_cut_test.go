package render

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/scope/scopetest"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// TestCutList: a list of at most ScopeRows rows is kept whole; a longer
// one keeps its pinned rows and then the heaviest, in its own order.
func TestCutList(t *testing.T) {
	weight := func(x int) int { return x % 100 }
	for _, n := range []int{0, 1, ScopeRows} {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		if got, more := cutList(rows, weight, nil); !slices.Equal(got, rows) || more != 0 {
			t.Errorf("%d rows: kept %v, %d more", n, got, more)
		}
	}
	rows := make([]int, 250) // weights 0..99 two and a half times over
	for i := range rows {
		rows[i] = i
	}
	pinned := func(x int) bool { return x == 3 || x == 201 } // weights 3 and 1: light
	got, more := cutList(rows, weight, pinned)
	if len(got) != ScopeRows || more != len(rows)-ScopeRows {
		t.Fatalf("kept %d rows, %d more: want %d and %d", len(got), more, ScopeRows, len(rows)-ScopeRows)
	}
	if !slices.IsSorted(got) {
		t.Errorf("kept rows out of their order: %v", got)
	}
	for _, p := range []int{3, 201} {
		if !slices.Contains(got, p) {
			t.Errorf("pinned row %d left out: %v", p, got)
		}
	}
	// The other 28: the heaviest, weights 99 down to 86, two rows each.
	want := []int{3}
	for _, base := range []int{0, 100} {
		for w := 86; w <= 99; w++ {
			want = append(want, base+w)
		}
	}
	want = append(want, 201)
	if !slices.Equal(got, want) {
		t.Errorf("kept %v\nwant %v", got, want)
	}
	// More pinned rows than ScopeRows: all of them, nothing else.
	all, more := cutList(rows, weight, func(x int) bool { return x < ScopeRows+5 })
	if len(all) != ScopeRows+5 || more != len(rows)-ScopeRows-5 || all[len(all)-1] != ScopeRows+4 {
		t.Errorf("%d pinned rows: kept %d (last %d), %d more", ScopeRows+5, len(all), all[len(all)-1], more)
	}
}

// wideReport is the scope of the office address most users act from in a
// generated log, at depth 2 through every shared link: hundreds of users,
// sessions and addresses, and the planted incidents' deviations.
func wideReport(t *testing.T) *scope.Report {
	t.Helper()
	events, _ := samples.Generated(t, synth.Options{Seed: 3, Events: 20000, Incidents: true, Users: 400})
	r, err := scope.RunOptions(context.Background(), &scopetest.Searcher{Events: events},
		indicator.Indicator{Kind: indicator.IP, Value: samples.BusiestOfficeIP(t, events)}, scope.Options{Depth: 2, MaxShared: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wide scope: %d users, %d related, %d sessions, %d addresses, %d agents, %d event types, %d deviations, %d queries", len(r.Users), len(r.Related), len(r.Sessions), len(r.IPs), len(r.UserAgents), len(r.EventTypes), len(r.Deviations), len(r.Queries))
	if len(r.Users) <= ScopeRows || len(r.Sessions) <= ScopeRows || len(r.IPs) <= ScopeRows || len(r.Deviations) == 0 {
		t.Fatalf("the wide scope has %d users, %d sessions, %d addresses, %d deviations: too few to cut",
			len(r.Users), len(r.Sessions), len(r.IPs), len(r.Deviations))
	}
	return r
}

// TestCutScope: every list of a wide scope is cut to ScopeRows rows but for
// the rows the graph marks (the indicator, those cited by a deviation),
// which are all kept; the counts left out add up; the report itself is
// untouched.
func TestCutScope(t *testing.T) {
	r := wideReport(t)
	sessions := len(r.Sessions)
	c, m := CutScope(r)
	if len(r.Sessions) != sessions {
		t.Fatal("CutScope changed the report")
	}
	marked := markedNodes(r)
	lists := []struct {
		name       string
		full, kept int
		more       int
		values     func(*scope.Report) []string
		kind       scope.NodeKind
	}{
		{"users", len(r.Users), len(c.Users), m.Users, func(r *scope.Report) []string { return userKeys(r.Users) }, scope.NodeUser},
		{"related", len(r.Related), len(c.Related), m.Related, func(r *scope.Report) []string { return userKeys(r.Related) }, scope.NodeUser},
		{"sessions", len(r.Sessions), len(c.Sessions), m.Sessions, func(r *scope.Report) []string {
			return mapped(r.Sessions, func(s scope.SessionSummary) string { return s.ID })
		}, scope.NodeSession},
		{"ips", len(r.IPs), len(c.IPs), m.IPs, func(r *scope.Report) []string {
			return mapped(r.IPs, func(s scope.IPSummary) string { return s.Address })
		}, scope.NodeIP},
		{"user agents", len(r.UserAgents), len(c.UserAgents), m.UserAgents, nil, ""},
		{"event types", len(r.EventTypes), len(c.EventTypes), m.EventTypes, nil, ""},
		{"deviations", len(r.Deviations), len(c.Deviations), m.Deviations, nil, ""},
		{"queries", len(r.Queries), len(c.Queries), m.Queries, nil, ""},
	}
	pinnedRows := 0
	for _, l := range lists {
		if l.kept+l.more != l.full {
			t.Errorf("%s: %d kept and %d more of %d", l.name, l.kept, l.more, l.full)
		}
		if l.values == nil {
			if l.kept > ScopeRows || (l.full > ScopeRows && l.kept != ScopeRows) {
				t.Errorf("%s: %d kept of %d", l.name, l.kept, l.full)
			}
			continue
		}
		kept := l.values(c)
		pinned := 0
		for _, v := range l.values(r) {
			if marked[l.kind][v] {
				pinned++
				if !slices.Contains(kept, v) {
					t.Errorf("%s: %s, marked in the graph, left out", l.name, v)
				}
			}
		}
		pinnedRows += pinned
		if l.full > ScopeRows && l.kept != max(ScopeRows, pinned) {
			t.Errorf("%s: %d kept of %d (%d pinned), want %d", l.name, l.kept, l.full, pinned, max(ScopeRows, pinned))
		}
	}
	if pinnedRows == 0 || !slices.ContainsFunc(c.IPs, func(x scope.IPSummary) bool { return x.Address == r.Indicator.Value }) {
		t.Errorf("%d rows pinned; the indicator %s kept: want it and the cited rows", pinnedRows, r.Indicator.Value)
	}
	// Of the rows not pinned, none left out has more events than one kept.
	keptMin := -1
	for _, s := range c.Sessions {
		if !marked[scope.NodeSession][s.ID] && (keptMin < 0 || s.Events < keptMin) {
			keptMin = s.Events
		}
	}
	for _, s := range r.Sessions {
		if !slices.ContainsFunc(c.Sessions, func(k scope.SessionSummary) bool { return k.ID == s.ID }) && s.Events > keptMin {
			t.Errorf("session %s of %d events left out, one of %d kept", s.ID, s.Events, keptMin)
		}
	}
	// The attacks outrank the other deviations.
	if m.Deviations > 0 {
		worst := slices.Index(timeline.DeviationKinds, c.Deviations[0].Kind)
		for _, d := range r.Deviations {
			if k := slices.Index(timeline.DeviationKinds, d.Kind); k > worst && !slices.ContainsFunc(c.Deviations, func(x scope.Deviation) bool { return x.Kind == d.Kind }) {
				t.Errorf("a %s deviation left out", d.Kind)
			}
		}
	}
}

func userKeys(us []scope.UserSummary) []string {
	return mapped(us, func(u scope.UserSummary) string {
		if u.ID != "" {
			return u.ID
		}
		return u.AlternateID
	})
}

func mapped[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// TestScopeWritersCutLists: the terminal, Markdown and HTML views of a wide
// scope show each table cut by CutScope, say how many rows they left out
// and where the rest is; the JSON lists everything.
func TestScopeWritersCutLists(t *testing.T) {
	r := wideReport(t)
	c, m := CutScope(r)
	rowsOf := map[Format]func(out, title string) int{
		Text: func(out, title string) int {
			return strings.Count(sectionOf(out, "\n"+strings.ToUpper(title)+"\n", "\n\n"), "\n  ") - 1 // less the header and the note
		},
		MD: func(out, title string) int {
			return strings.Count(sectionOf(out, "## "+Markdown(title)+"\n", "\n## "), "\n| ") - 1 // less the header
		},
		HTML: func(out, title string) int {
			return strings.Count(sectionOf(withoutPictures(t, out, "graph"), "<h2>"+title+"</h2>", "<h2>"), "<tr>") - 1
		},
	}
	for f, rows := range rowsOf {
		out := writeScope(t, f, r, 0)
		for title, want := range map[string][2]int{
			"Sessions":     {len(c.Sessions), m.Sessions},
			"IP addresses": {len(c.IPs), m.IPs},
			"Users":        {len(c.Users), m.Users},
		} {
			if got := rows(out, title); got != want[0] {
				t.Errorf("%s: %s shows %d rows, want %d", f, title, got, want[0])
			}
			if note := fmt.Sprintf("… and %d more", want[1]); want[1] == 0 || !strings.Contains(out, note) {
				t.Errorf("%s: %s lacks %q", f, title, note)
			}
		}
		if !strings.Contains(out, "scope --format json</code> lists them all") && !strings.Contains(out, "scope --format json lists them all") {
			t.Errorf("%s does not say where the rest is", f)
		}
		if f != Text && !strings.Contains(out, "Long lists show 30 rows") {
			t.Errorf("%s lacks the note on the cut lists", f)
		}
	}
	var doc struct {
		Sessions []json.RawMessage `json:"sessions"`
		Related  []json.RawMessage `json:"relatedUsers"`
		Users    []json.RawMessage `json:"users"`
	}
	if err := json.Unmarshal([]byte(writeScope(t, JSON, r, 0)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Sessions) != len(r.Sessions) || len(doc.Users) != len(r.Users) || len(doc.Related) != len(r.Related) {
		t.Errorf("JSON: %d sessions, %d users, %d related; the report %d, %d, %d", len(doc.Sessions), len(doc.Users), len(doc.Related),
			len(r.Sessions), len(r.Users), len(r.Related))
	}
}

// sectionOf is the part of out from the heading to the next end (or the end).
func sectionOf(out, heading, end string) string {
	i := strings.Index(out, heading)
	if i < 0 {
		return ""
	}
	rest := out[i+len(heading):]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestScopeWritersClipCells: a query of thousands of sessions and an
// address of thousands of users show as their first scopeCellBytes in the
// terminal, Markdown and HTML views, saying how long they are; the JSON
// holds them whole.
func TestScopeWritersClipCells(t *testing.T) {
	var sessions, users []string
	for i := range 2000 {
		sessions = append(sessions, fmt.Sprintf(`authenticationContext.externalSessionId eq "102s%05d"`, i))
		users = append(users, fmt.Sprintf("user%05d@acme.example", i))
	}
	query := strings.Join(sessions, " or ")
	r := &scope.Report{Indicator: indicator.Indicator{Kind: indicator.IP, Value: "192.0.2.10"}, Depth: 1, Queries: []string{query},
		IPs: []scope.IPSummary{{Address: "192.0.2.10", Events: 9000, Users: users}}}
	whole := strings.Join(users, ", ")
	for _, f := range []Format{Text, MD, HTML} {
		out := writeScope(t, f, r, 0)
		for what, text := range map[string]string{"query": query, "users": whole} {
			note := "…(" + Thousands(len(text)) + " bytes in all)"
			if f == MD {
				note = Markdown(note)
			}
			if !strings.Contains(out, note) {
				t.Errorf("%s: the %s (%d bytes) lacks %q", f, what, len(text), note)
			}
		}
		if len(out) > 4*scopeCellBytes+len(PicturesJS)+8<<10 {
			t.Errorf("%s: %d bytes for two clipped cells", f, len(out))
		}
	}
	if out := writeScope(t, JSON, r, 0); !strings.Contains(out, `102s01999\"`) || !strings.Contains(out, users[len(users)-1]) {
		t.Error("the JSON lacks the end of the query or of the users")
	}
}
