package scope

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/render"
)

// WriteText writes the report for a terminal: a summary line, then each
// section as aligned columns (lines cut at width; 0 means no limit). Every
// text from events is escaped with render.Terminal.
func (r *Report) WriteText(w io.Writer, width int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, cut(esc(r.summaryLine()), width))
	for _, s := range r.sections() {
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
		text := esc(it.Text)
		if it.Title != "" {
			text = esc(it.Title) + ": " + text
		}
		writeWrapped(w, "  ", text, width)
		if len(it.UUIDs) > 0 {
			writeWrapped(w, "    events: ", strings.Join(escAll(it.UUIDs), ", "), width)
		}
	}
	if len(s.Rows) == 0 {
		return
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(s.Header, "\t"))
	for _, row := range s.Rows[:min(len(s.Rows), textRows)] {
		fmt.Fprintln(tw, "  "+strings.Join(escAll(row), "\t"))
	}
	tw.Flush()
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		fmt.Fprintln(w, cut(strings.TrimRight(line, " "), width))
	}
	if more := len(s.Rows) - textRows; more > 0 {
		fmt.Fprintf(w, "  … and %d more (--format json, md or html list them all)\n", more)
	}
}

// textRows is the most rows of a table the terminal view shows: a busy
// user's scope has thousands of sessions, which only a file report can
// hold readably.
const textRows = 30

func esc(s string) string { return render.Terminal(s) }

func escAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = esc(x)
	}
	return out
}

// cut shortens s to width runes, ending in "…" when it was longer.
func cut(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:max(width-1, 0)]) + "…"
}

// writeWrapped writes prefix+text wrapped at width, continuation lines
// indented like the text.
func writeWrapped(w io.Writer, prefix, text string, width int) {
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	line, n := prefix, utf8.RuneCountInString(prefix)
	for i, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		switch {
		case i > 0 && width > 0 && n+1+wn > width:
			fmt.Fprintln(w, line)
			line, n = indent+word, len(indent)+wn
			continue
		case i > 0:
			line, n = line+" ", n+1
		}
		line, n = line+word, n+wn
	}
	fmt.Fprintln(w, line)
}
