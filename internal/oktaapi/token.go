package oktaapi

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// redacted is what every printed form of a Token shows.
const redacted = "[redacted]"

// Token is an Okta API credential: an SSWS API token or an OAuth 2.0 access
// token. Its secret is only ever written into an Authorization header:
// String, GoString, Format and the JSON and text encodings all print
// "[redacted]", so a Token that ends up in a log line, an error or a file
// leaks nothing.
type Token struct {
	scheme string
	// secret returns the credential. A function, so that even printing a
	// struct that holds a Token in an unexported field (which fmt does by
	// reflection, not through Format) shows only an address.
	secret func() string
}

// Authorization schemes.
const (
	SchemeSSWS   = "SSWS"
	SchemeBearer = "Bearer"
)

// SSWSToken returns an Okta API token, sent as "Authorization: SSWS <token>".
func SSWSToken(value string) Token { return newToken(SchemeSSWS, value) }

// BearerToken returns an OAuth 2.0 access token, sent as
// "Authorization: Bearer <token>".
func BearerToken(value string) Token { return newToken(SchemeBearer, value) }

func newToken(scheme, value string) Token {
	value = strings.TrimSpace(value)
	if value == "" {
		return Token{}
	}
	return Token{scheme: scheme, secret: func() string { return value }}
}

// ParseToken reads a credential as stored in an environment variable or a
// file: "SSWS <token>" or "Bearer <token>" name their scheme (case-
// insensitively); a bare value is an SSWS API token.
func ParseToken(s string) Token {
	s = strings.TrimSpace(s)
	for _, scheme := range []string{SchemeSSWS, SchemeBearer} {
		if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) && (s[len(scheme)] == ' ' || s[len(scheme)] == '\t') {
			return newToken(scheme, s[len(scheme)+1:])
		}
	}
	return SSWSToken(s)
}

// IsZero reports whether the token is empty.
func (t Token) IsZero() bool { return t.secret == nil }

// Scheme returns "SSWS" or "Bearer" ("" for the zero Token).
func (t Token) Scheme() string { return t.scheme }

// String returns "[redacted]".
func (t Token) String() string { return redacted }

// GoString returns "[redacted]".
func (t Token) GoString() string { return redacted }

// Format prints "[redacted]" whatever the verb.
func (t Token) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// MarshalText returns "[redacted]": a Token is never stored.
func (t Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// header is the Authorization header value.
func (t Token) header() string {
	if t.secret == nil {
		return ""
	}
	return t.scheme + " " + t.secret()
}

// redact replaces every occurrence of the secret in s, in any of the forms
// a URL or a message may carry it (secretForms).
func (t Token) redact(s string) string {
	if t.secret == nil {
		return s
	}
	for _, form := range secretForms(t.secret()) {
		s = replaceEncoded(s, form, redacted)
	}
	return s
}

// leaks reports whether s contains the secret in any of its forms.
func (t Token) leaks(s string) bool {
	if t.secret == nil {
		return false
	}
	for _, form := range secretForms(t.secret()) {
		if start, _ := findEncoded(s, form, 0); start >= 0 {
			return true
		}
	}
	return false
}

// secretForms are the strings whose presence reveals the secret: the
// secret itself, and its base64 encodings (standard and URL alphabets) as
// they appear inside the encoding of a longer text, at each of the three
// alignments (a cursor or a state parameter may be base64 of a text holding
// the token). Each is also found percent-encoded (findEncoded). A base64
// form is left out when it would be shorter than 16 characters, where it
// could match by chance.
func secretForms(secret string) []string {
	forms := []string{secret}
	for skip := range 3 {
		if skip >= len(secret) {
			break
		}
		part := secret[skip:]
		part = part[:len(part)/3*3]
		if len(part) < 12 {
			continue
		}
		std := base64.StdEncoding.EncodeToString([]byte(part))
		forms = append(forms, std)
		if u := base64.URLEncoding.EncodeToString([]byte(part)); u != std {
			forms = append(forms, u)
		}
	}
	return forms
}

// findEncoded finds needle in s from index from, each byte of it written as
// itself or percent-encoded (%41 or %61 for "A" and "a", in either case,
// once or nested as %2541), as a URL may carry it. It returns the start and
// end of the first match, or -1, -1.
func findEncoded(s, needle string, from int) (int, int) {
	if needle == "" {
		return -1, -1
	}
	for i := from; i < len(s); i++ {
		if s[i] != needle[0] && s[i] != '%' {
			continue
		}
		if end := matchEncoded(s, needle, i); end >= 0 {
			return i, end
		}
	}
	return -1, -1
}

// matchEncoded returns the end of needle matched at s[i:] (see
// findEncoded), or -1.
func matchEncoded(s, needle string, i int) int {
	for k := 0; k < len(needle); k++ {
		if i < len(s) && s[i] == needle[k] {
			i++
			continue
		}
		b, n := percentByte(s, i)
		if n == 0 || b != needle[k] {
			return -1
		}
		i += n
	}
	return i
}

// percentByte decodes one percent-encoded byte at s[i:], unwrapping up to
// three levels of %25 nesting (%41, %2541 and %252541 are all "A"); n is
// the bytes it spans, 0 when s[i:] does not start one.
func percentByte(s string, i int) (b byte, n int) {
	if i >= len(s) || s[i] != '%' {
		return 0, 0
	}
	j := i + 1
	for level := 0; ; level++ {
		v, ok := hexByte(s, j)
		if !ok {
			if level == 0 {
				return 0, 0
			}
			return '%', j - i // a %25 not followed by two hex digits
		}
		j += 2
		if v != '%' || level == 2 {
			return v, j - i
		}
	}
}

// hexByte reads two hex digits at s[j:].
func hexByte(s string, j int) (byte, bool) {
	if j+2 > len(s) {
		return 0, false
	}
	hi, ok1 := unhex(s[j])
	lo, ok2 := unhex(s[j+1])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// replaceEncoded replaces every match of needle in s (see findEncoded).
func replaceEncoded(s, needle, with string) string {
	start, end := findEncoded(s, needle, 0)
	if start < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for start >= 0 {
		b.WriteString(s[last:start])
		b.WriteString(with)
		last = end
		start, end = findEncoded(s, needle, end)
	}
	b.WriteString(s[last:])
	return b.String()
}
