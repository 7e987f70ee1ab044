package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// networks records what is known of each IP address, ASN and country a
// user performed events from.
type networks struct {
	attrs map[netKey]*netSeen
	since time.Time // the user's first event with a client
	known bool      // since is set
	// The attributes of the latest sighting and their records: a user's
	// events mostly come from the network of the one before, or differ in
	// the IP address only.
	lastKeys  [netAttrs]netKey
	lastAttrs [netAttrs]*netSeen
}

// netSeen is what a user's record holds of one network attribute.
type netSeen struct {
	seen  bool      // the user performed an event from it
	first time.Time // the first such event's time
	// oktaNew is set when Okta called it a new country for the user
	// (debugData.behaviors), first at oktaFirst.
	oktaNew   bool
	oktaFirst time.Time
	// oktaKnown is set when Okta called it neither a new country nor a new
	// geo-location for the user.
	oktaKnown bool
}

// netKey is one network attribute of an event: an IP address, an ASN or a
// country.
type netKey struct {
	kind  byte // 'i' IP, 'a' ASN, 'c' country
	value string
}

// netAttrs is how many network attributes an event has at most.
const netAttrs = 3

// text describes a network attribute of client c.
func (k netKey) text(c client) string {
	switch k.kind {
	case 'i':
		return "IP " + k.value
	case 'a':
		return "ASN " + withOrg(k.value, c.asOrg)
	}
	return "country " + k.value
}

// sighting is an event's client and the user's record of its network
// attributes: the rules an event goes through look them up once.
type sighting struct {
	client client
	keys   [netAttrs]netKey
	attrs  [netAttrs]*netSeen
	n      int
}

// sight looks up (creating) the record of the network attributes of c.
func (n *networks) sight(c client) sighting {
	s := sighting{client: c}
	for _, k := range [...]netKey{{'i', c.ip}, {'a', c.asn}, {'c', c.country}} {
		if k.value != "" {
			s.keys[s.n] = k
			s.n++
		}
	}
	for i, k := range s.keys[:s.n] {
		if k == n.lastKeys[i] {
			s.attrs[i] = n.lastAttrs[i]
		} else {
			s.attrs[i] = n.attr(k)
		}
	}
	n.lastKeys, n.lastAttrs = s.keys, s.attrs
	return s
}

// attr returns the record of k, creating it.
func (n *networks) attr(k netKey) *netSeen {
	a := n.attrs[k]
	if a == nil {
		if n.attrs == nil {
			n.attrs = map[netKey]*netSeen{}
		}
		a = &netSeen{}
		n.attrs[k] = a
	}
	return a
}

// record notes that the user was on the network s sights at t.
func (n *networks) record(s *sighting, t time.Time) {
	if s.n == 0 {
		return
	}
	for _, a := range s.attrs[:s.n] {
		if !a.seen {
			a.seen, a.first = true, t
		}
	}
	if !n.known || t.Before(n.since) {
		n.since, n.known = t, true
	}
}

// noteOkta records the verdict of Okta's own risk engine on the network of
// e, sighted in s, from debugData.behaviors: a new country for the user, or
// neither a new country nor a new geo-location.
func (s *sighting) noteOkta(e *logevent.Event) {
	country, geo, ok := oktaBehaviors(e)
	if !ok {
		return
	}
	for i, a := range s.attrs[:s.n] {
		switch {
		case s.keys[i].kind == 'i':
		case country == "POSITIVE":
			if !a.oktaNew {
				a.oktaNew, a.oktaFirst = true, e.Time
			}
		case country == "NEGATIVE" && geo == "NEGATIVE":
			a.oktaKnown = true
		}
	}
}

// oktaBehaviors reads "New Country" and "New Geo-Location" from
// debugData.behaviors, a string such as "{New Country=POSITIVE, …}" or an
// object.
func oktaBehaviors(e *logevent.Event) (country, geo string, ok bool) {
	behaviors, _ := e.DebugContext.DebugData.Get("behaviors")
	switch b := behaviors.(type) {
	case string:
		return behavior(b, "New Country"), behavior(b, "New Geo-Location"), true
	case map[string]any:
		country, _ = b["New Country"].(string)
		geo, _ = b["New Geo-Location"].(string)
		return country, geo, true
	}
	return "", "", false
}

// behavior returns the value of name in "{name=VALUE, …}".
func behavior(s, name string) string {
	_, rest, ok := strings.Cut(s, name+"=")
	if !ok {
		return ""
	}
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		end = len(rest)
	}
	return strings.TrimSpace(rest[:end])
}

// newSince describes the network of an event, sighted in s, if the user
// was not seen on it before t: a new ASN or a new country; a new IP address
// only when the event names neither (carriers and NAT pools rotate
// addresses within one network). An ASN or country that Okta's risk
// engine, with its longer memory, called neither a new country nor a new
// geo-location for the user is not new. When the events hold no activity
// of the user before t, it falls back on Okta's verdict alone: an ASN or
// country Okta called a new country for the user at or after t. It returns
// nil when the network is not new.
func (n *networks) newSince(s *sighting, t time.Time) []string {
	if !n.known || !n.since.Before(t) {
		return s.newByOkta(t)
	}
	isNew, netNew := s.newAt(t)
	if !netNew {
		return nil
	}
	// Described only now: most sign-ins come from a known network.
	var fresh []string
	for i, k := range s.keys[:s.n] {
		if isNew[i] {
			fresh = append(fresh, k.text(s.client))
		}
	}
	return fresh
}

// newAt reports which network attributes of s the user was not seen on
// before t (and Okta did not vouch for), and whether they make the network
// new (see newSince). An attribute seen before t was seen before any later
// time: what is not new at t is not new later either.
func (s *sighting) newAt(t time.Time) (isNew [netAttrs]bool, netNew bool) {
	wider, widerNew := false, false
	for i, a := range s.attrs[:s.n] {
		isNew[i] = !(a.seen && a.first.Before(t)) && !a.oktaKnown
		netNew = netNew || isNew[i]
		if s.keys[i].kind != 'i' {
			wider = true
			widerNew = widerNew || isNew[i]
		}
	}
	return isNew, netNew && (!wider || widerNew)
}

// knownSince reports whether the network s sights is known at t, and so to
// every watch that began at or after t: newSince finds nothing new in it.
func (n *networks) knownSince(s *sighting, t time.Time) bool {
	if !n.known || !n.since.Before(t) {
		return false
	}
	_, netNew := s.newAt(t)
	return !netNew
}

// newByOkta describes the network of an event, sighted in s, if Okta called
// it a new country for the user at or after t.
func (s *sighting) newByOkta(t time.Time) []string {
	for _, a := range s.attrs[:s.n] {
		if a.oktaNew && !a.oktaFirst.Before(t) {
			var out []string
			for _, k := range s.keys[:s.n] {
				out = append(out, k.text(s.client))
			}
			out[len(out)-1] += " (a new country for the user, says Okta)"
			return out
		}
	}
	return nil
}

// recoveryWatch follows a user after a password reset or unlock.
type recoveryWatch struct {
	flow    *flowState
	dev     *Deviation
	changes []string // event types of the factor changes that followed
	signins []string // descriptions of the sign-ins from new networks
	cited   []string // uuids of the events that matched
}

// checkRecovery starts a watch when a recovery flow begins, and matches the
// event, whose network s sights (nil for an administrator's action),
// against the user's watches.
func (b *Builder) checkRecovery(e *logevent.Event, s *sighting, p placement, u *userState, fs *flowState, admin bool) {
	if (fs.kind == KindSSPR || fs.kind == KindSSU) && !fs.watched && (p.number == 1 || p.number == 2) {
		u.watch(fs)
	}
	if len(u.watched) == 0 {
		return
	}
	// What the watches look for: an MFA factor change or a sign-in the user
	// performed (not a recovery step, not a failure), from a network new
	// since one of them began.
	candidate := p.role != roleSSPR && p.role != roleSSU && !admin && !e.Outcome.Failed()
	change := candidate && p.change
	candidate = candidate && (change || isSignin(e)) && !u.seen.knownSince(s, u.watchStart)
	if !candidate && e.Time.Sub(u.watchFloor) <= b.opts.RecoveryWindow {
		return // nothing to match, no watch expired
	}
	kept, floor, start := u.watched[:0], e.Time, e.Time
	for _, rf := range u.watched {
		if e.Time.Sub(rf.last) > b.opts.RecoveryWindow {
			continue
		}
		kept = append(kept, rf)
		floor, start = earliest(floor, rf.last), earliest(start, rf.start)
	}
	clear(u.watched[len(kept):])
	u.watched, u.watchFloor, u.watchStart = kept, floor, start
	// An event that follows several recoveries belongs to the latest one
	// whose watch it matches: one attack, one takeover.
	for i := len(kept) - 1; candidate && i >= 0; i-- {
		if kept[i].watch.match(e, s, u, change) {
			break
		}
	}
}

// watch starts following u after the recovery flow fs.
func (u *userState) watch(fs *flowState) {
	fs.watched = true
	fs.watch = &recoveryWatch{flow: fs}
	if len(u.watched) == 0 {
		u.watchFloor, u.watchStart = fs.last, fs.start
	} else {
		u.watchFloor, u.watchStart = earliest(u.watchFloor, fs.last), earliest(u.watchStart, fs.start)
	}
	u.watched = append(u.watched, fs)
}

// earliest returns the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// match flags e, an MFA factor change (change) or a sign-in the user
// performed, if it comes from a network, sighted in s, not seen before the
// recovery began, and reports whether it did.
func (w *recoveryWatch) match(e *logevent.Event, s *sighting, u *userState, change bool) bool {
	if e.Time.Before(w.flow.start) {
		return false
	}
	fresh := u.seen.newSince(s, w.flow.start)
	if len(fresh) == 0 {
		return false
	}
	what := fmt.Sprintf("%s from %s", e.EventType, strings.Join(fresh, ", "))
	if change {
		w.changes = append(w.changes, what)
	} else {
		w.signins = append(w.signins, what)
	}
	w.cite(e)
	return true
}

// isSignin reports whether the event marks a sign-in from the user's
// client: user.session.start, user.authentication.verify, or an
// user.authentication.sso in a session (without one, Okta often logs it
// when the app's back end redeems a token, from the back end's address).
func isSignin(e *logevent.Event) bool {
	switch e.EventType {
	case typeSessionInit, typeVerify:
		return true
	case typeSSO:
		return sessionID(e) != ""
	}
	return false
}

// cite adds e to the watch's deviation, creating it in the recovery flow.
func (w *recoveryWatch) cite(e *logevent.Event) {
	if w.dev == nil {
		w.dev = &Deviation{Kind: RecoveryTakeover}
		w.flow.attach(w.dev)
	}
	w.cited = append(w.cited, e.UUID)
}

// finish writes the deviation's message.
func (w *recoveryWatch) finish(opts Options) {
	if w.dev == nil {
		return
	}
	what := "password reset (SSPR)"
	if w.flow.kind == KindSSU {
		what = "account unlock (SSU)"
	}
	var parts []string
	if n := len(w.changes); n > 0 {
		parts = append(parts, fmt.Sprintf("%d MFA factor change(s) from a network not seen before the recovery: %s", n, strings.Join(dedupe(w.changes), "; ")))
	}
	if n := len(w.signins); n > 0 {
		parts = append(parts, fmt.Sprintf("%d sign-in(s) from a network not seen before the recovery: %s", n, strings.Join(dedupe(w.signins), "; ")))
	}
	w.dev.UUIDs = nil
	for _, e := range w.flow.events {
		w.dev.UUIDs = append(w.dev.UUIDs, e.UUID)
	}
	w.dev.UUIDs = append(w.dev.UUIDs, w.cited...)
	w.dev.Message = fmt.Sprintf("%s of %s at %s followed within %s by %s",
		what, userText(w.flow.user.actor), stamp(w.flow.start), timewindow.Format(opts.RecoveryWindow), strings.Join(parts, " and "))
}

// dedupe returns the distinct strings of s, in order of first appearance.
func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
