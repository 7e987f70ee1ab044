package filter

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unquoteJSON decodes a double-quoted JSON string literal, including its
// escapes (\" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs).
func unquoteJSON(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", errors.New("not a quoted string")
	}
	s = s[1 : len(s)-1]
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	if !strings.ContainsAny(s, `\"`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			return "", errors.New("unescaped quote")
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("dangling backslash")
		}
		n, err := unescape(&b, s[i:])
		if err != nil {
			return "", err
		}
		i += n
	}
	return b.String(), nil
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unescape writes the escape at the start of s and returns its length.
func unescape(b *strings.Builder, s string) (int, error) {
	if r, ok := simpleEscapes[s[1]]; ok {
		b.WriteByte(r)
		return 2, nil
	}
	if s[1] != 'u' {
		return 0, errors.New("invalid escape \\" + string(s[1]))
	}
	r, err := hex4(s[2:])
	if err != nil {
		return 0, err
	}
	if utf16.IsSurrogate(r) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if low, err := hex4(s[8:]); err == nil {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				b.WriteRune(pair)
				return 12, nil
			}
		}
	}
	b.WriteRune(r)
	return 6, nil
}

func hex4(s string) (rune, error) {
	if len(s) < 4 {
		return 0, errors.New("short \\u escape")
	}
	v, err := strconv.ParseUint(s[:4], 16, 16)
	if err != nil {
		return 0, errors.New("invalid \\u escape")
	}
	return rune(v), nil
}

// Quote returns s as a double-quoted JSON string literal, the form filter
// values take. Quotes, backslashes and control characters are escaped, so a
// quoted value can never change the structure of the filter around it.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029':
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)|0x10000, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
