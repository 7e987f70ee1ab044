package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/synth"
)

// The scope page's budget (docs/web.md): each of its ten tables shows at
// most render.ScopeRows rows, more only for the rows the graph marks (at
// most its scope.DefaultGraphNodes nodes in all), and the page stays under
// scopePageBudget bytes however wide the scope.
const scopePageBudget = 256 << 10

// TestScopePageBounded opens the widest scope of a generated log of 20,000
// events and 400 users (its busiest office address at depth 2, through
// every shared link: 306 sessions, 82 addresses) and checks
// that the page's tables hold a bounded number of rows and the page a
// bounded number of bytes, that each cut list says how many it left out
// and links to /api/scope, which holds them all.
func TestScopePageBounded(t *testing.T) {
	opts := synth.Options{Seed: 3, Events: 20000, Incidents: true, Users: 400}
	st, _ := buildStoreOf(t, filepath.Join(t.TempDir(), "wide.db"), opts)
	defer st.Close()
	h := New(st, Options{})
	query := "kind=ip&value=" + url.QueryEscape(busiestOfficeIPOf(t, opts)) + "&depth=2&maxShared=0"
	raw := mustStatus(t, get(t, h, "/api/scope?"+query), 200)
	rows, bound, lists, full := scopeRows(t, []byte(raw))
	page := mustStatus(t, get(t, h, "/scope?"+query), 200)
	shown := strings.Count(page, "<tr>") + strings.Count(page, "<tr ") - strings.Count(page, "<thead><tr>")
	t.Logf("scope %s: the page %d bytes, %d table rows (at most %d); the report %d rows (%v), /api/scope %d bytes", query, len(page), shown, bound, rows, lists, len(raw))
	if rows < 2*bound {
		t.Fatalf("the report has %d rows, the page may show %d: too few to show a cut", rows, bound)
	}
	if shown > bound || len(page) > scopePageBudget {
		t.Errorf("the page has %d table rows (at most %d) and %d bytes (at most %d)", shown, bound, len(page), scopePageBudget)
	}
	// Each cut list says how many rows it left out, with a link to them.
	all := regexp.MustCompile(`… and (\d+) more: <a class="all-json" href="(/api/scope\?[^"]+)"`).FindAllStringSubmatch(page, -1)
	sessions := between(page, "<h2>Sessions</h2>", "<h2>")
	shownSessions := strings.Count(sessions, "<tr><td>")
	if want := fmt.Sprintf("… and %d more: ", len(full.Sessions)-shownSessions); shownSessions == 0 || shownSessions > render.ScopeRows+scope.DefaultGraphNodes || !strings.Contains(sessions, want) {
		t.Errorf("the sessions: %d shown of %d, and the page lacks %q", shownSessions, len(full.Sessions), want)
	}
	if len(all) < 3 {
		t.Fatalf("%d lists say what they left out", len(all))
	}
	for _, m := range all {
		link, err := url.Parse(strings.ReplaceAll(m[2], "&amp;", "&"))
		if err != nil || link.Query().Get("maxShared") != "0" || link.Query().Get("depth") != "2" || link.Query().Get("value") == "" {
			t.Errorf("the link to the whole report %q lacks the scope's parameters (%v)", m[2], err)
		}
	}
	if !strings.Contains(page, `id="scope-cut"`) {
		t.Error("the page does not say its lists are cut")
	}
}

// scopeJSON is what the scope tests read of /api/scope.
type scopeJSON struct {
	Users, RelatedUsers, Sessions, Transactions, IPs, UserAgents, Devices, Apps, EventTypes, Outcomes []json.RawMessage
	Graph                                                                                             struct {
		Nodes []struct {
			Indicator, Cited bool
			More             int
		}
	}
}

// scopeRows reads a /api/scope body: the rows of the ten tables of its
// page, and the most the page may show of them: render.ScopeRows a list,
// and the rows of the nodes its graph marks (the indicator, those cited by
// a deviation).
func scopeRows(t testing.TB, raw []byte) (rows, bound int, lists map[string]int, full scopeJSON) {
	t.Helper()
	if err := json.Unmarshal(raw, &full); err != nil {
		t.Fatal(err)
	}
	lists = map[string]int{"users": len(full.Users), "related": len(full.RelatedUsers), "sessions": len(full.Sessions),
		"transactions": len(full.Transactions), "ips": len(full.IPs), "user agents": len(full.UserAgents), "devices": len(full.Devices),
		"apps": len(full.Apps), "event types": len(full.EventTypes), "outcomes": len(full.Outcomes)}
	for _, n := range lists {
		rows, bound = rows+n, bound+min(n, render.ScopeRows)
	}
	for _, n := range full.Graph.Nodes {
		if n.More == 0 && (n.Indicator || n.Cited) {
			bound++
		}
	}
	if bound > len(lists)*render.ScopeRows+scope.DefaultGraphNodes {
		t.Fatalf("the page may show %d rows, more than the graph's nodes over %d a list", bound, render.ScopeRows)
	}
	return rows, bound, lists, full
}
