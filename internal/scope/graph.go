package scope

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Graph is the report as a graph (docs/scope.md): its users, IP addresses,
// sessions, devices and apps as nodes, sized by their events, and the links
// between them as edges: a user acted in a session, a session (or a user
// without one) acted from an address, a session or user used a device or
// an app. At most Options.GraphNodes nodes are kept, those most tied to the
// indicator first; the others of each kind are counted in one node that
// stands for them ("… and N more sessions").
type Graph struct {
	Nodes []GraphNode
	Edges []GraphEdge
}

// NodeKind is the kind of a graph node.
type NodeKind string

// The kinds of graph node.
const (
	NodeUser    NodeKind = "user"
	NodeIP      NodeKind = "ip"
	NodeSession NodeKind = "session"
	NodeDevice  NodeKind = "device"
	NodeApp     NodeKind = "app"
)

// nodeKinds are the kinds in the order the graph lists them.
var nodeKinds = []NodeKind{NodeUser, NodeSession, NodeIP, NodeDevice, NodeApp}

// EdgeKind is how two nodes are linked.
type EdgeKind string

// The kinds of graph edge.
const (
	EdgeIn   EdgeKind = "in"   // a user acted in a session
	EdgeFrom EdgeKind = "from" // a session, or a user outside any, acted from an address
	EdgeUsed EdgeKind = "used" // a session, or a user outside any, used a device or an app
)

// GraphNode is a node of the graph.
type GraphNode struct {
	// ID is unique in the graph: the kind, a colon and the value ("more:"
	// and the kind for a node standing for others).
	ID     string
	Kind   NodeKind
	Label  string // a login, an address, a session id, a device or app name
	Value  string // what a pivot on the node searches: user id, address, session id, device or app id
	Detail string // more about it: a user's name, an address's place and network, a device's platform
	Events int    // its events in the report (a user not followed: seen on the shared links)
	// Indicator marks the node of the scope's indicator.
	Indicator bool
	// Cited marks the user, session and address of every event a deviation
	// cites; Deviations are the kinds of those deviations, in the order of
	// timeline.DeviationKinds.
	Cited      bool
	Deviations []timeline.DeviationKind
	// Shared marks an address or session with more users than
	// Options.MaxShared (a NAT, proxy or VPN exit): no user was followed
	// through it.
	Shared bool
	// More, when not zero, is the number of nodes of Kind this node stands
	// for: those left out to keep the graph readable.
	More int
}

// GraphEdge is a link between two nodes, by their IDs.
type GraphEdge struct {
	Source, Target string
	Kind           EdgeKind
	Events         int // events that make the link
}

// DefaultGraphNodes is the default of Options.GraphNodes.
const DefaultGraphNodes = 100

// graphBuilder accumulates the whole graph before it is cut.
type graphBuilder struct {
	nodes map[string]*GraphNode
	order []string // node ids in order of creation
	edges map[[2]string]*GraphEdge
	adj   map[string][]string
}

func nodeID(kind NodeKind, value string) string { return string(kind) + ":" + value }

// node returns the node of kind and value, creating it with label.
func (g *graphBuilder) node(kind NodeKind, value, label string) *GraphNode {
	id := nodeID(kind, value)
	n := g.nodes[id]
	if n == nil {
		n = &GraphNode{ID: id, Kind: kind, Label: label, Value: value}
		g.nodes[id] = n
		g.order = append(g.order, id)
	}
	return n
}

// link counts events on the edge from source to target.
func (g *graphBuilder) link(source, target string, kind EdgeKind, events int) {
	if source == "" || target == "" || source == target || events <= 0 {
		return
	}
	key := [2]string{source, target}
	e := g.edges[key]
	if e == nil {
		e = &GraphEdge{Source: source, Target: target, Kind: kind}
		g.edges[key] = e
		g.adj[source] = append(g.adj[source], target)
		g.adj[target] = append(g.adj[target], source)
	}
	e.Events += events
}

// graph builds the report's graph from its events and summaries.
func (r *run) graph(rep *Report) Graph {
	g := &graphBuilder{nodes: map[string]*GraphNode{}, edges: map[[2]string]*GraphEdge{}, adj: map[string][]string{}}
	for _, u := range slices.Concat(rep.Users, rep.Related) {
		key := cmp.Or(u.ID, u.AlternateID)
		n := g.node(NodeUser, key, userName(u.AlternateID, u.ID))
		n.Detail, n.Events = u.DisplayName, u.Events
	}
	for _, s := range rep.Sessions {
		n := g.node(NodeSession, s.ID, s.ID)
		n.Events = s.Events
	}
	for _, ip := range rep.IPs {
		n := g.node(NodeIP, ip.Address, ip.Address)
		n.Events, n.Detail = ip.Events, ipDetail(ip)
	}
	for _, d := range rep.Devices {
		n := g.node(NodeDevice, deviceKey(d.ID, d.Name), cmp.Or(d.Name, d.ID))
		n.Value, n.Events = d.ID, d.Events
		n.Detail = strings.TrimSpace(d.Platform + " " + d.OSVersion)
	}
	for _, a := range rep.Apps {
		n := g.node(NodeApp, cmp.Or(a.ID, a.AlternateID, a.Name), cmp.Or(a.Name, a.AlternateID, a.ID))
		n.Value, n.Events, n.Detail = a.ID, a.Events, a.AlternateID
	}
	for _, e := range r.events {
		r.linkEvent(g, e)
	}
	// Users not followed are known only by the links they share.
	for _, key := range r.order {
		p := r.users[key]
		if p.principal {
			continue
		}
		for l, events := range p.linkEvents {
			kind, edge := NodeIP, EdgeFrom
			if l.Kind == indicator.Session {
				kind, edge = NodeSession, EdgeIn
			}
			if target := nodeID(kind, l.Value); g.nodes[target] != nil {
				g.link(nodeID(NodeUser, key), target, edge, events)
			}
		}
	}
	for _, l := range rep.Shared {
		kind := NodeIP
		if l.Kind == indicator.Session {
			kind = NodeSession
		}
		if n := g.nodes[nodeID(kind, l.Value)]; n != nil {
			n.Shared = true
			n.Detail = strings.TrimSpace(fmt.Sprintf("%s · shared by %d users", n.Detail, l.Users))
		}
	}
	r.markCited(g, rep.Deviations)
	return g.cut(r.indicatorNode(), r.opts.GraphNodes)
}

// linkEvent adds the edges one event makes, creating the node of an acting
// user the scope did not meet (an administrator acting on a report's user).
func (r *run) linkEvent(g *graphBuilder, e *logevent.Event) {
	user := ""
	if a, ok := e.ActingUser(); ok {
		n := g.node(NodeUser, a.Key(), userName(a.AlternateID, a.ID))
		if r.users[a.Key()] == nil {
			n.Detail = a.DisplayName
			n.Events++
		}
		user = n.ID
	}
	session, ip := "", ""
	if s := sessionID(e); s != "" {
		session = nodeID(NodeSession, s)
	}
	if a := e.ClientIP(); a != "" {
		ip = nodeID(NodeIP, a)
	}
	g.link(user, session, EdgeIn, 1)
	owner := cmp.Or(session, user)
	g.link(owner, ip, EdgeFrom, 1)
	if d := e.Device; d != nil && (d.ID != "" || d.Name != "") {
		g.link(owner, nodeID(NodeDevice, deviceKey(d.ID, d.Name)), EdgeUsed, 1)
	}
	for _, t := range e.Target {
		if strings.EqualFold(t.Type, "AppInstance") {
			g.link(owner, nodeID(NodeApp, cmp.Or(t.ID, t.AlternateID, t.DisplayName)), EdgeUsed, 1)
		}
	}
}

// markCited marks the user, session and address of every event a
// deviation cites.
func (r *run) markCited(g *graphBuilder, devs []Deviation) {
	cited := map[string][]timeline.DeviationKind{}
	for _, d := range devs {
		for _, id := range d.UUIDs {
			cited[id] = append(cited[id], d.Kind)
		}
	}
	if len(cited) == 0 {
		return
	}
	mark := func(id string, kinds []timeline.DeviationKind) {
		n := g.nodes[id]
		if n == nil {
			return
		}
		n.Cited = true
		for _, k := range kinds {
			if !slices.Contains(n.Deviations, k) {
				n.Deviations = append(n.Deviations, k)
			}
		}
		slices.SortFunc(n.Deviations, func(a, b timeline.DeviationKind) int {
			return cmp.Compare(slices.Index(timeline.DeviationKinds, a), slices.Index(timeline.DeviationKinds, b))
		})
	}
	for _, e := range r.events {
		kinds := cited[e.UUID]
		if kinds == nil {
			continue
		}
		if a, ok := e.ActingUser(); ok {
			mark(nodeID(NodeUser, a.Key()), kinds)
		}
		mark(nodeID(NodeSession, sessionID(e)), kinds)
		mark(nodeID(NodeIP, e.ClientIP()), kinds)
	}
}

// indicatorNode is the id of the indicator's node.
func (r *run) indicatorNode() string {
	switch r.ind.Kind {
	case indicator.IP:
		return nodeID(NodeIP, r.ind.Value)
	case indicator.Session:
		return nodeID(NodeSession, r.ind.Value)
	}
	for _, key := range r.order { // a user: its id, or its login when the events had no id
		if p := r.users[key]; p.ID == r.ind.Value || (p.ID == "" && p.AlternateID == r.ind.Value) {
			return nodeID(NodeUser, key)
		}
	}
	return nodeID(NodeUser, r.ind.Value)
}

// cut keeps at most limit nodes: the indicator's, the cited ones, then,
// growing from those, the neighbour with the most events each time (so
// the graph kept hangs together), then any other by events. Each kind's
// nodes left out become one node that stands for them, linked to the kept
// nodes they were linked to.
func (g *graphBuilder) cut(indicatorID string, limit int) Graph {
	if n := g.nodes[indicatorID]; n != nil {
		n.Indicator = true
	}
	kept := map[string]bool{}
	front := &nodeHeap{}
	keep := func(id string) {
		if kept[id] || len(kept) >= limit {
			return
		}
		kept[id] = true
		for _, next := range g.adj[id] {
			if !kept[next] {
				heap.Push(front, g.nodes[next])
			}
		}
	}
	keep(indicatorID)
	cited := slices.DeleteFunc(g.sorted(), func(n *GraphNode) bool { return !n.Cited })
	for _, n := range cited {
		keep(n.ID)
	}
	rest := g.sorted()
	for len(kept) < limit && len(kept) < len(g.nodes) {
		if front.Len() > 0 {
			keep(heap.Pop(front).(*GraphNode).ID)
			continue
		}
		for len(rest) > 0 && kept[rest[0].ID] { // another component: its biggest node
			rest = rest[1:]
		}
		if len(rest) == 0 {
			break
		}
		keep(rest[0].ID)
	}
	return g.assemble(kept)
}

// sorted returns the nodes, most events first, ties by id.
func (g *graphBuilder) sorted() []*GraphNode {
	out := make([]*GraphNode, 0, len(g.nodes))
	for _, id := range g.order {
		out = append(out, g.nodes[id])
	}
	slices.SortFunc(out, byEvents)
	return out
}

func byEvents(a, b *GraphNode) int {
	return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.ID, b.ID))
}

// assemble lists the kept nodes and their edges, and one node per kind for
// the nodes left out, linked to the kept nodes they were linked to.
func (g *graphBuilder) assemble(kept map[string]bool) Graph {
	var out Graph
	more := map[NodeKind]*GraphNode{}
	for _, id := range g.order {
		n := g.nodes[id]
		if kept[id] {
			out.Nodes = append(out.Nodes, *n)
			continue
		}
		m := more[n.Kind]
		if m == nil {
			m = &GraphNode{ID: "more:" + string(n.Kind), Kind: n.Kind}
			more[n.Kind] = m
		}
		m.More++
		m.Events += n.Events
	}
	kindRank := func(k NodeKind) int { return slices.Index(nodeKinds, k) }
	slices.SortFunc(out.Nodes, func(a, b GraphNode) int {
		if a.Indicator != b.Indicator {
			if a.Indicator {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), byEvents(&a, &b))
	})
	for _, k := range nodeKinds {
		if m := more[k]; m != nil {
			m.Label = fmt.Sprintf("… and %d more %s", m.More, plural(m.More, kindNoun[k]))
			out.Nodes = append(out.Nodes, *m)
		}
	}
	moreEdges := map[[2]string]*GraphEdge{}
	for _, e := range g.edges {
		s, t := e.Source, e.Target
		switch {
		case kept[s] && kept[t]:
			out.Edges = append(out.Edges, *e)
			continue
		case kept[s]:
			t = "more:" + string(g.nodes[t].Kind)
		case kept[t]:
			s = "more:" + string(g.nodes[s].Kind)
		default:
			continue
		}
		key := [2]string{s, t}
		if m := moreEdges[key]; m != nil {
			m.Events += e.Events
		} else {
			moreEdges[key] = &GraphEdge{Source: s, Target: t, Kind: e.Kind, Events: e.Events}
		}
	}
	for _, e := range moreEdges {
		out.Edges = append(out.Edges, *e)
	}
	slices.SortFunc(out.Edges, func(a, b GraphEdge) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target))
	})
	return out
}

// kindNoun names one node of each kind, for "… and N more".
var kindNoun = map[NodeKind][2]string{
	NodeUser: {"user", "users"}, NodeIP: {"IP address", "IP addresses"}, NodeSession: {"session", "sessions"},
	NodeDevice: {"device", "devices"}, NodeApp: {"app", "apps"},
}

func plural(n int, forms [2]string) string {
	if n == 1 {
		return forms[0]
	}
	return forms[1]
}

// deviceKey tells devices apart as the report's summary does.
func deviceKey(id, name string) string { return cmp.Or(id, name) }

// ipDetail is an address's place and network.
func ipDetail(ip IPSummary) string {
	var parts []string
	if place := strings.Join(nonEmpty(ip.City, ip.Country), ", "); place != "" {
		parts = append(parts, place)
	}
	switch {
	case ip.ASN != 0:
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("AS%d %s", ip.ASN, ip.ASOrg)))
	case ip.ASOrg != "":
		parts = append(parts, ip.ASOrg)
	}
	if ip.IsProxy {
		parts = append(parts, "proxy")
	}
	return strings.Join(parts, " · ")
}

func nonEmpty(s ...string) []string {
	return slices.DeleteFunc(s, func(x string) bool { return x == "" })
}

// nodeHeap orders the frontier of the kept graph: most events first.
type nodeHeap []*GraphNode

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return byEvents(h[i], h[j]) < 0 }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(*GraphNode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}
