package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
)

// TestFindingsMarkdownEscapes writes a finding whose indicator (a login an
// attacker chose) holds terminal escapes, a bidirectional override, a
// table's pipe and backticks: detect --format md > findings.md must not
// carry them raw (cat findings.md would run them), must keep the table's
// seven cells, and must show the follow-up command as the table does
// (backticks kept, not turned into quotes, which changed the command).
func TestFindingsMarkdownEscapes(t *testing.T) {
	value := "ev\x1b[2Jil\u202e|x`y``z\u200b@acme.example"
	f := detect.Finding{
		Rule: "oktascope-brute-force", Title: "Brute force against one user", Severity: "medium", Source: "builtin",
		Indicator: indicator.Indicator{Kind: indicator.User, Value: value},
		Start:     time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 3, 9, 5, 0, 0, time.UTC),
		Count: 12, UUIDs: []string{"u1"}, FollowUp: []string{"timeline", "--user", value},
	}
	var b bytes.Buffer
	if err := WriteFindings(&b, MD, []detect.Finding{f}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"\x1b", "\u202e", "\u200b"} {
		if strings.Contains(out, bad) {
			t.Errorf("the Markdown holds %q raw:\n%s", bad, out)
		}
	}
	var row string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| medium ") {
			row = line
		}
	}
	cells := splitTableRow(row)
	if len(cells) != 7 {
		t.Fatalf("the row has %d cells, want 7: %q", len(cells), row)
	}
	code := strings.TrimSpace(cells[6])
	fence := code[:strings.IndexFunc(code, func(r rune) bool { return r != '`' })]
	if len(fence) < 3 || !strings.HasSuffix(code, fence) {
		t.Fatalf("the follow-up cell is not a code span fenced longer than its backticks: %q", code)
	}
	got := strings.ReplaceAll(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(code, fence), fence)), `\|`, "|")
	if want := Terminal(Command(f.FollowUp)); got != want {
		t.Errorf("follow-up reads %q, want %q (the table's)", got, want)
	}
}

// splitTableRow splits a GitHub table row at its unescaped pipes.
func splitTableRow(row string) []string {
	var cells []string
	var cell strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cell.WriteByte(row[i])
			cell.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			cells = append(cells, cell.String())
			cell.Reset()
		default:
			cell.WriteByte(row[i])
		}
	}
	if len(cells) == 0 {
		return nil
	}
	return cells[1:] // the text before the first pipe; the rest after the last
}
