package timeline

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

// WriteText writes the timeline for a terminal: per flow a header (kind,
// session, user, time span, completeness), one line per step (time, step,
// event type, outcome, IP, place) and the flow's deviations beneath it.
// Every text taken from events is escaped with render.Terminal. Lines of
// steps are cut at width columns and deviation messages wrapped (width 0
// means no limit).
func (t Timeline) WriteText(w io.Writer, width int) error {
	bw := bufio.NewWriter(w)
	if len(t.Flows) == 0 {
		fmt.Fprintln(bw, "no events")
	}
	for i, f := range t.Flows {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		writeFlowText(bw, f, width)
	}
	return bw.Flush()
}

func writeFlowText(w io.Writer, f Flow, width int) {
	fmt.Fprintln(w, cut(flowHeader(f), width))
	var rows bytes.Buffer
	tw := tabwriter.NewWriter(&rows, 0, 0, 2, ' ', 0)
	layout := "15:04:05"
	if f.Start.UTC().YearDay() != f.End.UTC().YearDay() || f.Start.Year() != f.End.Year() {
		layout = "01-02 15:04:05"
	}
	for _, s := range f.Steps {
		e := s.Event
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", e.Time.UTC().Format(layout), orDash(s.Label),
			esc(e.EventType), orDash(esc(e.Outcome.Result)), orDash(esc(clientIP(e))), esc(place(e)))
	}
	tw.Flush()
	for _, line := range strings.Split(strings.TrimRight(rows.String(), "\n"), "\n") {
		fmt.Fprintln(w, cut(strings.TrimRight(line, " "), width))
	}
	for _, d := range f.Deviations {
		writeWrapped(w, "  ! "+string(d.Kind)+": ", esc(d.Message), width)
		writeWrapped(w, "    events: ", strings.Join(escAll(d.UUIDs), ", "), width)
	}
}

// flowHeader is the first line of a flow.
func flowHeader(f Flow) string {
	parts := []string{strings.ToUpper(string(f.Kind))}
	if f.Session != "" {
		parts = append(parts, "session "+esc(f.Session))
	}
	if n := len(f.Transactions); n > 0 {
		parts = append(parts, "API transaction "+esc(f.Transactions[0])+moreText(n-1))
	}
	if f.Engine != EngineUnknown {
		parts = append(parts, engineName[f.Engine])
	}
	parts = append(parts, esc(actorText(f.Actor)))
	span := f.Start.UTC().Format("2006-01-02 15:04:05")
	if !f.End.Equal(f.Start) {
		span += " → " + f.End.UTC().Format("2006-01-02 15:04:05")
	}
	parts = append(parts, span+" UTC")
	if f.Complete {
		parts = append(parts, "complete")
	} else {
		parts = append(parts, "not complete")
	}
	return strings.Join(parts, " · ")
}

// engineName names an engine in text.
var engineName = map[Engine]string{EngineClassic: "Classic Engine", EngineIdentity: "Identity Engine"}

// moreText is " (and n more)", or "" for none.
func moreText(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d more)", n)
}

// actorText is "Display Name <login> (id)", with the parts present.
func actorText(a Actor) string {
	var parts []string
	if a.DisplayName != "" {
		parts = append(parts, a.DisplayName)
	}
	if a.AlternateID != "" {
		parts = append(parts, "<"+a.AlternateID+">")
	}
	if a.ID != "" {
		parts = append(parts, "("+a.ID+")")
	}
	if len(parts) == 0 {
		return "unknown user"
	}
	return strings.Join(parts, " ")
}

func esc(s string) string { return render.Terminal(s) }

func escAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = esc(x)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cut shortens s to width runes, ending in "…" when it was longer.
func cut(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:max(width-1, 0)]) + "…"
}

// writeWrapped writes prefix+text, wrapping at width with continuation
// lines indented like the text.
func writeWrapped(w io.Writer, prefix, text string, width int) {
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	line := prefix
	lineLen := utf8.RuneCountInString(prefix)
	for i, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if i > 0 && width > 0 && lineLen+1+n > width {
			fmt.Fprintln(w, line)
			line, lineLen = indent+word, len(indent)+n
			continue
		}
		if i > 0 {
			line += " "
			lineLen++
		}
		line += word
		lineLen += n
	}
	fmt.Fprintln(w, line)
}
