package scope

import (
	"bufio"
	"fmt"
	"github.com/oktascope/oktascope/internal/render"
	"io"
	"strings"
)

// WriteMarkdown writes the report as Markdown: headings, tables and lists.
// Event text is escaped so that it renders as the text it is: Markdown
// punctuation is backslash-escaped, HTML metacharacters become entities,
// control characters are shown escaped, and nothing can break a table.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n", md(r.summaryLine()))
	for _, s := range r.sections() {
		writeMarkdownSection(bw, s)
	}
	return bw.Flush()
}

func writeMarkdownSection(w io.Writer, s section) {
	fmt.Fprintf(w, "\n## %s\n\n", md(s.Title))
	if s.empty() {
		fmt.Fprintln(w, "None.")
		return
	}
	for _, it := range s.Items {
		text := md(it.Text)
		if it.Title != "" {
			text = "**" + md(it.Title) + "**: " + text
		}
		if len(it.UUIDs) > 0 {
			text += "<br>events: " + md(strings.Join(it.UUIDs, ", "))
		}
		fmt.Fprintf(w, "- %s\n", text)
	}
	if len(s.Rows) == 0 {
		return
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(mdAll(s.Header), " | "), strings.Repeat("---|", len(s.Header)))
	for _, row := range s.Rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(mdAll(row), " | "))
	}
}

func md(s string) string { return render.Markdown(s) }

func mdAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = md(x)
	}
	return out
}
