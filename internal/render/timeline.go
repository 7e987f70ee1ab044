package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/oktascope/oktascope/internal/timeline"
)

// WriteTimeline writes a timeline in format f, one of TimelineFormats: Text
// for a terminal, JSON (docs/timeline.md) or HTML.
func WriteTimeline(w io.Writer, f Format, tl timeline.Timeline, opts Options) error {
	switch f {
	case JSON:
		return writeIndentedJSON(w, timelineJSONOf(tl))
	case HTML:
		return timelinePage.Execute(w, timelineHTMLOf(tl))
	case Text:
		return writeTimelineText(w, tl, opts.Width)
	}
	return fmt.Errorf("a timeline is not written as %s", f)
}

// writeTimelineText writes the timeline for a terminal: per flow a header
// (kind, session, user, time span, completeness), one line per step (time,
// step, event type, outcome, IP, place) and the flow's deviations beneath
// it. Lines of steps are cut at width columns and deviation messages
// wrapped (width 0 means no limit).
func writeTimelineText(w io.Writer, t timeline.Timeline, width int) error {
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

func writeFlowText(w io.Writer, f timeline.Flow, width int) {
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
			Terminal(e.EventType), orDash(Terminal(e.Outcome.Result)), orDash(Terminal(e.ClientIP())), Terminal(place(e.Client.GeographicalContext)))
	}
	tw.Flush()
	writeCut(w, rows.String(), width)
	for _, d := range f.Deviations {
		writeWrapped(w, "  ! "+string(d.Kind)+": ", Terminal(d.Message), width)
		writeWrapped(w, "    events: ", strings.Join(escAll(d.UUIDs), ", "), width)
	}
}

// flowHeader is the first line of a flow.
func flowHeader(f timeline.Flow) string {
	parts := []string{strings.ToUpper(string(f.Kind))}
	if f.Session != "" {
		parts = append(parts, "session "+Terminal(f.Session))
	}
	if n := len(f.Transactions); n > 0 {
		parts = append(parts, "API transaction "+Terminal(f.Transactions[0])+moreText(n-1))
	}
	if name := engineNames[f.Engine]; name != "" {
		parts = append(parts, name)
	}
	parts = append(parts, Terminal(flowActorText(f.Actor)))
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

// engineNames name the engines in a flow's header.
var engineNames = map[timeline.Engine]string{timeline.EngineClassic: "Classic Engine", timeline.EngineIdentity: "Identity Engine"}

// moreText is " (and n more)", or "" for none.
func moreText(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (and %d more)", n)
}

// flowActorText is "Display Name <login> (id)", with the parts present.
func flowActorText(a timeline.Actor) string {
	text := joinNonEmpty(" ", a.DisplayName, wrap("<", a.AlternateID, ">"), wrap("(", a.ID, ")"))
	if text == "" {
		return "unknown user"
	}
	return text
}

// wrap encloses s in open and close; "" stays "".
func wrap(open, s, close string) string {
	if s == "" {
		return ""
	}
	return open + s + close
}
