package render

import (
	"cmp"
	"slices"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// ScopeRows is the most rows a list of a scope report shows in the
// terminal, in the Markdown and HTML reports and on the web UI's scope
// page: a busy user's scope has thousands of sessions and related users,
// more than anyone reads, and listing them all made its page megabytes.
// The JSON (scope --format json, /api/scope) lists them all.
const ScopeRows = 30

// ScopeMore counts, for each list of a scope report, the rows CutScope
// left out.
type ScopeMore struct {
	Users, Related, Shared, Sessions, Transactions, IPs, UserAgents, Devices, Apps int
	EventTypes, Outcomes, Deviations, Queries                                      int
}

// Any reports whether any list was cut.
func (m ScopeMore) Any() bool { return m != ScopeMore{} }

// CutScope returns a copy of r whose lists hold at most ScopeRows rows
// each, and how many rows each list left out. The rows kept are the
// indicator's and those the report's graph marks as cited by a deviation
// (so at most scope.Options.GraphNodes rows in all over ScopeRows a list),
// then the others with the most events (shared links: the most users;
// deviations: the most severe kind, the order of timeline.DeviationKinds
// reversed), ties to the earlier; they stay in the list's own order. The
// summary fields and the graph are r's. Every writer of a page or a
// terminal (text, md, html, the web UI) shows a scope through it: one rule.
func CutScope(r *scope.Report) (*scope.Report, ScopeMore) {
	marked := markedNodes(r)
	isMarked := func(kind scope.NodeKind, value string) bool { return marked[kind][value] }
	ind := r.Indicator
	isUser := func(u scope.UserSummary) bool {
		return isMarked(scope.NodeUser, cmp.Or(u.ID, u.AlternateID)) ||
			(ind.Kind == indicator.User && ind.Value != "" && (u.ID == ind.Value || u.AlternateID == ind.Value))
	}
	userEvents := func(u scope.UserSummary) int { return u.Events }

	c, m := *r, ScopeMore{}
	c.Users, m.Users = cutList(r.Users, userEvents, isUser)
	c.Related, m.Related = cutList(r.Related, userEvents, isUser)
	c.Shared, m.Shared = cutList(r.Shared, func(l scope.SharedLink) int { return l.Users }, func(l scope.SharedLink) bool {
		return l.Link == ind || isMarked(linkNode(l.Kind), l.Value)
	})
	c.Sessions, m.Sessions = cutList(r.Sessions, func(s scope.SessionSummary) int { return s.Events }, func(s scope.SessionSummary) bool {
		return isMarked(scope.NodeSession, s.ID) || (ind.Kind == indicator.Session && s.ID == ind.Value)
	})
	c.Transactions, m.Transactions = cutList(r.Transactions, func(x scope.TransactionSummary) int { return x.Events }, nil)
	c.IPs, m.IPs = cutList(r.IPs, func(x scope.IPSummary) int { return x.Events }, func(x scope.IPSummary) bool {
		return isMarked(scope.NodeIP, x.Address) || (ind.Kind == indicator.IP && x.Address == ind.Value)
	})
	c.UserAgents, m.UserAgents = cutList(r.UserAgents, func(x scope.UserAgentSummary) int { return x.Events }, nil)
	c.Devices, m.Devices = cutList(r.Devices, func(x scope.DeviceSummary) int { return x.Events }, nil)
	c.Apps, m.Apps = cutList(r.Apps, func(x scope.AppSummary) int { return x.Events }, nil)
	count := func(x scope.Count) int { return x.Count }
	c.EventTypes, m.EventTypes = cutList(r.EventTypes, count, nil)
	c.Outcomes, m.Outcomes = cutList(r.Outcomes, count, nil)
	c.Deviations, m.Deviations = cutList(r.Deviations, func(d scope.Deviation) int {
		return slices.Index(timeline.DeviationKinds, d.Kind)
	}, nil)
	c.Queries, m.Queries = cutList(r.Queries, nil, nil)
	return &c, m
}

// markedNodes are the values of the graph's nodes that stand for
// themselves and are the indicator or cited by a deviation, by kind.
func markedNodes(r *scope.Report) map[scope.NodeKind]map[string]bool {
	out := map[scope.NodeKind]map[string]bool{}
	for _, n := range r.Graph.Nodes {
		if n.More > 0 || !(n.Indicator || n.Cited) {
			continue
		}
		if out[n.Kind] == nil {
			out[n.Kind] = map[string]bool{}
		}
		out[n.Kind][n.Value] = true
	}
	return out
}

// linkNode is the kind of graph node of a link's kind.
func linkNode(k indicator.Kind) scope.NodeKind {
	if k == indicator.Session {
		return scope.NodeSession
	}
	return scope.NodeIP
}

// cutList keeps at most ScopeRows of rows, in their order: every pinned
// row, then the heaviest of the others (ties to the earlier). It returns
// rows itself when they are few enough, and how many rows it left out.
// weight and pinned may be nil (no row is heavier, none is pinned).
func cutList[T any](rows []T, weight func(T) int, pinned func(T) bool) ([]T, int) {
	if len(rows) <= ScopeRows {
		return rows, 0
	}
	type rank struct {
		i, weight int
		pinned    bool
	}
	ranks := make([]rank, len(rows))
	for i, row := range rows {
		ranks[i].i = i
		if weight != nil {
			ranks[i].weight = weight(row)
		}
		if pinned != nil {
			ranks[i].pinned = pinned(row)
		}
	}
	slices.SortStableFunc(ranks, func(a, b rank) int {
		if a.pinned != b.pinned {
			if a.pinned {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.weight, a.weight)
	})
	n := ScopeRows
	for n < len(ranks) && ranks[n].pinned {
		n++
	}
	kept := ranks[:n]
	slices.SortFunc(kept, func(a, b rank) int { return cmp.Compare(a.i, b.i) })
	out := make([]T, len(kept))
	for k, r := range kept {
		out[k] = rows[r.i]
	}
	return out, len(rows) - n
}
