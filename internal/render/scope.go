package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/oktascope/oktascope/internal/scope"
)

// WriteScope writes a scope report in format f, one of ScopeFormats: Text
// for a terminal, JSON (docs/scope.md), Markdown or HTML. Every format
// shows the same sections.
func WriteScope(w io.Writer, f Format, r *scope.Report, opts Options) error {
	switch f {
	case JSON:
		return writeIndentedJSON(w, scopeJSONOf(r))
	case MD:
		return writeScopeMarkdown(w, r)
	case HTML:
		return writeScopeHTML(w, r)
	case Text:
		return writeScopeText(w, r, opts.Width)
	}
	return fmt.Errorf("a scope report is not written as %s", f)
}

// section is one part of a report, in a form every output renders: a table
// (Header and Rows) or a list of items (Items), and the number of rows or
// items left out (More, by CutScope). Cells hold raw event text; each
// output escapes it.
type section struct {
	Title  string
	Header []string
	Rows   [][]string
	Items  []item
	More   int
}

// item is one entry of a list section: a title, a text and the events it
// cites.
type item struct {
	Title, Text string
	UUIDs       []string
}

// scopeSummary is the first line of a report.
func scopeSummary(r *scope.Report) string {
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

// scopeSections returns the report's sections, in order, each list cut by
// CutScope; more tells whether any was.
func scopeSections(full *scope.Report) (sections []section, more bool) {
	r, m := CutScope(full)
	with := func(s section, n int) section {
		s.More = n
		return s
	}
	sections = []section{with(usersSection(r), m.Users), with(relatedSection(r), m.Related), with(sharedSection(r), m.Shared),
		with(sessionsSection(r), m.Sessions), with(transactionsSection(r), m.Transactions), with(ipsSection(r), m.IPs),
		with(agentsSection(r), m.UserAgents), with(devicesSection(r), m.Devices), with(appsSection(r), m.Apps),
		with(countSection("Event types", "event type", r.EventTypes), m.EventTypes), with(countSection("Outcomes", "outcome", r.Outcomes), m.Outcomes),
		with(deviationsSection(r), m.Deviations), with(queriesSection(r), m.Queries)}
	for i := range sections {
		sections[i] = clipSection(sections[i])
	}
	return sections, m.Any()
}

// scopeCellBytes is the most bytes of one cell or item a report shows, as
// on the web UI's pages: a query of 500 sessions is 40 KB, and an office
// address's users are thousands of logins. The JSON holds them whole.
const scopeCellBytes = 2 << 10

// clipSection clips each cell and item of a section to scopeCellBytes.
func clipSection(s section) section {
	for _, row := range s.Rows {
		for j := range row {
			row[j] = Clip(row[j], scopeCellBytes)
		}
	}
	for k := range s.Items {
		it := &s.Items[k]
		it.Title, it.Text = Clip(it.Title, scopeCellBytes), Clip(it.Text, scopeCellBytes)
	}
	return s
}

// scopeCutNote is the note of a report whose lists were cut: where to find
// the rest.
var scopeCutNote = fmt.Sprintf("Long lists show %d rows: the indicator's and those cited by a deviation, then those with the most events; scope --format json lists them all.", ScopeRows)

// scopeMoreText is the line under a list CutScope cut.
func scopeMoreText(n int) string {
	return fmt.Sprintf("… and %d more (scope --format json lists them all)", n)
}

func usersSection(r *scope.Report) section {
	s := section{Title: "Users", Header: []string{"user", "id", "events"}}
	for _, u := range r.Users {
		s.Rows = append(s.Rows, []string{personText(u), u.ID, strconv.Itoa(u.Events)})
	}
	return s
}

func relatedSection(r *scope.Report) section {
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

func sessionsSection(r *scope.Report) section {
	s := section{Title: "Sessions", Header: []string{"session", "users", "first", "last", "events", "IP addresses", "user agents"}}
	for _, x := range r.Sessions {
		s.Rows = append(s.Rows, []string{x.ID, strings.Join(x.Users, ", "), stamp(x.First), stamp(x.Last),
			strconv.Itoa(x.Events), strings.Join(x.IPs, ", "), strconv.Itoa(len(x.UserAgents))})
	}
	return s
}

func transactionsSection(r *scope.Report) section {
	s := section{Title: "API transactions (requests outside any session)", Header: []string{"transaction", "users", "first", "last", "events"}}
	for _, x := range r.Transactions {
		s.Rows = append(s.Rows, []string{x.ID, strings.Join(x.Users, ", "), stamp(x.First), stamp(x.Last), strconv.Itoa(x.Events)})
	}
	return s
}

func ipsSection(r *scope.Report) section {
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

func agentsSection(r *scope.Report) section {
	s := section{Title: "User agents", Header: []string{"events", "user agent", "OS", "browser", "device"}}
	for _, x := range r.UserAgents {
		s.Rows = append(s.Rows, []string{strconv.Itoa(x.Events), x.Raw, x.OS, x.Browser, x.Device})
	}
	return s
}

func sharedSection(r *scope.Report) section {
	s := section{Title: "Shared addresses and sessions (not followed through)", Header: []string{"link", "users"}}
	for _, l := range r.Shared {
		s.Rows = append(s.Rows, []string{string(l.Kind) + " " + l.Value, strconv.Itoa(l.Users)})
	}
	return s
}

func devicesSection(r *scope.Report) section {
	s := section{Title: "Devices", Header: []string{"device", "name", "platform", "managed", "registered", "events"}}
	for _, x := range r.Devices {
		s.Rows = append(s.Rows, []string{x.ID, x.Name, joinNonEmpty(" ", x.Platform, x.OSVersion),
			yesNo(x.Managed), yesNo(x.Registered), strconv.Itoa(x.Events)})
	}
	return s
}

func appsSection(r *scope.Report) section {
	s := section{Title: "Apps", Header: []string{"app", "id", "events", "granted", "denied"}}
	for _, x := range r.Apps {
		s.Rows = append(s.Rows, []string{joinNonEmpty(" ", x.Name, wrap("(", x.AlternateID, ")")), x.ID,
			strconv.Itoa(x.Events), strconv.Itoa(x.Granted), strconv.Itoa(x.Denied)})
	}
	return s
}

func countSection(title, what string, counts []scope.Count) section {
	s := section{Title: title, Header: []string{"events", what}}
	for _, c := range counts {
		s.Rows = append(s.Rows, []string{strconv.Itoa(c.Count), c.Value})
	}
	return s
}

func deviationsSection(r *scope.Report) section {
	s := section{Title: "Deviations"}
	for _, d := range r.Deviations {
		where := joinNonEmpty(", ", string(d.FlowKind)+" flow", d.User, wrap("session ", d.Session, ""))
		s.Items = append(s.Items, item{Title: string(d.Kind) + " (" + where + ")", Text: d.Message, UUIDs: d.UUIDs})
	}
	return s
}

func queriesSection(r *scope.Report) section {
	s := section{Title: "Queries"}
	for _, q := range r.Queries {
		s.Items = append(s.Items, item{Text: q})
	}
	return s
}

// personText is "Display Name <login>", with the parts present.
func personText(u scope.UserSummary) string {
	return joinNonEmpty(" ", u.DisplayName, wrap("<", u.AlternateID, ">"))
}

// empty reports whether a section has nothing to show.
func (s section) empty() bool { return len(s.Rows) == 0 && len(s.Items) == 0 }

// writeScopeText writes the report for a terminal: a summary line, then
// each section as aligned columns (lines cut at width; 0 means no limit).
func writeScopeText(w io.Writer, r *scope.Report, width int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, cut(Terminal(scopeSummary(r)), width))
	sections, _ := scopeSections(r)
	for _, s := range sections {
		fmt.Fprintln(bw)
		writeTextSection(bw, s, width)
	}
	return bw.Flush()
}

func writeTextSection(w io.Writer, s section, width int) {
	fmt.Fprintln(w, strings.ToUpper(s.Title))
	if s.empty() {
		fmt.Fprintln(w, "  none")
		return
	}
	for _, it := range s.Items {
		text := Terminal(it.Text)
		if it.Title != "" {
			text = Terminal(it.Title) + ": " + text
		}
		writeWrapped(w, "  ", text, width)
		if len(it.UUIDs) > 0 {
			writeWrapped(w, "    events: ", strings.Join(escAll(it.UUIDs), ", "), width)
		}
	}
	if len(s.Rows) > 0 {
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  "+strings.Join(s.Header, "\t"))
		for _, row := range s.Rows {
			fmt.Fprintln(tw, "  "+strings.Join(escAll(row), "\t"))
		}
		tw.Flush()
		writeCut(w, buf.String(), width)
	}
	if s.More > 0 {
		fmt.Fprintln(w, cut("  "+scopeMoreText(s.More), width))
	}
}
