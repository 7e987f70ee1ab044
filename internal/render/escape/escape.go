// Package escape is the one terminal escaper: it makes text from logs,
// pages and servers (all hostile) safe to print on a terminal. It imports
// nothing of oktascope's, so that every package that prints or writes such
// text (the output layer, import's messages and rejects file, the files
// oktascope creates) can use it; internal/render re-exports it as
// render.Terminal.
package escape

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminal makes attacker-controlled text safe to print on a terminal:
// control characters (escape sequences, carriage returns, newlines, C1
// controls, bidirectional overrides) are shown as \x.. or \u.... escapes.
func Terminal(s string) string {
	if !strings.ContainsFunc(s, TerminalUnsafe) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if TerminalUnsafe(r) {
			b.WriteString(escapeRune(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TerminalUnsafe reports whether r is a character Terminal escapes: one a
// terminal would act on or that would mislead the reader. Writers of other
// text bound for a terminal (JSON, say) escape the same characters in their
// own syntax.
func TerminalUnsafe(r rune) bool {
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
