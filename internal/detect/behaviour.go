package detect

import (
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// timelineFindings turns the attack-pattern deviations of the timeline's
// flows into findings.
func timelineFindings(flows []timeline.Flow) []Finding {
	if len(flows) == 0 {
		return nil
	}
	t := timeline.Timeline{Flows: flows}
	rules := map[timeline.DeviationKind]Finding{
		timeline.MFAFatigue:       {Rule: "oktascope-mfa-fatigue", Title: "MFA push fatigue", Severity: "high"},
		timeline.SessionHijack:    {Rule: "oktascope-session-hijack", Title: "Session used from a second client", Severity: "critical"},
		timeline.RecoveryTakeover: {Rule: "oktascope-recovery-takeover", Title: "Account recovery followed by access from a new network", Severity: "critical"},
		timeline.ImpossibleTravel: {Rule: "oktascope-impossible-travel", Title: "Sign-ins from places too far apart for the time between them", Severity: "high"},
	}
	var out []Finding
	for _, d := range t.Deviations() {
		f, ok := rules[d.Kind]
		if !ok {
			continue
		}
		f.Source, f.Message, f.UUIDs, f.Count = "builtin", d.Message, d.UUIDs, len(d.UUIDs)
		f.Start, f.End = spanOf(d.Flow, d.UUIDs)
		f.Indicator = userOf(d.Flow.Actor.AlternateID, d.Flow.Actor.ID)
		if d.Kind == timeline.SessionHijack && d.Flow.Session != "" {
			f.Indicator = indicator.Indicator{Kind: indicator.Session, Value: d.Flow.Session}
		}
		out = append(out, withFollowUp(f))
	}
	return out
}

// spanOf is the time span of the cited events within a flow.
func spanOf(flow *timeline.Flow, uuids []string) (start, end time.Time) {
	cited := map[string]bool{}
	for _, u := range uuids {
		cited[u] = true
	}
	for _, s := range flow.Steps {
		if !cited[s.Event.UUID] {
			continue
		}
		if start.IsZero() || s.Event.Time.Before(start) {
			start = s.Event.Time
		}
		if s.Event.Time.After(end) {
			end = s.Event.Time
		}
	}
	if start.IsZero() {
		return flow.Start, flow.End
	}
	return start, end
}

// newAdminIP finds access to the Okta Admin Console from an IP address the
// admin was never seen using before, once the admin has a history.
type newAdminIP struct {
	seen    map[userIP]struct{} // every (user, IP address) pair seen
	history map[string]bool     // users seen from some IP address
}

type userIP struct{ user, ip string }

func newNewAdminIP() *newAdminIP {
	return &newAdminIP{seen: map[userIP]struct{}{}, history: map[string]bool{}}
}

// add notes the user's IP address (one map lookup for the common case of a
// pair seen before) and reports an admin console access from a new one.
func (n *newAdminIP) add(ev *logevent.Event) (Finding, bool) {
	pair := userIP{ev.Actor.ID, ev.Client.IPAddress}
	if pair.user == "" || pair.ip == "" || ev.Actor.Type != "User" {
		return Finding{}, false
	}
	if _, known := n.seen[pair]; known {
		return Finding{}, false
	}
	n.seen[pair] = struct{}{}
	hasHistory := n.history[pair.user]
	n.history[pair.user] = true
	if ev.EventType != "user.session.access_admin_app" || !hasHistory {
		return Finding{}, false
	}
	f := Finding{
		Rule: "oktascope-admin-console-new-ip", Title: "Admin Console accessed from a new IP address",
		Severity: "high", Source: "builtin", Start: ev.Time, End: ev.Time, Count: 1,
		Indicator: userOf(ev.Actor.AlternateID, pair.user),
		Message:   "first event of this admin from " + pair.ip,
		UUIDs:     []string{ev.UUID},
	}
	return withFollowUp(f), true
}

func lower(s string) string { return strings.ToLower(s) }
