package store

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// A prefilter excludes events that a residual filter (evaluated in Go)
// cannot match, from the bytes of their JSON alone, before they are
// decoded. It can only exclude: an event it lets through is decoded and
// tested as before, so results are the filter's exactly.
//
// It rests on one fact: in JSON without a backslash, every string is
// written as its bytes. So when an event's JSON holds no backslash, a
// string value that equals, starts with, contains or ends with a literal
// holds the literal's bytes, and so does the JSON. The literal must be one
// that only a string value can match: not a time (compared as an instant),
// not a number or boolean word (compared with numbers and booleans, whose
// JSON may be written otherwise), and holding a byte that no number or
// boolean's text can hold (sw, co and ew read numbers and booleans as
// text). JSON with a backslash always passes.
//
// The filter's requirements are kept as clauses, all of which must hold,
// each a list of literals one of which must occur: "and" joins its terms'
// clauses, "or" of terms that each require something requires one of
// their literals. not, ne, ordering, pr and null comparisons require
// nothing.
type prefilter struct {
	clauses [][]literal
}

// literal is a literal's bytes and the position of the byte a search
// looks for first: the rarest in the store's events (see anchor), found
// by bytes.IndexByte at memory speed, where the first byte of a literal
// such as "user.mfa." stops the search at every "u" of the JSON.
type literal struct {
	text []byte
	at   int
}

// newPrefilter returns the prefilter of e, or nil when e requires nothing
// of the JSON's bytes.
func newPrefilter(e filter.Expr) *prefilter {
	clauses := requirements(e)
	if len(clauses) == 0 {
		return nil
	}
	p := &prefilter{}
	for _, c := range clauses {
		alts := make([]literal, len(c))
		for i, lit := range c {
			alts[i] = literal{text: []byte(lit)}
		}
		p.clauses = append(p.clauses, alts)
	}
	return p
}

// anchor has each literal searched by its rarest byte according to
// counts, the number of times each byte occurs in a sample of the store's
// JSON (nil: first bytes).
func (p *prefilter) anchor(counts *[256]int) {
	if p == nil || counts == nil {
		return
	}
	for _, alts := range p.clauses {
		for i := range alts {
			lit := &alts[i]
			for j, c := range lit.text {
				if counts[c] < counts[lit.text[lit.at]] {
					lit.at = j
				}
			}
		}
	}
}

// in reports whether the literal occurs in raw.
func (l *literal) in(raw []byte) bool {
	a, n := l.text[l.at], len(l.text)
	for i := l.at; i < len(raw); {
		j := bytes.IndexByte(raw[i:], a)
		if j < 0 {
			return false
		}
		j += i
		if start := j - l.at; start+n <= len(raw) && bytes.Equal(raw[start:start+n], l.text) {
			return true
		}
		i = j + 1
	}
	return false
}

// mayMatch reports whether an event with this JSON may match the filter.
func (p *prefilter) mayMatch(raw []byte) bool {
	if p == nil || bytes.IndexByte(raw, '\\') >= 0 {
		return true
	}
	for _, alts := range p.clauses {
		found := false
		for i := range alts {
			if alts[i].in(raw) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// requirements returns the clauses an event's JSON must satisfy to match
// e (none: nil).
func requirements(e filter.Expr) [][]string {
	switch x := e.(type) {
	case *filter.And:
		var out [][]string
		for _, t := range x.Terms {
			out = append(out, requirements(t)...)
		}
		return out
	case *filter.Or:
		var alts []string
		for _, t := range x.Terms {
			c := requirements(t)
			if len(c) == 0 {
				return nil
			}
			alts = append(alts, strongest(c)...)
		}
		return [][]string{alts}
	case *filter.Compare:
		switch x.Op {
		case filter.Eq, filter.Sw, filter.Co, filter.Ew:
			if stringOnly(x.Value) {
				return [][]string{{x.Value.Str}}
			}
		}
	case *filter.In:
		var alts []string
		for _, l := range x.Values {
			if !stringOnly(l) {
				return nil
			}
			alts = append(alts, l.Str)
		}
		if len(alts) > 0 {
			return [][]string{alts}
		}
	}
	return nil
}

// strongest picks, of clauses, the one whose shortest literal is longest:
// likely the rarest in the JSON.
func strongest(clauses [][]string) []string {
	best, bestLen := clauses[0], -1
	for _, c := range clauses {
		shortest := len(c[0])
		for _, lit := range c {
			shortest = min(shortest, len(lit))
		}
		if shortest > bestLen {
			best, bestLen = c, shortest
		}
	}
	return best
}

// stringOnly reports whether lit can only match a string value whose text
// holds lit's bytes (see prefilter).
func stringOnly(lit filter.Literal) bool {
	s := lit.Str
	if lit.Kind != filter.LitString || s == "" || !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return false
	}
	if _, err := logevent.ParseTime(s); err == nil {
		return false
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return false
	}
	if strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
		return false
	}
	// The text of a number (strconv.FormatFloat: digits, sign, point,
	// NaN, Inf) or of a boolean is made of these bytes only.
	return strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789+-.NaInftruels", r) })
}
