package scope

import (
	"encoding/json"
	"io"
	"time"

	"github.com/oktascope/oktascope/internal/timeline"
)

// The JSON form of a report (docs/scope.md).
type jsonReport struct {
	Indicator    jsonIndicator   `json:"indicator"`
	Depth        int             `json:"depth"`
	Events       int             `json:"events"`
	FirstSeen    string          `json:"firstSeen"`
	LastSeen     string          `json:"lastSeen"`
	Users        []jsonUser      `json:"users"`
	RelatedUsers []jsonUser      `json:"relatedUsers"`
	NotFollowed  int             `json:"notFollowed"`
	CappedAt     int             `json:"cappedAt"`
	SharedLinks  []jsonShared    `json:"sharedLinks"`
	Sessions     []jsonSession   `json:"sessions"`
	IPs          []jsonIP        `json:"ips"`
	UserAgents   []jsonAgent     `json:"userAgents"`
	Devices      []jsonDevice    `json:"devices"`
	Apps         []jsonApp       `json:"apps"`
	EventTypes   []jsonCount     `json:"eventTypes"`
	Outcomes     []jsonCount     `json:"outcomes"`
	Deviations   []jsonDeviation `json:"deviations"`
	Queries      []string        `json:"queries"`
}

type jsonShared struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	Users int    `json:"users"`
}

type jsonIndicator struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

type jsonUser struct {
	ID          string          `json:"id"`
	AlternateID string          `json:"alternateId"`
	DisplayName string          `json:"displayName"`
	Depth       int             `json:"depth"`
	Followed    bool            `json:"followed"`
	Events      int             `json:"events"`
	Via         []jsonIndicator `json:"via"`
}

type jsonSession struct {
	ID         string   `json:"id"`
	Users      []string `json:"users"`
	First      string   `json:"first"`
	Last       string   `json:"last"`
	Events     int      `json:"events"`
	IPs        []string `json:"ips"`
	UserAgents []string `json:"userAgents"`
}

type jsonIP struct {
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

type jsonAgent struct {
	Raw     string `json:"raw"`
	OS      string `json:"os"`
	Browser string `json:"browser"`
	Device  string `json:"device"`
	Events  int    `json:"events"`
}

type jsonDevice struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Platform   string `json:"platform"`
	OSVersion  string `json:"osVersion"`
	Managed    bool   `json:"managed"`
	Registered bool   `json:"registered"`
	Events     int    `json:"events"`
}

type jsonApp struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	AlternateID string `json:"alternateId"`
	Events      int    `json:"events"`
	Granted     int    `json:"granted"`
	Denied      int    `json:"denied"`
}

type jsonCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type jsonDeviation struct {
	Kind     timeline.DeviationKind `json:"kind"`
	Message  string                 `json:"message"`
	UUIDs    []string               `json:"uuids"`
	FlowKind timeline.Kind          `json:"flowKind"`
	Session  string                 `json:"session"`
	User     string                 `json:"user"`
}

// MarshalJSON encodes the report in the schema of docs/scope.md.
func (r *Report) MarshalJSON() ([]byte, error) { return json.Marshal(r.jsonForm()) }

// WriteJSON writes the report as indented JSON (see MarshalJSON).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.jsonForm())
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// orEmpty makes a nil slice an empty one, so that JSON has [] and not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (r *Report) jsonForm() jsonReport {
	return jsonReport{
		Indicator: jsonIndicator{r.Indicator.Kind, r.Indicator.Value},
		Depth:     r.Depth, Events: r.Events, FirstSeen: stamp(r.FirstSeen), LastSeen: stamp(r.LastSeen),
		Users: jsonUsers(r.Users), RelatedUsers: jsonUsers(r.Related), NotFollowed: r.NotFollowed, CappedAt: r.CappedAt,
		SharedLinks: jsonSharedLinks(r.Shared),
		Sessions:    jsonSessions(r.Sessions), IPs: jsonIPs(r.IPs), UserAgents: jsonAgents(r.UserAgents),
		Devices: jsonDevices(r.Devices), Apps: jsonApps(r.Apps),
		EventTypes: jsonCounts(r.EventTypes), Outcomes: jsonCounts(r.Outcomes),
		Deviations: jsonDeviations(r.Deviations), Queries: orEmpty(r.Queries),
	}
}

func jsonUsers(users []UserSummary) []jsonUser {
	out := []jsonUser{}
	for _, u := range users {
		via := []jsonIndicator{}
		for _, l := range u.Via {
			via = append(via, jsonIndicator{l.Kind, l.Value})
		}
		out = append(out, jsonUser{u.ID, u.AlternateID, u.DisplayName, u.Depth, u.Followed, u.Events, via})
	}
	return out
}

func jsonSessions(sessions []SessionSummary) []jsonSession {
	out := []jsonSession{}
	for _, s := range sessions {
		out = append(out, jsonSession{s.ID, orEmpty(s.Users), stamp(s.First), stamp(s.Last), s.Events, orEmpty(s.IPs), orEmpty(s.UserAgents)})
	}
	return out
}

func jsonIPs(ips []IPSummary) []jsonIP {
	out := []jsonIP{}
	for _, ip := range ips {
		out = append(out, jsonIP{ip.Address, ip.City, ip.State, ip.Country, ip.ASN, ip.ASOrg, ip.ISP, ip.Domain,
			ip.IsProxy, ip.Zone, ip.Events, stamp(ip.First), stamp(ip.Last), orEmpty(ip.Users)})
	}
	return out
}

func jsonAgents(agents []UserAgentSummary) []jsonAgent {
	out := []jsonAgent{}
	for _, a := range agents {
		out = append(out, jsonAgent{a.Raw, a.OS, a.Browser, a.Device, a.Events})
	}
	return out
}

func jsonDevices(devices []DeviceSummary) []jsonDevice {
	out := []jsonDevice{}
	for _, d := range devices {
		out = append(out, jsonDevice{d.ID, d.Name, d.Platform, d.OSVersion, d.Managed, d.Registered, d.Events})
	}
	return out
}

func jsonApps(apps []AppSummary) []jsonApp {
	out := []jsonApp{}
	for _, a := range apps {
		out = append(out, jsonApp{a.ID, a.Name, a.AlternateID, a.Events, a.Granted, a.Denied})
	}
	return out
}

func jsonCounts(counts []Count) []jsonCount {
	out := []jsonCount{}
	for _, c := range counts {
		out = append(out, jsonCount{c.Value, c.Count})
	}
	return out
}

func jsonDeviations(devs []Deviation) []jsonDeviation {
	out := []jsonDeviation{}
	for _, d := range devs {
		out = append(out, jsonDeviation{d.Kind, d.Message, orEmpty(d.UUIDs), d.FlowKind, d.Session, d.User})
	}
	return out
}

func jsonSharedLinks(links []SharedLink) []jsonShared {
	out := make([]jsonShared, len(links))
	for i, l := range links {
		out[i] = jsonShared{l.Kind, l.Value, l.Users}
	}
	return out
}
