package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/logevent"
)

// The layout of text for a terminal, shared by every Table and Text
// writer. Cells are escaped (Terminal) before they are measured.

// escAll escapes each string with Terminal.
func escAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = Terminal(x)
	}
	return out
}

// cut shortens s to width runes, ending in "…" when it was longer (width
// 0 or less: no limit).
func cut(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:max(width-1, 0)]) + "…"
}

// Clip keeps at most n bytes of s, cut on a character boundary, and says
// how long s was: "…(12,345 bytes in all)". What an output copies of a
// value from an event or a report stays bounded.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + Thousands(len(s)) + " bytes in all)"
}

// Thousands writes n with thousands separators: 1,234,567.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// writeWrapped writes prefix+text, wrapping at width (0: no limit) with
// continuation lines indented like the text.
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

// writeCut writes the lines of s (aligned columns, say), each with its
// trailing spaces trimmed and cut at width.
func writeCut(w io.Writer, s string, width int) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintln(w, cut(strings.TrimRight(line, " "), width))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// joinNonEmpty joins the parts that are neither empty nor Okta's "null".
func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" && p != "null" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// stamp formats a time as the JSON outputs do (Okta's published format:
// UTC, milliseconds); "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Location is where the event's client was: "City, State, Country", with
// the parts Okta gave.
func Location(e *logevent.Event) string {
	g := e.Client.GeographicalContext
	return joinNonEmpty(", ", g.City, g.State, g.Country)
}

// Network is the event's client network: "AS<number> <organization>", or
// the organization alone when the number is unknown.
func Network(e *logevent.Event) string {
	n := e.SecurityContext.AsNumber
	if !n.Valid || n.Value == 0 {
		return e.SecurityContext.AsOrg
	}
	return strings.TrimSpace("AS" + strconv.FormatFloat(n.Value, 'f', -1, 64) + " " + e.SecurityContext.AsOrg)
}

// place is "City, Country" of a client, the parts Okta gave: the timeline's
// short form of Location.
func place(g logevent.GeographicalContext) string { return joinNonEmpty(", ", g.City, g.Country) }
