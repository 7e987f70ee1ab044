package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/logevent"
)

// invisible are characters that show as nothing (or as a space) on a
// terminal and in a browser: each must come out as a visible escape.
var invisible = []struct {
	r    rune
	text string // Terminal's escape
}{
	{'\u200b', `\u200b`},         // zero-width space
	{'\u200c', `\u200c`},         // zero-width non-joiner
	{'\u200d', `\u200d`},         // zero-width joiner
	{'\u2060', `\u2060`},         // word joiner
	{'\ufeff', `\ufeff`},         // byte order mark
	{'\u00ad', `\xad`},           // soft hyphen
	{'\u180e', `\u180e`},         // Mongolian vowel separator
	{'\u034f', `\u034f`},         // combining grapheme joiner
	{'\u3164', `\u3164`},         // Hangul filler
	{'\ufe0f', `\ufe0f`},         // variation selector 16
	{'\u061c', `\u061c`},         // Arabic letter mark (bidi)
	{'\u2066', `\u2066`},         // left-to-right isolate (bidi)
	{'\u202e', `\u202e`},         // right-to-left override (bidi)
	{'\U000e0041', `\U000e0041`}, // tag latin capital letter A
	{'\u2028', `\u2028`},         // line separator
	{'\u009b', `\x9b`},           // C1 control sequence introducer
	{'\x7f', `\x7f`},             // DEL
}

func TestTerminalShowsInvisibleCharacters(t *testing.T) {
	if len(invisible) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range invisible {
		in := "adm" + string(c.r) + "in@acme.example"
		got := Terminal(in)
		if want := "adm" + c.text + "in@acme.example"; got != want {
			t.Errorf("%U: Terminal gives %q, want %q", c.r, got, want)
		}
	}
	// A login with a zero-width space must not read as
	// the plain login.
	if got := Terminal("adm\u200bin@acme.example"); got == "admin@acme.example" || !strings.Contains(got, `\u200b`) {
		t.Errorf("zero-width space hidden: %q", got)
	}
}

func TestTerminalKeepsPrintableText(t *testing.T) {
	for _, s := range []string{"Mozilla/5.0 (Macintosh) é ü ß", "東京都", "Zürich, Genève", "Ана Хансен", "emoji 😀", "tab-free"} {
		if got := Terminal(s); got != s {
			t.Errorf("Terminal(%q) = %q: printable text changed", s, got)
		}
	}
}

func TestTerminalShowsBytesThatAreNotUTF8(t *testing.T) {
	if got := Terminal("a\xffb\xc3"); got != `a\xffb\xc3` {
		t.Errorf("invalid UTF-8: %q", got)
	}
}

func TestJSONTextKeepsTheMeaning(t *testing.T) {
	var in strings.Builder
	in.WriteString(`{"a":"`)
	for _, c := range invisible {
		in.WriteRune(c.r)
	}
	in.WriteString("\",\n\t\"b\":1}")
	raw := in.String()
	got := JSONText(raw)
	for i := 0; i < len(got); {
		r, size := utf8.DecodeRuneInString(got[i:])
		if r != '\n' && r != '\t' && TerminalUnsafe(r) {
			t.Fatalf("JSONText left %U in %q", r, got)
		}
		i += size
	}
	var before, after map[string]any
	if err := json.Unmarshal([]byte(raw), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(got), &after); err != nil {
		t.Fatalf("JSONText made invalid JSON: %v: %s", err, got)
	}
	if before["a"] != after["a"] || before["b"] != after["b"] {
		t.Errorf("JSONText changed the value: %q vs %q", before["a"], after["a"])
	}
	if !strings.Contains(got, `\u200b`) || !strings.Contains(got, `\udb40\udc41`) || !strings.Contains(got, "\n\t") {
		t.Errorf("JSONText: %s", got)
	}
}

func TestJSONTerminalWriterJoinsSplitCharacters(t *testing.T) {
	text := `{"x":"a` + "\u200b\U000e0041é\u009b" + `"}` + "\n"
	for split := 1; split < len(text); split++ {
		var b bytes.Buffer
		w := NewJSONTerminalWriter(&b)
		for _, part := range []string{text[:split], text[split:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("write: %d, %v", n, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if want := JSONText(text); b.String() != want {
			t.Fatalf("split at %d: %q, want %q", split, b.String(), want)
		}
	}
}

// hostileEvent holds an escape sequence, a carriage return and a bell
// (JSON-escaped, as valid JSON must), and a C1 CSI, a right-to-left
// override and a zero-width space as raw characters, in fields every
// format prints.
func hostileEvent(t *testing.T) *logevent.Event {
	t.Helper()
	e, err := logevent.Decode([]byte(`{"uuid":"u1","published":"2024-05-01T10:00:00Z","eventType":"user.session.start",` +
		`"actor":{"alternateId":"adm` + "\u200b" + `in@acme.example"},"displayMessage":"ok\r\u001b[2J\u001b]0;pwned\u0007 ` + "\u009b31m \u202eexe.txt" + `",` +
		`"client":{"ipAddress":"203.0.113.1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNoFormatReachesATerminalRaw(t *testing.T) {
	e := hostileEvent(t)
	formats := []Format{Table, CSV, JSON, NDJSON}
	for _, f := range formats {
		var b bytes.Buffer
		w := NewEventWriter(&b, f, Options{Terminal: true, Width: 120})
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"\x1b", "\r", "\x07", "\u009b", "\u200b", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s on a terminal writes %q raw: %q", f, bad, out)
			}
		}
		if !strings.Contains(out, `200b`) {
			t.Errorf("%s on a terminal hides the zero-width space: %q", f, out)
		}
	}
}

func TestFormatsKeepExactTextWhenPiped(t *testing.T) {
	e := hostileEvent(t)
	for _, f := range []Format{NDJSON, CSV} {
		var b bytes.Buffer
		w := NewEventWriter(&b, f, Options{})
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if !strings.Contains(b.String(), "\u200b") {
			t.Errorf("%s to a pipe changed the event's text: %q", f, b.String())
		}
	}
}
