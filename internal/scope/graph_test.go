package scope

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/scope/scopetest"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// graphEdges returns the edges as "source kind target events".
func graphEdges(g Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, fmt.Sprintf("%s %s %s %d", e.Source, e.Kind, e.Target, e.Events))
	}
	return out
}

// graphNode returns the node of an id.
func graphNode(t *testing.T, g Graph, id string) GraphNode {
	t.Helper()
	i := slices.IndexFunc(g.Nodes, func(n GraphNode) bool { return n.ID == id })
	if i < 0 {
		t.Fatalf("no node %s in %+v", id, g.Nodes)
	}
	return g.Nodes[i]
}

// checkGraph checks what holds of every graph: unique node ids, every edge
// between two of its nodes, at most limit nodes kept plus one per kind for
// those left out.
func checkGraph(t *testing.T, g Graph, limit int) {
	t.Helper()
	ids := map[string]bool{}
	kept, more := 0, map[NodeKind]bool{}
	for _, n := range g.Nodes {
		if ids[n.ID] {
			t.Errorf("node %s twice", n.ID)
		}
		ids[n.ID] = true
		if n.More > 0 {
			if more[n.Kind] {
				t.Errorf("two nodes stand for left-out %s nodes", n.Kind)
			}
			more[n.Kind] = true
		} else {
			kept++
		}
	}
	if kept > limit {
		t.Errorf("%d nodes kept, limit %d", kept, limit)
	}
	for _, e := range g.Edges {
		if !ids[e.Source] || !ids[e.Target] || e.Events <= 0 {
			t.Errorf("edge %+v: an end is not a node, or no events", e)
		}
	}
}

func TestGraph(t *testing.T) {
	s := &scopetest.Searcher{Events: org(t)}
	r, err := Run(context.Background(), s, indicatorOf(indicator.User, alice.id), 1)
	if err != nil {
		t.Fatal(err)
	}
	g := r.Graph
	checkGraph(t, g, DefaultGraphNodes)
	if first := g.Nodes[0]; first.ID != "user:"+alice.id || !first.Indicator || first.Label != alice.login || first.Detail != alice.name {
		t.Errorf("first node %+v, want alice, the indicator", first)
	}
	var kinds []string
	for _, n := range g.Nodes {
		kinds = append(kinds, string(n.Kind)+":"+n.Label)
	}
	want := []string{
		"user:alice@acme.example", "user:bob@acme.example", "user:mallory@acme.example", "user:admin@acme.example",
		"session:102A1", "session:102A2", "session:102ADM",
		"ip:192.0.2.10", "ip:198.18.0.10", "ip:192.0.2.80", "ip:198.51.100.20",
		"device:iPhone 15", "app:aws app", "app:github app", "app:salesforce app",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("nodes\n%q\nwant\n%q", kinds, want)
	}
	edges := graphEdges(g)
	for _, e := range []string{
		"user:00ualice in session:102A1 5",
		"session:102A1 from ip:198.18.0.10 4",
		"session:102A1 from ip:198.51.100.20 1", // the hijacker
		"session:102A1 used app:0oasalesforce 1",
		"session:102A2 used device:guo-phone 1",
		"user:00uadmin in session:102ADM 1", // an administrator acting on alice
		"user:00ubob from ip:192.0.2.10 3",  // not followed: his events on the office address
		"user:00umal from ip:198.51.100.20 3",
	} {
		if !slices.Contains(edges, e) {
			t.Errorf("no edge %q in\n%s", e, strings.Join(edges, "\n"))
		}
	}
	// The hijack cites alice's event before the theft and the attacker's;
	// the denial, the office sign-in's deny_access.
	for id, cited := range map[string]bool{
		"ip:198.51.100.20": true, "session:102A1": true, "user:" + alice.id: true, "ip:192.0.2.10": true,
		"session:102ADM": false, "user:00ubob": false, "ip:192.0.2.80": false,
	} {
		if n := graphNode(t, g, id); n.Cited != cited {
			t.Errorf("%s cited %v, want %v", id, n.Cited, cited)
		}
	}
	if n := graphNode(t, g, "ip:198.51.100.20"); !slices.Equal(n.Deviations, []timeline.DeviationKind{timeline.SessionHijack}) {
		t.Errorf("attacker's address cited by %v, want the hijack", n.Deviations)
	}
	if n := graphNode(t, g, "ip:192.0.2.10"); !slices.Equal(n.Deviations, []timeline.DeviationKind{timeline.Denied}) {
		t.Errorf("office address cited by %v, want the denial", n.Deviations)
	}
	if n := graphNode(t, g, "ip:198.51.100.20"); n.Detail != "Amsterdam, Netherlands · AS9009 m247 europe srl · proxy" || n.Events != 1 {
		t.Errorf("attacker's address %+v", n)
	}
	if n := graphNode(t, g, "user:00ubob"); n.Events != 3 || n.Value != bob.id {
		t.Errorf("bob %+v", n)
	}
}

// TestGraphShared: a link with more users than MaxShared is marked, and its
// users reached only through it hang from it.
func TestGraphShared(t *testing.T) {
	s := &scopetest.Searcher{Events: org(t)}
	r, err := RunOptions(context.Background(), s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, MaxShared: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkGraph(t, r.Graph, DefaultGraphNodes)
	office := graphNode(t, r.Graph, "ip:"+office.ip)
	if !office.Shared || !strings.Contains(office.Detail, "shared by 2 users") {
		t.Errorf("office address %+v, want shared by 2 users", office)
	}
	if home := graphNode(t, r.Graph, "ip:"+home.ip); home.Shared {
		t.Errorf("alice's home address is shared: %+v", home)
	}
	if !slices.Contains(graphEdges(r.Graph), "user:00ubob from ip:192.0.2.10 3") {
		t.Errorf("bob does not hang from the office address: %q", graphEdges(r.Graph))
	}
}

// TestGraphCut keeps the indicator and the cited nodes, grows from them,
// and counts the rest in one node per kind, linked where they were.
func TestGraphCut(t *testing.T) {
	s := &scopetest.Searcher{Events: org(t)}
	full, err := RunOptions(context.Background(), s, indicatorOf(indicator.User, alice.id), Options{Depth: 2})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 6
	r, err := RunOptions(context.Background(), s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, GraphNodes: limit})
	if err != nil {
		t.Fatal(err)
	}
	g := r.Graph
	checkGraph(t, g, limit)
	kept, left := 0, 0
	for _, n := range g.Nodes {
		if n.More == 0 {
			kept++
			continue
		}
		left += n.More
		if want := fmt.Sprintf("… and %d more", n.More); !strings.HasPrefix(n.Label, want) {
			t.Errorf("node %+v: label, want %q…", n, want)
		}
	}
	if kept != limit || kept+left != len(full.Graph.Nodes) {
		t.Errorf("%d nodes kept and %d left out, want %d and %d", kept, left, limit, len(full.Graph.Nodes)-limit)
	}
	for _, id := range []string{"user:" + alice.id, "ip:198.51.100.20", "session:102A1", "ip:192.0.2.10", "session:102A2"} {
		if n := graphNode(t, g, id); n.More != 0 {
			t.Errorf("%s left out", id)
		}
	}
	// alice's session 102A1 used two apps, both left out.
	if !slices.ContainsFunc(graphEdges(g), func(e string) bool { return strings.HasPrefix(e, "session:102A1 used more:app ") }) {
		t.Errorf("no edge to the left-out apps: %q", graphEdges(g))
	}
}

// TestGraphOfIncidents: the graph of each planted incident, from the
// victim and from the attacker's address, holds both, the attacker's
// address cited.
func TestGraphOfIncidents(t *testing.T) {
	events, incidents := samples.Generated(t, synth.Options{Seed: 11, Events: 8000, Incidents: true})
	samples.CheckIncidents(t, incidents)
	s := &scopetest.Searcher{Events: events}
	for _, inc := range incidents {
		for _, ind := range []indicator.Indicator{indicatorOf(indicator.User, inc.UserID), indicatorOf(indicator.IP, inc.AttackerIP)} {
			r, err := Run(context.Background(), s, ind, 2)
			if err != nil {
				t.Fatal(err)
			}
			checkGraph(t, r.Graph, DefaultGraphNodes)
			victim := graphNode(t, r.Graph, "user:"+inc.UserID)
			attacker := graphNode(t, r.Graph, "ip:"+inc.AttackerIP)
			if !attacker.Cited || !victim.Cited {
				t.Errorf("%s, graph of %v: attacker's address %+v, victim %+v: want both cited", inc.Kind, ind, attacker, victim)
			}
		}
	}
}
