package render

import (
	"encoding/json"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// The JSON form of a scope report (docs/scope.md). Times are RFC 3339 in
// UTC with milliseconds, "" when absent; arrays are never null.
type scopeJSON struct {
	Indicator    indicatorJSON        `json:"indicator"`
	Depth        int                  `json:"depth"`
	Events       int                  `json:"events"`
	FirstSeen    string               `json:"firstSeen"`
	LastSeen     string               `json:"lastSeen"`
	Users        []scopeUserJSON      `json:"users"`
	RelatedUsers []scopeUserJSON      `json:"relatedUsers"`
	NotFollowed  int                  `json:"notFollowed"`
	CappedAt     int                  `json:"cappedAt"`
	SharedLinks  []sharedLinkJSON     `json:"sharedLinks"`
	Sessions     []sessionJSON        `json:"sessions"`
	Transactions []transactionJSON    `json:"transactions"`
	IPs          []ipJSON             `json:"ips"`
	UserAgents   []userAgentJSON      `json:"userAgents"`
	Devices      []deviceJSON         `json:"devices"`
	Apps         []appJSON            `json:"apps"`
	EventTypes   []countJSON          `json:"eventTypes"`
	Outcomes     []countJSON          `json:"outcomes"`
	Deviations   []scopeDeviationJSON `json:"deviations"`
	Queries      []string             `json:"queries"`
	Graph        graphJSON            `json:"graph"`
}

// graphJSON is the report's graph (scope.Graph), for tools that draw it.
type graphJSON struct {
	Nodes []graphNodeJSON `json:"nodes"`
	Edges []graphEdgeJSON `json:"edges"`
}

type graphNodeJSON struct {
	ID        string         `json:"id"`
	Kind      scope.NodeKind `json:"kind"`
	Label     string         `json:"label"`
	Value     string         `json:"value"`
	Detail    string         `json:"detail"`
	Events    int            `json:"events"`
	Indicator bool           `json:"indicator"`
	Cited     bool           `json:"cited"`
	// Deviations are the kinds of the deviations citing the node.
	Deviations []timeline.DeviationKind `json:"deviations"`
	Shared     bool                     `json:"shared"`
	More       int                      `json:"more"`
}

type graphEdgeJSON struct {
	Source string         `json:"source"`
	Target string         `json:"target"`
	Kind   scope.EdgeKind `json:"kind"`
	Events int            `json:"events"`
}

type sharedLinkJSON struct {
	Kind  indicator.Kind `json:"kind"`
	Value string         `json:"value"`
	Users int            `json:"users"`
}

type scopeUserJSON struct {
	ID          string          `json:"id"`
	AlternateID string          `json:"alternateId"`
	DisplayName string          `json:"displayName"`
	Depth       int             `json:"depth"`
	Followed    bool            `json:"followed"`
	Events      int             `json:"events"`
	Via         []indicatorJSON `json:"via"`
}

type sessionJSON struct {
	ID         string   `json:"id"`
	Users      []string `json:"users"`
	First      string   `json:"first"`
	Last       string   `json:"last"`
	Events     int      `json:"events"`
	IPs        []string `json:"ips"`
	UserAgents []string `json:"userAgents"`
}

type transactionJSON struct {
	ID     string   `json:"id"`
	Users  []string `json:"users"`
	First  string   `json:"first"`
	Last   string   `json:"last"`
	Events int      `json:"events"`
}

type ipJSON struct {
	IP      string   `json:"ip"`
	City    string   `json:"city"`
	State   string   `json:"state"`
	Country string   `json:"country"`
	ASN     int      `json:"asn"`
	ASOrg   string   `json:"asOrg"`
	ISP     string   `json:"isp"`
	Domain  string   `json:"domain"`
	IsProxy bool     `json:"isProxy"`
	Zone    string   `json:"zone"`
	Events  int      `json:"events"`
	First   string   `json:"first"`
	Last    string   `json:"last"`
	Users   []string `json:"users"`
}

type userAgentJSON struct {
	Raw     string `json:"raw"`
	OS      string `json:"os"`
	Browser string `json:"browser"`
	Device  string `json:"device"`
	Events  int    `json:"events"`
}

type deviceJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Platform   string `json:"platform"`
	OSVersion  string `json:"osVersion"`
	Managed    bool   `json:"managed"`
	Registered bool   `json:"registered"`
	Events     int    `json:"events"`
}

type appJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	AlternateID string `json:"alternateId"`
	Events      int    `json:"events"`
	Granted     int    `json:"granted"`
	Denied      int    `json:"denied"`
}

type countJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type scopeDeviationJSON struct {
	Kind     timeline.DeviationKind `json:"kind"`
	Message  string                 `json:"message"`
	UUIDs    []string               `json:"uuids"`
	FlowKind timeline.Kind          `json:"flowKind"`
	Session  string                 `json:"session"`
	User     string                 `json:"user"`
}

// MarshalScope encodes a scope report in its JSON form, compact (for an
// API answer).
func MarshalScope(r *scope.Report) ([]byte, error) { return json.Marshal(scopeJSONOf(r)) }

func scopeJSONOf(r *scope.Report) scopeJSON {
	return scopeJSON{
		Indicator: indicatorJSON{r.Indicator.Kind, r.Indicator.Value},
		Depth:     r.Depth, Events: r.Events, FirstSeen: stamp(r.FirstSeen), LastSeen: stamp(r.LastSeen),
		Users: usersJSON(r.Users), RelatedUsers: usersJSON(r.Related), NotFollowed: r.NotFollowed, CappedAt: r.CappedAt,
		SharedLinks: sharedLinksJSON(r.Shared),
		Sessions:    sessionsJSON(r.Sessions), Transactions: transactionsJSON(r.Transactions),
		IPs: ipsJSON(r.IPs), UserAgents: userAgentsJSON(r.UserAgents),
		Devices: devicesJSON(r.Devices), Apps: appsJSON(r.Apps),
		EventTypes: countsJSON(r.EventTypes), Outcomes: countsJSON(r.Outcomes),
		Deviations: scopeDeviationsJSON(r.Deviations), Queries: orEmpty(r.Queries),
		Graph: graphJSONOf(r.Graph),
	}
}

func graphJSONOf(g scope.Graph) graphJSON {
	out := graphJSON{Nodes: make([]graphNodeJSON, len(g.Nodes)), Edges: make([]graphEdgeJSON, len(g.Edges))}
	for i, n := range g.Nodes {
		out.Nodes[i] = graphNodeJSON{n.ID, n.Kind, n.Label, n.Value, n.Detail, n.Events, n.Indicator, n.Cited, orEmpty(n.Deviations), n.Shared, n.More}
	}
	for i, e := range g.Edges {
		out.Edges[i] = graphEdgeJSON{e.Source, e.Target, e.Kind, e.Events}
	}
	return out
}

func usersJSON(users []scope.UserSummary) []scopeUserJSON {
	out := []scopeUserJSON{}
	for _, u := range users {
		via := []indicatorJSON{}
		for _, l := range u.Via {
			via = append(via, indicatorJSON{l.Kind, l.Value})
		}
		out = append(out, scopeUserJSON{u.ID, u.AlternateID, u.DisplayName, u.Depth, u.Followed, u.Events, via})
	}
	return out
}

func sessionsJSON(sessions []scope.SessionSummary) []sessionJSON {
	out := []sessionJSON{}
	for _, s := range sessions {
		out = append(out, sessionJSON{s.ID, orEmpty(s.Users), stamp(s.First), stamp(s.Last), s.Events, orEmpty(s.IPs), orEmpty(s.UserAgents)})
	}
	return out
}

func transactionsJSON(trans []scope.TransactionSummary) []transactionJSON {
	out := []transactionJSON{}
	for _, x := range trans {
		out = append(out, transactionJSON{x.ID, orEmpty(x.Users), stamp(x.First), stamp(x.Last), x.Events})
	}
	return out
}

func ipsJSON(ips []scope.IPSummary) []ipJSON {
	out := []ipJSON{}
	for _, ip := range ips {
		out = append(out, ipJSON{ip.Address, ip.City, ip.State, ip.Country, ip.ASN, ip.ASOrg, ip.ISP, ip.Domain,
			ip.IsProxy, ip.Zone, ip.Events, stamp(ip.First), stamp(ip.Last), orEmpty(ip.Users)})
	}
	return out
}

func userAgentsJSON(agents []scope.UserAgentSummary) []userAgentJSON {
	out := []userAgentJSON{}
	for _, a := range agents {
		out = append(out, userAgentJSON{a.Raw, a.OS, a.Browser, a.Device, a.Events})
	}
	return out
}

func devicesJSON(devices []scope.DeviceSummary) []deviceJSON {
	out := []deviceJSON{}
	for _, d := range devices {
		out = append(out, deviceJSON{d.ID, d.Name, d.Platform, d.OSVersion, d.Managed, d.Registered, d.Events})
	}
	return out
}

func appsJSON(apps []scope.AppSummary) []appJSON {
	out := []appJSON{}
	for _, a := range apps {
		out = append(out, appJSON{a.ID, a.Name, a.AlternateID, a.Events, a.Granted, a.Denied})
	}
	return out
}

func countsJSON(counts []scope.Count) []countJSON {
	out := []countJSON{}
	for _, c := range counts {
		out = append(out, countJSON{c.Value, c.Count})
	}
	return out
}

func scopeDeviationsJSON(devs []scope.Deviation) []scopeDeviationJSON {
	out := []scopeDeviationJSON{}
	for _, d := range devs {
		out = append(out, scopeDeviationJSON{d.Kind, d.Message, orEmpty(d.UUIDs), d.FlowKind, d.Session, d.User})
	}
	return out
}

func sharedLinksJSON(links []scope.SharedLink) []sharedLinkJSON {
	out := make([]sharedLinkJSON, len(links))
	for i, l := range links {
		out[i] = sharedLinkJSON{l.Kind, l.Value, l.Users}
	}
	return out
}
