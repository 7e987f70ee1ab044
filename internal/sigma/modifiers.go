package sigma

import (
	"fmt"
	"strings"
)

// modifiers are the field modifiers of one detection key ("field|contains|all").
type modifiers struct {
	kind    string // "", contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte
	all     bool   // every value must match, not any
	reFlags string // i, m, s: flags of |re
}

// kindModifiers choose how a value is compared; at most one may appear.
var kindModifiers = map[string]bool{
	"contains": true, "startswith": true, "endswith": true, "re": true,
	"cidr": true, "exists": true, "gt": true, "gte": true, "lt": true, "lte": true,
}

// reFlagModifiers are the Sigma regular-expression flags and their Go form.
var reFlagModifiers = map[string]string{
	"i": "i", "ignorecase": "i", "m": "m", "multiline": "m", "s": "s", "dotall": "s",
}

// unsupportedModifiers are Sigma modifiers that transform values for
// Windows logs or reference other fields; none applies to Okta's JSON.
var unsupportedModifiers = map[string]bool{
	"base64": true, "base64offset": true, "utf16": true, "utf16le": true, "utf16be": true,
	"wide": true, "windash": true, "expand": true, "fieldref": true, "neq": true,
}

// parseKey splits a detection key into its field name and modifiers.
func parseKey(key string) (string, modifiers, error) {
	parts := strings.Split(key, "|")
	var m modifiers
	for _, raw := range parts[1:] {
		if err := m.add(strings.ToLower(strings.TrimSpace(raw))); err != nil {
			return "", m, fmt.Errorf("key %q: %w", key, err)
		}
	}
	if m.reFlags != "" && m.kind != "re" {
		return "", m, fmt.Errorf("key %q: the flags |i, |m and |s apply only to |re", key)
	}
	if m.all && m.kind == "exists" {
		return "", m, fmt.Errorf("key %q: |all cannot be combined with |exists", key)
	}
	return strings.TrimSpace(parts[0]), m, nil
}

func (m *modifiers) add(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty field modifier")
	case name == "all":
		m.all = true
	case name == "cased":
		// Matching is already case-sensitive, as in Okta's filter.
	case kindModifiers[name]:
		if m.kind != "" {
			return fmt.Errorf("field modifiers |%s and |%s cannot be combined", m.kind, name)
		}
		m.kind = name
	case reFlagModifiers[name] != "":
		m.reFlags += reFlagModifiers[name]
	case unsupportedModifiers[name]:
		return fmt.Errorf("field modifier |%s is not supported for Okta events", name)
	default:
		return fmt.Errorf("unknown field modifier |%s", name)
	}
	return nil
}

// patToken is one piece of a Sigma string value: a literal run, or a
// wildcard ('*' any run of characters, '?' one character).
type patToken struct {
	wild byte
	lit  string
}

// parsePattern splits a Sigma string value into literals and wildcards.
// A backslash escapes '*', '?' and itself; any other backslash is literal.
func parsePattern(s string) []patToken {
	var out []patToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, patToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`*?\`, s[i+1]) >= 0:
			lit.WriteByte(s[i+1])
			i++
		case c == '*' || c == '?':
			flush()
			out = appendWild(out, c)
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

// appendWild adds a wildcard, merging runs of '*'.
func appendWild(p []patToken, w byte) []patToken {
	if w == '*' && len(p) > 0 && p[len(p)-1].wild == '*' {
		return p
	}
	return append(p, patToken{wild: w})
}

// hasWildcard reports whether p holds any wildcard.
func hasWildcard(p []patToken) bool {
	for _, t := range p {
		if t.wild != 0 {
			return true
		}
	}
	return false
}

// patternText prints p back as a Sigma value, for messages.
func patternText(p []patToken) string {
	var b strings.Builder
	for _, t := range p {
		if t.wild != 0 {
			b.WriteByte(t.wild)
			continue
		}
		b.WriteString(strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(t.lit))
	}
	return b.String()
}
