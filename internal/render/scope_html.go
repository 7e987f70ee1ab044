package render

import (
	"html/template"
	"io"

	"github.com/oktascope/oktascope/internal/scope"
)

// writeScopeHTML writes the report as one self-contained HTML page
// (templates/scope.html): inline CSS, the graph drawn by the pictures'
// script (inline, allowed by its hash), a Content-Security-Policy
// forbidding any other script or resource, and every event field escaped by
// html/template after Terminal (so control and bidi characters show).
func writeScopeHTML(w io.Writer, r *scope.Report) error {
	sections, cut := scopeSections(r)
	view := struct {
		Summary  string
		Note     string // said when a list was cut
		Graph    *GraphPicture
		Sections []section
	}{Summary: Terminal(scopeSummary(r)), Graph: ScopeGraph(r)}
	if cut {
		view.Note = scopeCutNote
	}
	for _, s := range sections {
		view.Sections = append(view.Sections, escapeSection(s))
	}
	return scopePage.Execute(w, view)
}

// escapeSection escapes control characters in the cells of a section.
func escapeSection(s section) section {
	out := section{Title: s.Title, Header: s.Header, More: s.More}
	for _, row := range s.Rows {
		out.Rows = append(out.Rows, escAll(row))
	}
	for _, it := range s.Items {
		out.Items = append(out.Items, item{Title: Terminal(it.Title), Text: Terminal(it.Text), UUIDs: escAll(it.UUIDs)})
	}
	return out
}

var scopePage = template.Must(template.New("scope.html").Funcs(pictureFuncs).ParseFS(templates, "templates/scope.html", "templates/page.html"))
