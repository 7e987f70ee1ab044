package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// networks records when a user was first seen on each IP address, ASN and
// country, from events the user performed.
type networks struct {
	first map[netKey]time.Time
	since time.Time // the user's first event with a client
	known bool      // since is set
	// okta holds when Okta first called the ASN or country of an event of
	// the user a new country for the user (debugData.behaviors).
	okta map[netKey]time.Time
	// oktaKnown holds the ASNs and countries of events Okta called neither a
	// new country nor a new geo-location for the user.
	oktaKnown map[netKey]bool
}

// netKey is one network attribute of an event: an IP address, an ASN or a
// country.
type netKey struct {
	kind  byte // 'i' IP, 'a' ASN, 'c' country
	value string
}

// netKeys returns the network attributes of an event, without allocating.
func netKeys(e *logevent.Event) (keys [3]netKey, n int) {
	if ip := clientIP(e); ip != "" {
		keys[n] = netKey{'i', ip}
		n++
	}
	if a := asn(e); a != "" {
		keys[n] = netKey{'a', a}
		n++
	}
	if c := e.Client.GeographicalContext.Country; c != "" && c != "null" {
		keys[n] = netKey{'c', c}
		n++
	}
	return keys, n
}

// text describes a network attribute of e.
func (k netKey) text(e *logevent.Event) string {
	switch k.kind {
	case 'i':
		return "IP " + k.value
	case 'a':
		return "ASN " + withOrg(k.value, e.SecurityContext.AsOrg)
	}
	return "country " + k.value
}

// record notes the client of an event.
func (n *networks) record(e *logevent.Event) {
	keys, count := netKeys(e)
	if count == 0 {
		return
	}
	if n.first == nil {
		n.first = map[netKey]time.Time{}
	}
	for _, k := range keys[:count] {
		if _, ok := n.first[k]; !ok {
			n.first[k] = e.Time
		}
	}
	if !n.known || e.Time.Before(n.since) {
		n.since, n.known = e.Time, true
	}
}

// noteOkta records the verdict of Okta's own risk engine on the network of
// e, from debugData.behaviors: a new country for the user, or neither a new
// country nor a new geo-location.
func (n *networks) noteOkta(e *logevent.Event) {
	country, geo, ok := oktaBehaviors(e)
	if !ok {
		return
	}
	keys, count := netKeys(e)
	for _, k := range keys[:count] {
		switch {
		case k.kind == 'i':
		case country == "POSITIVE":
			if n.okta == nil {
				n.okta = map[netKey]time.Time{}
			}
			if _, seen := n.okta[k]; !seen {
				n.okta[k] = e.Time
			}
		case country == "NEGATIVE" && geo == "NEGATIVE":
			if n.oktaKnown == nil {
				n.oktaKnown = map[netKey]bool{}
			}
			n.oktaKnown[k] = true
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

// newSince describes the network of e if the user was not seen on it
// before t: a new ASN or a new country; a new IP address only when the
// event names neither (carriers and NAT pools rotate addresses within one
// network). An ASN or country that Okta's risk engine, with its longer
// memory, called neither a new country nor a new geo-location for the user
// is not new. When the events hold no activity of the user before t, it
// falls back on Okta's verdict alone: an ASN or country Okta called a new
// country for the user at or after t. It returns nil when the network is
// not new.
func (n *networks) newSince(e *logevent.Event, t time.Time) []string {
	if !n.known || !n.since.Before(t) {
		return n.newByOkta(e, t)
	}
	keys, count := netKeys(e)
	var fresh []string
	wider, widerNew := false, false
	for _, k := range keys[:count] {
		first, ok := n.first[k]
		isNew := (!ok || !first.Before(t)) && !n.oktaKnown[k]
		if isNew {
			fresh = append(fresh, k.text(e))
		}
		if k.kind != 'i' {
			wider = true
			widerNew = widerNew || isNew
		}
	}
	if wider && !widerNew {
		return nil
	}
	return fresh
}

// newByOkta describes the network of e if Okta called it a new country for
// the user at or after t.
func (n *networks) newByOkta(e *logevent.Event, t time.Time) []string {
	keys, count := netKeys(e)
	for _, k := range keys[:count] {
		if first, ok := n.okta[k]; ok && !first.Before(t) {
			var out []string
			for _, k := range keys[:count] {
				out = append(out, k.text(e))
			}
			out[len(out)-1] += " (a new country for the user, says Okta)"
			return out
		}
	}
	return nil
}

// recoveryWatch follows a user after a password reset or unlock.
type recoveryWatch struct {
	done    bool // finished by Retire
	flow    *flowState
	dev     *Deviation
	changes []string // event types of the factor changes that followed
	signins []string // descriptions of the sign-ins from new networks
	cited   []string // uuids of the events that matched
}

// checkRecovery starts a watch when a recovery flow begins, and matches the
// event against the user's watches.
func (b *Builder) checkRecovery(e *logevent.Event, p placement, u *userState, fs *flowState, admin bool) {
	if (fs.kind == KindSSPR || fs.kind == KindSSU) && !fs.watched && (p.number == 1 || p.number == 2) {
		fs.watched = true
		w := &recoveryWatch{flow: fs}
		fs.watch = w
		u.watches = append(u.watches, w)
		b.watches = append(b.watches, w)
	}
	if len(u.watches) == 0 {
		return
	}
	// What the watches look for: an MFA factor change or a sign-in the user
	// performed (not a recovery step, not a failure).
	change := isFactorChange(e.EventType)
	candidate := p.role != roleSSPR && p.role != roleSSU && !admin && !failed(e) && (change || isSignin(e))
	kept := u.watches[:0]
	for _, w := range u.watches {
		if e.Time.Sub(w.flow.last) > b.opts.RecoveryWindow {
			continue
		}
		kept = append(kept, w)
		if candidate {
			w.match(e, u, change)
		}
	}
	clear(u.watches[len(kept):])
	u.watches = kept
}

// match flags e, an MFA factor change (change) or a sign-in the user
// performed, if it comes from a network not seen before the recovery
// began.
func (w *recoveryWatch) match(e *logevent.Event, u *userState, change bool) {
	if e.Time.Before(w.flow.start) {
		return
	}
	fresh := u.seen.newSince(e, w.flow.start)
	if len(fresh) == 0 {
		return
	}
	what := fmt.Sprintf("%s from %s", e.EventType, strings.Join(fresh, ", "))
	if change {
		w.changes = append(w.changes, what)
	} else {
		w.signins = append(w.signins, what)
	}
	w.cite(e)
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
		what, userText(w.flow.actor), stamp(w.flow.start), duration(opts.RecoveryWindow), strings.Join(parts, " and "))
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
