package render

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every text that comes from an event, a log file's name or a server is
// hostile: it may hold escape sequences that drive the terminal, carriage
// returns and line separators that overwrite or fake lines, bidirectional
// controls that reorder what is read, and invisible characters that make
// two different values look the same ("adm\u200bin" and "admin"). This file
// is the one place that decides which characters those are (TerminalUnsafe) and
// the two ways they are written: as text escapes for a terminal or a page
// (Terminal), and as JSON \u escapes inside JSON, which keep the JSON's
// meaning (JSONText, NewJSONTerminalWriter).

// TerminalUnsafe reports whether r must not reach a reader as itself: a C0 or C1
// control, DEL, a bidirectional control, an invisible format character
// (general category Cf: zero-width space and joiners, word joiner, soft
// hyphen, byte order mark, tag characters, …), another default-ignorable
// code point (Hangul fillers, combining grapheme joiner, variation
// selectors), a line or paragraph separator, a noncharacter, or U+FFFD
// (the mark of bytes that were not UTF-8).
func TerminalUnsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0xa0:
		return r >= 0x80 // C1 controls
	case r == utf8.RuneError || r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Noncharacter_Code_Point, r)
}

// Terminal makes hostile text safe to print on a terminal or show on a
// page: every TerminalUnsafe character is written as an escape, \x1b for
// one below U+0100, \u200b up to U+FFFF, \U000e0041 beyond, and a byte
// that is not UTF-8 as \xff. Everything else is kept, so
// "adm\u200bin@acme.example" shows as that, not as "admin@acme.example".
func Terminal(s string) string { return escapeText(s, TerminalUnsafe, writeTextEscape) }

// JSONText escapes the TerminalUnsafe characters of JSON text as JSON \u
// escapes (a surrogate pair beyond U+FFFF; a byte that is not UTF-8 as
// \ufffd), except the newline and the tab, which valid JSON holds only as
// whitespace between tokens. In valid JSON every other TerminalUnsafe
// character sits inside a string, where the escape stands for the same
// character: the JSON means what it meant, and shows what it holds.
func JSONText(s string) string { return escapeText(s, jsonUnsafe, writeJSONEscape) }

func jsonUnsafe(r rune) bool { return r != '\n' && r != '\t' && TerminalUnsafe(r) }

// escapeText writes s with every character unsafe reports written by esc;
// a byte that is not UTF-8 is passed to esc as utf8.RuneError with the
// byte. Printable ASCII is skipped without decoding.
func escapeText(s string, unsafe func(rune) bool, esc func(b *strings.Builder, r rune, invalid byte)) string {
	first := -1
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafe(r) {
			first = i
			break
		}
		i += size
	}
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:first])
	for i := first; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			esc(&b, r, s[i])
		case unsafe(r):
			esc(&b, r, 0)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// writeTextEscape writes \x1b, \u200b or \U000e0041, and \xff for a byte
// that is not UTF-8.
func writeTextEscape(b *strings.Builder, r rune, invalid byte) {
	switch {
	case r == utf8.RuneError && invalid != 0:
		writeHex(b, `\x`, uint32(invalid), 2)
	case r < 0x100:
		writeHex(b, `\x`, uint32(r), 2)
	case r <= 0xffff:
		writeHex(b, `\u`, uint32(r), 4)
	default:
		writeHex(b, `\U`, uint32(r), 8)
	}
}

// writeJSONEscape writes \u200b, or a surrogate pair beyond U+FFFF; a byte
// that is not UTF-8 becomes \ufffd.
func writeJSONEscape(b *strings.Builder, r rune, _ byte) {
	if r > 0xffff {
		r1, r2 := utf16Surrogates(r)
		writeHex(b, `\u`, uint32(r1), 4)
		writeHex(b, `\u`, uint32(r2), 4)
		return
	}
	writeHex(b, `\u`, uint32(r), 4)
}

func writeHex(b *strings.Builder, prefix string, v uint32, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[(v>>shift)&0xf])
	}
}

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// NewJSONTerminalWriter returns a writer that passes JSON text on to w
// through JSONText: for JSON written to a terminal. It keeps up to three
// bytes of a character split between two writes until the next write;
// Close writes what is left and does not close w.
func NewJSONTerminalWriter(w io.Writer) io.WriteCloser { return &jsonTerminalWriter{w: w} }

type jsonTerminalWriter struct {
	w       io.Writer
	pending []byte // the start of a character split by the last Write
}

func (j *jsonTerminalWriter) Write(p []byte) (int, error) {
	data := p
	if len(j.pending) > 0 {
		data = append(j.pending, p...)
		j.pending = nil
	}
	// Hold back an incomplete character at the end.
	cut := len(data)
	for back := 1; back <= utf8.UTFMax-1 && back <= len(data); back++ {
		c := data[len(data)-back]
		if c < 0x80 {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(data[len(data)-back:]) {
				cut = len(data) - back
			}
			break
		}
	}
	if cut < len(data) {
		j.pending = append([]byte(nil), data[cut:]...)
	}
	if _, err := io.WriteString(j.w, JSONText(string(data[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes a character left incomplete (escaped as \ufffd).
func (j *jsonTerminalWriter) Close() error {
	if len(j.pending) == 0 {
		return nil
	}
	rest := string(j.pending)
	j.pending = nil
	_, err := io.WriteString(j.w, JSONText(rest))
	return err
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

// MarkdownCode writes text as an inline code span in a GitHub table cell:
// control characters as render.Terminal shows them, each pipe as \| (a
// table splits cells at pipes even inside code, and drops the backslash),
// fenced by more backticks than the text's longest run of them, so that
// the span shows the text as it is (a command stays the command).
func MarkdownCode(s string) string {
	s = strings.ReplaceAll(Terminal(s), "|", `\|`)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " " // CommonMark strips one space each side
	}
	return fence + s + fence
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

// Slack escapes hostile text for Slack's mrkdwn: the TerminalUnsafe
// characters as Terminal writes them, then &, < and > as entities, so that
// no text makes a link or a mention (<!channel>, <https://…|…>).
func Slack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(Terminal(s))
}

// slackCode escapes text for an inline code span.
func slackCode(s string) string { return strings.ReplaceAll(Slack(s), "`", "'") }
