package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/oktascope/oktascope/internal/scope"
)

// writeScopeMarkdown writes the report as Markdown: its graph as a Mermaid
// flowchart, then headings, tables and lists. Event text is escaped so that it renders as the text it is:
// Markdown punctuation is backslash-escaped, HTML metacharacters become
// entities, control characters are shown escaped, and nothing can break a
// table.
func writeScopeMarkdown(w io.Writer, r *scope.Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n", Markdown(scopeSummary(r)))
	sections, cut := scopeSections(r)
	if cut {
		fmt.Fprintf(bw, "\n%s\n", Markdown(scopeCutNote))
	}
	if len(r.Graph.Nodes) > 0 {
		fmt.Fprint(bw, "\n## Graph\n\n")
		writeMermaid(bw, r.Graph)
	}
	for _, s := range sections {
		writeMarkdownSection(bw, s)
	}
	return bw.Flush()
}

func writeMarkdownSection(w io.Writer, s section) {
	fmt.Fprintf(w, "\n## %s\n\n", Markdown(s.Title))
	if s.empty() {
		fmt.Fprintln(w, "None.")
		return
	}
	for _, it := range s.Items {
		text := Markdown(it.Text)
		if it.Title != "" {
			text = "**" + Markdown(it.Title) + "**: " + text
		}
		if len(it.UUIDs) > 0 {
			text += "<br>events: " + Markdown(strings.Join(it.UUIDs, ", "))
		}
		fmt.Fprintf(w, "- %s\n", text)
	}
	if len(s.Rows) > 0 {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(mdAll(s.Header), " | "), strings.Repeat("---|", len(s.Header)))
		for _, row := range s.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(mdAll(row), " | "))
		}
	}
	if s.More > 0 {
		fmt.Fprintf(w, "\n%s\n", Markdown(scopeMoreText(s.More)))
	}
}

// mdAll escapes each string with Markdown.
func mdAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = Markdown(x)
	}
	return out
}
