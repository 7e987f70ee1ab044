package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/detect"
)

// WriteFindings writes detection findings in format f, one of
// FindingFormats: a Table for a terminal, a JSON array, NDJSON (one finding
// a line) or Markdown. The JSON object of a finding is in docs/detect.md.
func WriteFindings(w io.Writer, f Format, findings []detect.Finding) error {
	switch f {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		out := make([]findingJSON, 0, len(findings))
		for _, fd := range findings {
			out = append(out, findingJSONOf(fd))
		}
		return enc.Encode(out)
	case NDJSON:
		enc := json.NewEncoder(w)
		for _, fd := range findings {
			if err := enc.Encode(findingJSONOf(fd)); err != nil {
				return err
			}
		}
		return nil
	case MD:
		return writeFindingsMarkdown(w, findings)
	case Table:
		return writeFindingsTable(w, findings)
	}
	return fmt.Errorf("findings are not written as %s", f)
}

// findingJSON is the JSON object of a finding (docs/detect.md).
type findingJSON struct {
	Rule      string        `json:"rule"`
	Title     string        `json:"title"`
	Severity  string        `json:"severity"`
	Source    string        `json:"source"`
	Indicator indicatorJSON `json:"indicator"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Count     int           `json:"count"`
	Message   string        `json:"message,omitempty"`
	UUIDs     []string      `json:"uuids"`
	FollowUp  string        `json:"followUp"` // the command line, quoted for a shell
}

func findingJSONOf(f detect.Finding) findingJSON {
	return findingJSON{
		Rule: f.Rule, Title: f.Title, Severity: f.Severity, Source: f.Source,
		Indicator: indicatorJSON{Kind: f.Indicator.Kind, Value: f.Indicator.Value},
		Start:     f.Start, End: f.End, Count: f.Count, Message: f.Message, UUIDs: f.UUIDs,
		FollowUp: Command(f.FollowUp),
	}
}

func writeFindingsTable(w io.Writer, findings []detect.Finding) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tSTART\tRULE\tINDICATOR\tEVENTS\tFOLLOW UP")
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%d\t%s\n", f.Severity, f.Start.Format(time.RFC3339),
			Terminal(f.Title), f.Indicator.Kind, Terminal(f.Indicator.Value), len(f.UUIDs), Terminal(Command(f.FollowUp)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d findings\n", len(findings))
	return err
}

func writeFindingsMarkdown(w io.Writer, findings []detect.Finding) error {
	fmt.Fprintf(w, "# oktascope findings\n\n%d findings.\n\n", len(findings))
	fmt.Fprintln(w, "| Severity | Start | End | Rule | Indicator | Events | Follow up |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, f := range findings {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s %s | %d | %s |\n", f.Severity, f.Start.Format(time.RFC3339), f.End.Format(time.RFC3339),
			Markdown(f.Title), f.Indicator.Kind, Markdown(f.Indicator.Value), len(f.UUIDs), MarkdownCode(Command(f.FollowUp)))
	}
	return nil
}

// Command is the oktascope command line of args, each quoted for a POSIX
// shell (ShellQuote); "" when there are none.
func Command(args []string) string {
	if len(args) == 0 {
		return ""
	}
	quoted := []string{"oktascope"}
	for _, a := range args {
		quoted = append(quoted, ShellQuote(a))
	}
	return strings.Join(quoted, " ")
}
