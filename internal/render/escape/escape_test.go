package escape

import (
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	for in, want := range map[string]string{
		"plain.ndjson":                  "plain.ndjson",
		"x\x1b[2J.json":                 `x\x1b[2J.json`,
		"a\u009b31mb":                   `a\x9b31mb`,
		"evil\u202etxt.json":            `evil\u202etxt.json`,
		"line\nbreak\r":                 `line\x0abreak\x0d`,
		"caf\u00e9 \u65e5\u672c.ndjson": "caf\u00e9 \u65e5\u672c.ndjson",
	} {
		got := Terminal(in)
		if got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsFunc(got, TerminalUnsafe) {
			t.Errorf("Terminal(%q) = %q still holds what TerminalUnsafe reports", in, got)
		}
	}
}
