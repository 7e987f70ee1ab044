package timeline

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// client is what session_hijack compares between the events of a session.
type client struct {
	ip, asn, asOrg, country, userAgent string
}

// clientOf returns the client of e, whose ASN (asn(e)) is asnText.
func clientOf(e *logevent.Event, asnText string) client {
	c := client{ip: e.ClientIP(), asn: asnText, asOrg: e.SecurityContext.AsOrg, userAgent: e.Client.UserAgent.RawUserAgent}
	if country := e.Client.GeographicalContext.Country; country != "null" {
		c.country = country
	}
	return c
}

// fill copies into c the fields it lacks from o, so that a field absent from
// the session's first events is not reported as a change.
func (c *client) fill(o client) {
	if c.ip == "" {
		c.ip = o.ip
	}
	if c.asn == "" {
		c.asn, c.asOrg = o.asn, o.asOrg
	}
	if c.country == "" {
		c.country = o.country
	}
	if c.userAgent == "" {
		c.userAgent = o.userAgent
	}
}

// changes describes how o differs from c, comparing only fields both have.
func (c client) changes(o client) []string {
	var out []string
	differ := func(a, b string) bool { return a != "" && b != "" && a != b }
	if differ(c.ip, o.ip) {
		out = append(out, fmt.Sprintf("IP %s → %s", c.ip, o.ip))
	}
	if differ(c.asn, o.asn) {
		out = append(out, fmt.Sprintf("ASN %s → %s", withOrg(c.asn, c.asOrg), withOrg(o.asn, o.asOrg)))
	}
	if differ(c.country, o.country) {
		out = append(out, fmt.Sprintf("country %s → %s", c.country, o.country))
	}
	if differ(c.userAgent, o.userAgent) {
		out = append(out, fmt.Sprintf("user agent %q → %q", c.userAgent, o.userAgent))
	}
	return out
}

func withOrg(asn, org string) string {
	if org == "" {
		return asn
	}
	return asn + " (" + org + ")"
}

// hijackState follows the client of one session.
type hijackState struct {
	base    client // the client of the session's first events
	set     bool
	prev    string                // uuid of the previous event compared
	changed map[client]*Deviation // one deviation per new client
	holders []*flowState          // the flows the deviations are attached to
}

// checkHijack compares an event of session s, performed by the session's
// user from client c, with the session's first client. Each new client
// makes one session_hijack deviation, citing the event before its first
// appearance and every event it performs in the session.
func (b *Builder) checkHijack(s *sessionState, e *logevent.Event, c client, fs *flowState) {
	if e.Actor.ID == "" || e.Actor.ID != s.user {
		return
	}
	if c.ip == "" && c.userAgent == "" {
		return
	}
	h := &s.hijack
	if !h.set {
		h.base, h.set, h.prev = c, true, e.UUID
		return
	}
	h.base.fill(c)
	if changes := h.base.changes(c); len(changes) > 0 {
		d := h.deviation(c, changes, s, fs)
		d.UUIDs = append(d.UUIDs, e.UUID)
	}
	h.prev = e.UUID
}

// deviation returns the deviation of a new client, creating it in fs.
func (h *hijackState) deviation(c client, changes []string, s *sessionState, fs *flowState) *Deviation {
	if d := h.changed[c]; d != nil {
		return d
	}
	if h.changed == nil {
		h.changed = map[client]*Deviation{}
	}
	d := &Deviation{
		Kind:    SessionHijack,
		Message: fmt.Sprintf("client changed inside session %s: %s", s.id, strings.Join(changes, "; ")),
		UUIDs:   []string{h.prev},
	}
	h.changed[c] = d
	fs.attach(d)
	fs.open++
	h.holders = append(h.holders, fs)
	return d
}
