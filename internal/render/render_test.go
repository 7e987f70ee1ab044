package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
)

func TestEscapes(t *testing.T) {
	tests := []struct {
		name, in, want string
		escape         func(string) string
	}{
		{"terminal keeps plain text", "Mozilla/5.0 (Mac) é", "Mozilla/5.0 (Mac) é", Terminal},
		{"terminal escapes an ANSI sequence", "\x1b[31mred", `\x1b[31mred`, Terminal},
		{"terminal escapes a title-setting OSC", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, Terminal},
		{"terminal escapes newlines and carriage returns", "a\r\nb", `a\x0d\x0ab`, Terminal},
		{"terminal escapes C1 controls", "a\u009bb", `a\x9bb`, Terminal},
		{"terminal escapes bidi overrides", "file\u202etxt.exe", `file\u202etxt.exe`, Terminal},
		{"spreadsheet defuses a formula", "=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")", Spreadsheet},
		{"spreadsheet defuses @", "@SUM(A1)", "'@SUM(A1)", Spreadsheet},
		{"spreadsheet keeps text", "alice@acme.example", "alice@acme.example", Spreadsheet},
		{"markdown escapes HTML and emphasis", "<img src=x> *b* |", `&lt;img src=x&gt; \*b\* \|`, Markdown},
		{"shell keeps a simple word", "alice@acme.example", "alice@acme.example", ShellQuote},
		{"shell quotes a quote", "it's; rm -rf", `'it'\''s; rm -rf'`, ShellQuote},
	}
	for _, tt := range tests {
		if got := tt.escape(tt.in); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWriters(t *testing.T) {
	e, err := logevent.Decode([]byte(`{"uuid":"u1","published":"2024-05-01T10:00:00Z","eventType":"user.session.start",
	 "actor":{"alternateId":"=cmd|' /C calc'!A0"},"displayMessage":"a\u001b[2Jb","client":{"ipAddress":"203.0.113.1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		format Format
		check  func(string) bool
	}{
		{NDJSON, func(s string) bool { return s == string(e.Raw)+"\n" }},
		{JSON, func(s string) bool { return s == "[\n"+string(e.Raw)+"\n]\n" }},
		{CSV, func(s string) bool { return strings.Contains(s, "'=cmd") && strings.HasPrefix(s, "TIME,ACTOR") }},
		{Table, func(s string) bool { return strings.Contains(s, `a\x1b[2Jb`) && !strings.Contains(s, "\x1b") }},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		w := NewEventWriter(&b, tt.format, Options{Width: 120})
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !tt.check(b.String()) {
			t.Errorf("%s output: %q", tt.format, b.String())
		}
	}
	var empty bytes.Buffer
	w := NewEventWriter(&empty, JSON, Options{})
	if w.Close(); empty.String() != "[]\n" {
		t.Errorf("empty JSON array: %q", empty.String())
	}
}

func TestFormatsChoose(t *testing.T) {
	tests := []struct {
		name     string
		formats  Formats
		value    string
		terminal bool
		want     Format
		fails    bool
	}{
		{"events on a terminal default to a table", EventFormats(), "", true, Table, false},
		{"events piped default to NDJSON", EventFormats(), "", false, NDJSON, false},
		{"a timeline on a terminal defaults to text", TimelineFormats(), "", true, Text, false},
		{"a timeline piped defaults to JSON", TimelineFormats(), "", false, JSON, false},
		{"a scope takes Markdown", ScopeFormats(), "md", false, MD, false},
		{"findings piped default to JSON", FindingFormats(), "", false, JSON, false},
		{"a value in any case", EventFormats(), "CSV", true, CSV, false},
		{"a format the output does not have", TimelineFormats(), "csv", true, "", true},
		{"an unknown format", FindingFormats(), "yaml", false, "", true},
	}
	if len(tests) != 9 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		got, err := tt.formats.Choose(tt.value, tt.terminal)
		if got != tt.want || (err != nil) != tt.fails {
			t.Errorf("%s: Choose(%q, %v) = %q, %v", tt.name, tt.value, tt.terminal, got, err)
		}
	}
	_, err := TimelineFormats().Choose("csv", true)
	if err == nil || err.Error() != `--format "csv": want text, json or html` {
		t.Errorf("error %v", err)
	}
	if got := ScopeFormats().Help(); got != "text (default on a terminal), json (default when piped), md or html" {
		t.Errorf("Help() = %q", got)
	}
}

func TestCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"timeline", "--user", "alice@acme.example"}, "oktascope timeline --user alice@acme.example"},
		{[]string{"timeline", "--session", "102 x'y"}, `oktascope timeline --session '102 x'\''y'`},
	}
	if len(tests) != 3 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		if got := Command(tt.args); got != tt.want {
			t.Errorf("Command(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestEventText(t *testing.T) {
	e, err := logevent.Decode([]byte(`{"uuid":"1","published":"2025-03-03T09:00:00Z","eventType":"x",
		"client":{"geographicalContext":{"city":"Amsterdam","state":"null","country":"Netherlands"}},
		"securityContext":{"asNumber":9009,"asOrg":"m247 europe srl"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Location(e); got != "Amsterdam, Netherlands" {
		t.Errorf("Location = %q", got)
	}
	if got := Network(e); got != "AS9009 m247 europe srl" {
		t.Errorf("Network = %q", got)
	}
	raw := []byte("{\"a\":\"x\u202ey\",\"b\":[1]}")
	if got, want := DisplayJSON(raw).Text, "{\n  \"a\": \"x\\u202ey\",\n  \"b\": [\n    1\n  ]\n}"; got != want {
		t.Errorf("DisplayJSON = %q, want %q", got, want)
	}
	if got := DisplayJSON([]byte("not json\x1b")).Text; got != `not json\x1b` {
		t.Errorf("DisplayJSON(not JSON) = %q", got)
	}
}
