package filter

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Okta's limits on the q parameter.
const (
	MaxKeywords      = 10
	MaxKeywordLength = 40
)

// Keywords is a parsed keyword search (Okta's q parameter): every keyword
// must occur, case-insensitively, in the event's text fields.
type Keywords struct {
	words []string // lower-case; hyphenated keywords split into parts
}

// ParseKeywords parses a q value: whitespace-separated keywords, at most
// MaxKeywords of at most MaxKeywordLength characters, as Okta allows.
// Hyphenated keywords are split into their parts, each of which must occur.
func ParseKeywords(q string) (*Keywords, error) {
	fields := strings.Fields(q)
	if len(fields) > MaxKeywords {
		return nil, fmt.Errorf("q: %d keywords; at most %d are allowed", len(fields), MaxKeywords)
	}
	k := &Keywords{}
	for _, f := range fields {
		if n := len([]rune(f)); n > MaxKeywordLength {
			return nil, fmt.Errorf("q: keyword %q is %d characters; at most %d are allowed", f, n, MaxKeywordLength)
		}
		for _, part := range strings.Split(f, "-") {
			if part != "" {
				k.words = append(k.words, strings.ToLower(part))
			}
		}
	}
	return k, nil
}

// Words returns the lower-case keywords every event must contain.
func (k *Keywords) Words() []string { return k.words }

// Empty reports whether there is no keyword (every event matches).
func (k *Keywords) Empty() bool { return k == nil || len(k.words) == 0 }

// Match reports whether every keyword occurs in the event's text fields:
// displayMessage, eventType, actor, target, client, outcome and debugData.
func (k *Keywords) Match(e *logevent.Event) bool {
	if k.Empty() {
		return true
	}
	text := strings.ToLower(SearchText(e))
	for _, w := range k.words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// SearchText joins the event's text fields that keyword search looks at,
// separated by newlines.
func SearchText(e *logevent.Event) string {
	var b strings.Builder
	add := func(values ...string) {
		for _, v := range values {
			if v != "" {
				b.WriteString(v)
				b.WriteByte('\n')
			}
		}
	}
	add(e.DisplayMessage, e.EventType)
	a := e.Actor
	add(a.ID, a.Type, a.AlternateID, a.DisplayName)
	for _, t := range e.Target {
		add(t.ID, t.Type, t.AlternateID, t.DisplayName)
	}
	c := e.Client
	g := c.GeographicalContext
	add(c.IPAddress, c.ID, c.Zone, c.Device, c.UserAgent.RawUserAgent, c.UserAgent.OS, c.UserAgent.Browser, g.City, g.State, g.Country, g.PostalCode)
	add(e.Outcome.Result, e.Outcome.Reason)
	for _, v := range e.DebugContext.DebugData.Map() {
		if s, ok := v.(string); ok {
			add(s)
		}
	}
	return b.String()
}
