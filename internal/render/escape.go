package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminal makes attacker-controlled text safe to print on a terminal:
// control characters (escape sequences, carriage returns, newlines, C1
// controls, bidirectional overrides) are shown as \x.. or \u.... escapes.
func Terminal(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}

func escapeRune(r rune) string {
	if r < 0x100 {
		return `\x` + hex2(byte(r))
	}
	return `\u` + hex2(byte(r>>8)) + hex2(byte(r))
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&0xf]})
}

// Markdown escapes text for Markdown (CommonMark and GitHub's tables): control
// characters as render.Terminal shows them, the punctuation of inline
// Markdown (emphasis, code, links, images, tables, strikethrough) with a
// backslash, and HTML metacharacters as entities. The text never starts a
// line (it follows a table's "| ", a list's "- " or a heading's "# "), so
// the punctuation of block structure needs no escape.
func Markdown(s string) string {
	s = Terminal(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '!', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Spreadsheet defuses a CSV cell that a spreadsheet would evaluate as a
// formula (one starting with = + - @ tab or carriage return) by prefixing a
// single quote, as OWASP recommends.
func Spreadsheet(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ShellQuote quotes s for a POSIX shell, when it needs quoting.
func ShellQuote(s string) string {
	safe := s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%_-+=:,./", r))
	})
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// DisplayJSON indents an event's original JSON for reading, keeping its
// keys in order, and writes the characters a reader could be fooled by
// (bidirectional overrides, C1 controls, line separators) as JSON \u
// escapes, which leaves the JSON's meaning unchanged. Text that is not JSON
// is shown as Terminal shows it.
func DisplayJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(raw), "", "  "); err != nil {
		return Terminal(string(raw))
	}
	s := buf.String()
	if !strings.ContainsFunc(s, unsafeInJSON) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeInJSON(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeInJSON reports the characters DisplayJSON escapes: those Terminal
// escapes but the newline of the indentation (in valid JSON they can only
// occur inside strings).
func unsafeInJSON(r rune) bool { return r != '\n' && unsafeRune(r) }
