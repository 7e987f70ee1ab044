package render

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The bounds of an event's JSON as DisplayJSON shows it. An event is
// hostile: 60 KB of nesting, indented as json.Indent does, costs the square
// of its depth (10,000 levels: 200 MB), and one string may be megabytes
// long. The view indents at most jsonMaxDepth levels (deeper objects and
// arrays are shown as {…} and […]), shows at most jsonMaxString bytes of a
// string or number, and stops after jsonMaxBytes; past any bound it says
// the event was shortened (the UI then offers the raw event as a
// download).
const (
	jsonMaxDepth  = 32
	jsonMaxString = 8 << 10
	jsonMaxBytes  = 256 << 10
)

// JSONView is an event's JSON as a reader sees it.
type JSONView struct {
	Text      string // indented, TerminalUnsafe characters as JSON \u escapes
	Shortened bool   // a bound was reached: the raw event holds more
}

// DisplayJSON indents an event's original JSON for reading, within the
// bounds above, keeping its keys, their order and its strings' own
// escapes. Characters a reader could be fooled by (controls, bidirectional
// and invisible characters) are written as JSON \u escapes, which leaves
// the JSON's meaning unchanged. It scans the bytes once and never
// recurses, whatever the input. Text that is not JSON is shown as Terminal
// shows it, at most jsonMaxBytes of it.
func DisplayJSON(raw []byte) JSONView {
	if !json.Valid(raw) {
		shown := raw[:min(len(raw), jsonMaxBytes)]
		for len(shown) > 0 && len(shown) < len(raw) && !utf8.RuneStart(raw[len(shown)]) {
			shown = shown[:len(shown)-1]
		}
		v := JSONView{Text: Terminal(string(shown)), Shortened: len(shown) < len(raw)}
		if v.Shortened {
			v.Text += "…"
		}
		return v
	}
	p := &jsonPrinter{raw: raw}
	p.print()
	return JSONView{Text: p.out.String(), Shortened: p.shortened}
}

type jsonPrinter struct {
	raw       []byte
	i         int // next byte of raw
	out       strings.Builder
	depth     int
	shortened bool
}

func (p *jsonPrinter) full() bool { return p.out.Len() >= jsonMaxBytes }

func (p *jsonPrinter) print() {
	for p.skipSpace(); p.i < len(p.raw); p.skipSpace() {
		if p.full() {
			p.out.WriteString("\n…")
			p.shortened = true
			return
		}
		switch c := p.raw[p.i]; c {
		case '{', '[':
			p.open(c)
		case '}', ']':
			p.i++
			p.depth = max(p.depth-1, 0)
			p.newline()
			p.out.WriteByte(c)
		case ',':
			p.i++
			p.out.WriteByte(',')
			p.newline()
		case ':':
			p.i++
			p.out.WriteString(": ")
		case '"':
			p.str()
		default:
			p.literal()
		}
	}
}

// open writes an object or array's opening bracket, or the whole of an
// empty one, or {…} for one nested deeper than jsonMaxDepth.
func (p *jsonPrinter) open(c byte) {
	closing := byte('}')
	if c == '[' {
		closing = ']'
	}
	if p.depth >= jsonMaxDepth {
		p.skipValue()
		p.out.WriteByte(c)
		p.out.WriteString("…")
		p.out.WriteByte(closing)
		p.shortened = true
		return
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.raw) && p.raw[p.i] == closing {
		p.i++
		p.out.WriteByte(c)
		p.out.WriteByte(closing)
		return
	}
	p.out.WriteByte(c)
	p.depth++
	p.newline()
}

func (p *jsonPrinter) newline() {
	p.out.WriteByte('\n')
	for range p.depth {
		p.out.WriteString("  ")
	}
}

func (p *jsonPrinter) skipSpace() {
	for p.i < len(p.raw) {
		switch p.raw[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// stringEnd returns the index just past the string that starts at i (or
// the end of the input).
func (p *jsonPrinter) stringEnd(i int) int {
	for i++; i < len(p.raw); i++ {
		switch p.raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(p.raw)
}

// skipValue skips the object or array that starts at p.i, brackets counted
// and strings skipped whole.
func (p *jsonPrinter) skipValue() {
	level := 0
	for p.i < len(p.raw) {
		switch p.raw[p.i] {
		case '"':
			p.i = p.stringEnd(p.i)
			continue
		case '{', '[':
			level++
		case '}', ']':
			level--
		}
		p.i++
		if level == 0 {
			return
		}
	}
}

// str writes a string as it is written in the event, at most jsonMaxString
// bytes of it.
func (p *jsonPrinter) str() {
	end := p.stringEnd(p.i)
	p.clipped(p.raw[p.i:end], true)
	p.i = end
}

// literal writes a number, true, false or null (or whatever else stands
// there in a malformed event) up to the next delimiter.
func (p *jsonPrinter) literal() {
	start := p.i
	for p.i++; p.i < len(p.raw); p.i++ {
		if strings.IndexByte(" \t\r\n,:{}[]\"", p.raw[p.i]) >= 0 {
			break
		}
	}
	p.clipped(p.raw[start:p.i], false)
}

// clipped writes a token, cut after jsonMaxString bytes (on a character
// boundary, never inside an escape) with a mark saying how long it was.
func (p *jsonPrinter) clipped(tok []byte, quoted bool) {
	if len(tok) <= jsonMaxString {
		p.out.WriteString(JSONText(string(tok)))
		return
	}
	cut := jsonMaxString
	for cut > 0 && !utf8.RuneStart(tok[cut]) {
		cut--
	}
	// Step back over a backslash escape the cut would split (\" \\ \uXXXX).
	if k := strings.LastIndexByte(string(tok[max(cut-6, 0):cut]), '\\'); k >= 0 {
		cut = max(cut-6, 0) + k
	}
	p.out.WriteString(JSONText(string(tok[:cut])))
	fmt.Fprintf(&p.out, "…(%d bytes in all)", len(tok))
	if quoted {
		p.out.WriteByte('"')
	}
	p.shortened = true
}
