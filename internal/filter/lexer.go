package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/logevent"
)

// tokenKind classifies a token of the filter language.
type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokWord             // attribute path, operator or keyword
	tokString           // double-quoted JSON string
	tokNumber           // JSON number
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
	tokComma
)

// token is one lexeme with the 1-based line and column where it starts.
type token struct {
	kind   tokenKind
	text   string // source text as written
	value  string // unescaped value of a tokString
	line   int
	column int
}

// describe names the token for an error message, shortened to keep the
// message on one line.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "the end of the filter"
	}
	text := t.text
	if utf8.RuneCountInString(text) > 24 {
		text = string([]rune(text)[:24]) + "…"
	}
	return "'" + text + "'"
}

// lexer splits a filter into tokens. Whitespace, newlines included,
// separates tokens anywhere.
type lexer struct {
	src    string
	pos    int
	line   int
	column int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, column: 1} }

// tokens lexes the whole input.
func (l *lexer) tokens() ([]token, error) {
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tokEOF {
			return out, nil
		}
	}
}

func (l *lexer) next() (token, error) {
	l.skipSpace()
	start := token{line: l.line, column: l.column}
	if l.pos >= len(l.src) {
		return start, nil
	}
	c := l.src[l.pos]
	if kind, ok := punctuation[c]; ok {
		l.advance(1)
		start.kind, start.text = kind, string(c)
		return start, nil
	}
	switch {
	case c == '"':
		return l.lexString(start)
	case c == '-' || isDigit(c):
		return l.lexNumber(start)
	case isWordStart(c):
		n := l.spanWhile(isWordByte)
		start.kind, start.text = tokWord, l.src[l.pos:l.pos+n]
		l.advance(n)
		return start, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return start, l.errorAt(start, "unexpected character %q", r)
}

var punctuation = map[byte]tokenKind{
	'(': tokLParen, ')': tokRParen, '[': tokLBracket, ']': tokRBracket, ',': tokComma,
}

func (l *lexer) lexString(start token) (token, error) {
	end := l.pos + 1
	for end < len(l.src) && l.src[end] != '"' {
		if l.src[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(l.src) {
		return start, l.errorAt(start, "unterminated string")
	}
	text := l.src[l.pos : end+1]
	value, err := unquoteJSON(text)
	if err != nil {
		return start, l.errorAt(start, "invalid string %s: %v", text, err)
	}
	l.advance(len(text))
	start.kind, start.text, start.value = tokString, text, value
	return start, nil
}

func (l *lexer) lexNumber(start token) (token, error) {
	n := l.spanWhile(func(c byte) bool {
		return isDigit(c) || strings.IndexByte("+-.eE", c) >= 0
	})
	text := l.src[l.pos : l.pos+n]
	if _, err := strconv.ParseFloat(text, 64); err != nil || !logevent.IsJSONNumber([]byte(text)) {
		return start, l.errorAt(start, "invalid number '%s'", text)
	}
	l.advance(n)
	start.kind, start.text = tokNumber, text
	return start, nil
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\r', '\n', '\f', '\v':
			l.advance(1)
		default:
			return
		}
	}
}

// advance moves n bytes forward, keeping line and column (in runes).
func (l *lexer) advance(n int) {
	for _, r := range l.src[l.pos : l.pos+n] {
		if r == '\n' {
			l.line, l.column = l.line+1, 1
		} else {
			l.column++
		}
	}
	l.pos += n
}

func (l *lexer) spanWhile(ok func(byte) bool) int {
	n := 0
	for l.pos+n < len(l.src) && ok(l.src[l.pos+n]) {
		n++
	}
	return n
}

func (l *lexer) errorAt(t token, format string, args ...any) error {
	return &SyntaxError{Line: t.line, Column: t.column, Msg: fmt.Sprintf(format, args...), multiline: strings.Contains(l.src, "\n")}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordStart(c byte) bool {
	return c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isWordByte(c byte) bool { return isWordStart(c) || isDigit(c) || c == '.' || c == '-' }
