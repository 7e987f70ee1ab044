package scope

import (
	"html/template"
	"io"
)

// WriteHTML writes the report as one self-contained HTML page: inline CSS,
// no script, a Content-Security-Policy forbidding any other resource, and
// every event field escaped by html/template (control and bidi characters
// shown escaped).
func (r *Report) WriteHTML(w io.Writer) error {
	view := struct {
		Summary  string
		Sections []section
	}{esc(r.summaryLine()), nil}
	for _, s := range r.sections() {
		view.Sections = append(view.Sections, escapeSection(s))
	}
	return page.Execute(w, view)
}

// escapeSection escapes control characters in the cells of a section.
func escapeSection(s section) section {
	out := section{Title: s.Title, Header: s.Header}
	for _, row := range s.Rows {
		out.Rows = append(out.Rows, escAll(row))
	}
	for _, it := range s.Items {
		out.Items = append(out.Items, item{Title: esc(it.Title), Text: esc(it.Text), UUIDs: escAll(it.UUIDs)})
	}
	return out
}

var page = template.Must(template.New("scope").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>oktascope scope</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}
h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top;word-break:break-word}
th{font-size:.85em;color:#555}
li{margin:.35em 0}.meta{color:#555;font-size:.9em}.kind{font-weight:700;color:#c0392b}
code{font-size:.9em}
</style>
</head>
<body>
<h1>{{.Summary}}</h1>
{{range .Sections}}
<h2>{{.Title}}</h2>
{{if .Items}}<ul>{{range .Items}}
<li>{{if .Title}}<span class="kind">{{.Title}}</span>: {{end}}{{.Text}}{{if .UUIDs}}<br><span class="meta">events:{{range .UUIDs}} <code>{{.}}</code>{{end}}</span>{{end}}</li>{{end}}
</ul>{{end}}
{{if .Rows}}<table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}
<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}
</tbody>
</table>{{end}}
{{if not (or .Items .Rows)}}<p class="meta">None.</p>{{end}}
{{end}}
</body>
</html>
`))
