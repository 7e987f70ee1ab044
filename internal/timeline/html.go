package timeline

import (
	"html/template"
	"io"
	"strconv"
	"strings"
)

// WriteHTML writes the timeline as one self-contained HTML page: inline CSS,
// no script, no external resource, a Content-Security-Policy that forbids
// both, and every event field escaped by html/template (control and bidi
// characters are shown escaped too, as render.Terminal does).
func (t Timeline) WriteHTML(w io.Writer) error {
	return htmlPage.Execute(w, t.htmlView())
}

type htmlView struct {
	Options    Options
	Flows      []htmlFlow
	Deviations int
}

type htmlFlow struct {
	Kind, Session, Actor, Login, UserID, Start, End string
	Complete                                        bool
	Steps                                           []htmlStep
	Deviations                                      []Deviation
}

type htmlStep struct {
	UUID, Time, Label, Description, EventType, Outcome, Reason string
	IP, Place, Network, UserAgent, Message                     string
	Failed, Flagged                                            bool
}

func (t Timeline) htmlView() htmlView {
	v := htmlView{Options: t.Options}
	for _, f := range t.Flows {
		v.Deviations += len(f.Deviations)
		v.Flows = append(v.Flows, htmlFlowOf(f))
	}
	return v
}

func htmlFlowOf(f Flow) htmlFlow {
	flagged := map[string]bool{}
	for _, d := range f.Deviations {
		for _, id := range d.UUIDs {
			flagged[id] = true
		}
	}
	hf := htmlFlow{
		Kind: string(f.Kind), Session: esc(f.Session), Actor: esc(f.Actor.DisplayName),
		Login: esc(f.Actor.AlternateID), UserID: esc(f.Actor.ID),
		Start: stamp(f.Start), End: stamp(f.End), Complete: f.Complete,
	}
	for _, d := range f.Deviations {
		hf.Deviations = append(hf.Deviations, Deviation{Kind: d.Kind, Message: esc(d.Message), UUIDs: escAll(d.UUIDs)})
	}
	for _, s := range f.Steps {
		e := s.Event
		hf.Steps = append(hf.Steps, htmlStep{
			UUID: esc(e.UUID), Time: stamp(e.Time), Label: s.Label, Description: s.Description,
			EventType: esc(e.EventType), Outcome: esc(e.Outcome.Result), Reason: esc(e.Outcome.Reason),
			IP: esc(clientIP(e)), Place: esc(place(e)), Network: esc(network(asn(e), e.SecurityContext.AsOrg)),
			UserAgent: esc(e.Client.UserAgent.RawUserAgent), Message: esc(e.DisplayMessage),
			Failed: failed(e), Flagged: flagged[e.UUID],
		})
	}
	return hf
}

func network(asn, org string) string {
	if asn == "" {
		return org
	}
	return strings.TrimSpace("AS" + asn + " " + org)
}

var htmlPage = template.Must(template.New("timeline").Funcs(template.FuncMap{
	"inc":      func(i int) string { return strconv.Itoa(i + 1) },
	"duration": duration,
}).Parse(htmlTemplate))

const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>oktascope timeline</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}
h1{font-size:1.4em}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.6em 1em}
section.dev{border-left:5px solid #c0392b}
h2{font-size:1.05em;margin:.2em 0}
.kind{text-transform:uppercase;font-weight:700;margin-right:.5em}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}
th{font-size:.85em;color:#555}
td.ua,td.msg{font-size:.85em;color:#444;word-break:break-all}
tr.failed td.outcome{color:#c0392b;font-weight:700}
tr.flagged{background:#fff4e5}
code{font-size:.9em}
ul.devs{margin:.4em 0;padding-left:1.2em}
ul.devs li{margin:.3em 0}
.devkind{font-weight:700;color:#c0392b}
.ok{color:#2e7d32}.no{color:#c0392b}
</style>
</head>
<body>
<h1>oktascope timeline</h1>
<p class="meta">{{len .Flows}} flow(s), {{.Deviations}} deviation(s).
Thresholds: fatigue {{.Options.FatigueCount}} challenges within {{duration .Options.FatigueWindow}};
recovery window {{duration .Options.RecoveryWindow}}; join window {{duration .Options.JoinWindow}}.</p>
{{range $i, $f := .Flows}}
<section class="flow{{if $f.Deviations}} dev{{end}}" id="flow-{{inc $i}}">
<h2><span class="kind">{{$f.Kind}}</span>{{if $f.Actor}}{{$f.Actor}} {{end}}{{if $f.Login}}&lt;{{$f.Login}}&gt; {{end}}{{if $f.UserID}}<code>{{$f.UserID}}</code>{{end}}</h2>
<p class="meta">{{if $f.Session}}session <code>{{$f.Session}}</code> · {{end}}{{$f.Start}} → {{$f.End}} ·
{{if $f.Complete}}<span class="ok">complete</span>{{else}}<span class="no">not complete</span>{{end}}</p>
{{if $f.Deviations}}<ul class="devs">{{range $f.Deviations}}
<li><span class="devkind">{{.Kind}}</span>: {{.Message}}<br><span class="meta">events:{{range .UUIDs}} <a href="#ev-{{.}}"><code>{{.}}</code></a>{{end}}</span></li>{{end}}
</ul>{{end}}
<table>
<thead><tr><th>time</th><th>step</th><th>event</th><th>outcome</th><th>IP</th><th>place</th><th>network</th><th>user agent</th><th>message</th></tr></thead>
<tbody>{{range $f.Steps}}
<tr id="ev-{{.UUID}}" class="{{if .Failed}}failed {{end}}{{if .Flagged}}flagged{{end}}" title="{{.UUID}}">
<td>{{.Time}}</td><td title="{{.Description}}">{{.Label}}</td><td><code>{{.EventType}}</code></td>
<td class="outcome">{{.Outcome}}{{if .Reason}} <span class="meta">({{.Reason}})</span>{{end}}</td>
<td>{{.IP}}</td><td>{{.Place}}</td><td>{{.Network}}</td><td class="ua">{{.UserAgent}}</td><td class="msg">{{.Message}}</td>
</tr>{{end}}
</tbody>
</table>
</section>
{{else}}
<p>No events.</p>
{{end}}
</body>
</html>
`
