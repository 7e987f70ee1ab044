package oktaapi

import (
	"errors"
	"fmt"
	"io"
	"os"
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

// ReadTokenFile reads a credential from a file (see ParseToken). The error
// never quotes the file's content.
func ReadTokenFile(path string) (Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return Token{}, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return Token{}, fmt.Errorf("token file %s: %w", path, err)
	}
	t := ParseToken(string(b))
	if t.IsZero() {
		return Token{}, errors.New("token file " + path + " is empty")
	}
	return t, nil
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

// redact replaces every occurrence of the secret in s.
func (t Token) redact(s string) string {
	if t.secret == nil {
		return s
	}
	return strings.ReplaceAll(s, t.secret(), redacted)
}

// leaks reports whether s contains the secret.
func (t Token) leaks(s string) bool {
	return t.secret != nil && strings.Contains(s, t.secret())
}
