package scope

import (
	"fmt"
	"strconv"
	"strings"
)

// section is one part of a report, in a form every output renders: a table
// (Header and Rows) or a list of items (Items). Cells hold raw event text;
// each output escapes it.
type section struct {
	Title  string
	Header []string
	Rows   [][]string
	Items  []item
}

// item is one entry of a list section: a title, a text and the events it
// cites.
type item struct {
	Title, Text string
	UUIDs       []string
}

// summaryLine is the first line of a report.
func (r *Report) summaryLine() string {
	span := "no events"
	if r.Events > 0 {
		span = fmt.Sprintf("%d events, %s → %s", r.Events, stamp(r.FirstSeen), stamp(r.LastSeen))
	}
	line := fmt.Sprintf("Scope of %s %s (depth %d): %s", r.Indicator.Kind, r.Indicator.Value, r.Depth, span)
	if r.CappedAt > 0 {
		line += fmt.Sprintf(" (capped at %d events: the first read, the indicator's oldest first; later events and pivots not read: narrow with --since/--until)", r.CappedAt)
	}
	return line
}

// sections returns the report's sections, in order.
func (r *Report) sections() []section {
	out := []section{r.usersSection(), r.relatedSection(), r.sharedSection(), r.sessionsSection(), r.ipsSection(),
		r.agentsSection(), r.devicesSection(), r.appsSection(),
		countSection("Event types", "event type", r.EventTypes), countSection("Outcomes", "outcome", r.Outcomes),
		r.deviationsSection(), r.queriesSection()}
	return out
}

func (r *Report) usersSection() section {
	s := section{Title: "Users", Header: []string{"user", "id", "events"}}
	for _, u := range r.Users {
		s.Rows = append(s.Rows, []string{personText(u), u.ID, strconv.Itoa(u.Events)})
	}
	return s
}

func (r *Report) relatedSection() section {
	title := "Other users on the same IP addresses or sessions"
	if r.NotFollowed > 0 {
		title += fmt.Sprintf(" (%d not followed: limit reached)", r.NotFollowed)
	}
	s := section{Title: title, Header: []string{"user", "id", "depth", "followed", "events", "via"}}
	for _, u := range r.Related {
		var via []string
		for _, l := range u.Via {
			via = append(via, string(l.Kind)+" "+l.Value)
		}
		s.Rows = append(s.Rows, []string{personText(u), u.ID, strconv.Itoa(u.Depth), yesNo(u.Followed),
			strconv.Itoa(u.Events), strings.Join(via, ", ")})
	}
	return s
}

func (r *Report) sessionsSection() section {
	s := section{Title: "Sessions", Header: []string{"session", "users", "first", "last", "events", "IP addresses", "user agents"}}
	for _, x := range r.Sessions {
		s.Rows = append(s.Rows, []string{x.ID, strings.Join(x.Users, ", "), stamp(x.First), stamp(x.Last),
			strconv.Itoa(x.Events), strings.Join(x.IPs, ", "), strconv.Itoa(len(x.UserAgents))})
	}
	return s
}

func (r *Report) ipsSection() section {
	s := section{Title: "IP addresses", Header: []string{"IP", "place", "ASN", "ISP", "proxy", "zone", "events", "first", "last", "users"}}
	for _, x := range r.IPs {
		asn := ""
		if x.ASN != 0 {
			asn = strings.TrimSpace("AS" + strconv.Itoa(x.ASN) + " " + x.ASOrg)
		}
		s.Rows = append(s.Rows, []string{x.Address, joinNonEmpty(", ", x.City, x.State, x.Country), asn, x.ISP,
			yesNo(x.IsProxy), x.Zone, strconv.Itoa(x.Events), stamp(x.First), stamp(x.Last), strings.Join(x.Users, ", ")})
	}
	return s
}

func (r *Report) agentsSection() section {
	s := section{Title: "User agents", Header: []string{"events", "user agent", "OS", "browser", "device"}}
	for _, x := range r.UserAgents {
		s.Rows = append(s.Rows, []string{strconv.Itoa(x.Events), x.Raw, x.OS, x.Browser, x.Device})
	}
	return s
}

func (r *Report) sharedSection() section {
	s := section{Title: "Shared addresses and sessions (not followed through)", Header: []string{"link", "users"}}
	for _, l := range r.Shared {
		s.Rows = append(s.Rows, []string{string(l.Kind) + " " + l.Value, strconv.Itoa(l.Users)})
	}
	return s
}

func (r *Report) devicesSection() section {
	s := section{Title: "Devices", Header: []string{"device", "name", "platform", "managed", "registered", "events"}}
	for _, x := range r.Devices {
		s.Rows = append(s.Rows, []string{x.ID, x.Name, joinNonEmpty(" ", x.Platform, x.OSVersion),
			yesNo(x.Managed), yesNo(x.Registered), strconv.Itoa(x.Events)})
	}
	return s
}

func (r *Report) appsSection() section {
	s := section{Title: "Apps", Header: []string{"app", "id", "events", "granted", "denied"}}
	for _, x := range r.Apps {
		s.Rows = append(s.Rows, []string{joinNonEmpty(" ", x.Name, paren(x.AlternateID)), x.ID,
			strconv.Itoa(x.Events), strconv.Itoa(x.Granted), strconv.Itoa(x.Denied)})
	}
	return s
}

func countSection(title, what string, counts []Count) section {
	s := section{Title: title, Header: []string{"events", what}}
	for _, c := range counts {
		s.Rows = append(s.Rows, []string{strconv.Itoa(c.Count), c.Value})
	}
	return s
}

func (r *Report) deviationsSection() section {
	s := section{Title: "Deviations"}
	for _, d := range r.Deviations {
		where := joinNonEmpty(", ", string(d.FlowKind)+" flow", d.User, sessionText(d.Session))
		s.Items = append(s.Items, item{Title: string(d.Kind) + " (" + where + ")", Text: d.Message, UUIDs: d.UUIDs})
	}
	return s
}

func (r *Report) queriesSection() section {
	s := section{Title: "Queries"}
	for _, q := range r.Queries {
		s.Items = append(s.Items, item{Text: q})
	}
	return s
}

// personText is "Display Name <login>", with the parts present.
func personText(u UserSummary) string {
	if u.AlternateID == "" {
		return u.DisplayName
	}
	return joinNonEmpty(" ", u.DisplayName, "<"+u.AlternateID+">")
}

func sessionText(id string) string {
	if id == "" {
		return ""
	}
	return "session " + id
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" && p != "null" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// empty reports whether a section has nothing to show.
func (s section) empty() bool { return len(s.Rows) == 0 && len(s.Items) == 0 }
