// Package render is oktascope's output layer: everything it writes for
// people and programs, in one place. Events are listed as a table that fits
// a terminal, a JSON array, NDJSON of the original bytes, or CSV; reports
// (a timeline, a scope, detection findings) are data from the analysis
// packages, written here as text for a terminal, JSON, NDJSON, Markdown or
// HTML. The JSON forms are the schemas other tools read (docs/timeline.md,
// docs/scope.md, docs/detect.md).
//
// Every event field is attacker-controlled. The escapers are here too, and
// every writer uses them: Terminal for text bound for a terminal, Markdown
// for Markdown, html/template for HTML (after Terminal, so that control
// characters show), Spreadsheet for CSV cells, ShellQuote for the commands
// printed for a shell.
//
// The analysis packages know nothing of this one: it imports them.
package render

import (
	"embed"
	"fmt"
	"strings"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Table  Format = "table"  // aligned columns for a terminal
	Text   Format = "text"   // a report laid out for a terminal
	JSON   Format = "json"   // one JSON document
	NDJSON Format = "ndjson" // one JSON object a line
	CSV    Format = "csv"    // a header, then one row a line
	MD     Format = "md"     // Markdown: headings, lists and tables
	HTML   Format = "html"   // one self-contained page
)

// Formats lists the formats one kind of output is written in. The first is
// for people at a terminal, the second for programs: they are the defaults
// when standard output is a terminal and when it is piped.
type Formats []Format

// EventFormats are the formats of event listings (search, hunt).
func EventFormats() Formats { return Formats{Table, NDJSON, JSON, CSV} }

// TimelineFormats are the formats of a timeline.
func TimelineFormats() Formats { return Formats{Text, JSON, HTML} }

// ScopeFormats are the formats of a scope report.
func ScopeFormats() Formats { return Formats{Text, JSON, MD, HTML} }

// HistogramFormats are the formats of a histogram (stats).
func HistogramFormats() Formats { return Formats{Table, CSV, JSON} }

// FindingFormats are the formats of detection findings.
func FindingFormats() Formats { return Formats{Table, JSON, NDJSON, MD} }

// Choose returns the format a --format value names (in any case), or, when
// value is empty, the default: the terminal's format when terminal is set,
// else the programs' one. It fails, naming the formats, when value is not
// one of fs.
func (fs Formats) Choose(value string, terminal bool) (Format, error) {
	if value == "" {
		if terminal || len(fs) < 2 {
			return fs[0], nil
		}
		return fs[1], nil
	}
	for _, f := range fs {
		if Format(strings.ToLower(value)) == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("--format %q: want %s", value, fs.list("or"))
}

// Help describes the formats for a --format flag's usage, defaults marked.
func (fs Formats) Help() string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f)
	}
	parts[0] += " (default on a terminal)"
	if len(parts) > 1 {
		parts[1] += " (default when piped)"
	}
	return joinWords(parts, "or")
}

// list joins the formats' names as words.
func (fs Formats) list(conj string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f)
	}
	return joinWords(parts, conj)
}

// joinWords joins "a, b or c".
func joinWords(words []string, conj string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// Options shape what a writer writes.
type Options struct {
	// Width is the terminal's width in columns, for Table and Text: lines
	// are cut or wrapped to it. 0 means no limit.
	Width int
	// Columns are the columns of an event Table or CSV; nil means
	// DefaultColumns.
	Columns []Column
	// Annotate, if set, adds a column computed per event to an event
	// Table or CSV (e.g. the event's step in the article's sequences).
	Annotate *Column
	// Terminal says the output is a terminal: event CSV cells are escaped
	// as Terminal does, and event JSON and NDJSON pass through JSONText, so
	// that no event text reaches the terminal raw. (A table is always
	// escaped; to a file or a pipe, CSV and JSON keep the events' exact
	// text.)
	Terminal bool
}

// templates are the HTML pages of the reports.
//
//go:embed templates/*.html
var templates embed.FS
