package timeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// TestSynthIncidents checks that every incident planted by internal/synth
// is flagged with the right deviation kind and the right events, on small
// logs of several seeds, in orgs of both engines.
func TestSynthIncidents(t *testing.T) {
	for _, classic := range []bool{false, true} {
		for _, seed := range []int64{1, 2, 3} {
			events, incidents := samples.Generated(t, synth.Options{Seed: seed, Events: 8000, Incidents: true, Travel: true, Classic: classic})
			if len(incidents) != 4 {
				t.Fatalf("%d incidents", len(incidents))
			}
			tl := buildAll(events)
			for _, inc := range incidents {
				checkIncident(t, seed, tl, inc, index(events))
			}
		}
	}
}

// TestSynthBenign runs 100k events of an org of each engine: the planted
// incidents are found, and the benign traffic around them (the same log
// without the incidents' events) raises no session_hijack, mfa_fatigue,
// impossible_travel, incomplete or out_of_order deviation, while every flow
// of the article is reconstructed complete.
func TestSynthBenign(t *testing.T) {
	if testing.Short() {
		t.Skip("100k events")
	}
	for _, classic := range []bool{false, true} {
		t.Run(map[bool]string{false: "article", true: "classic"}[classic], func(t *testing.T) {
			synthBenign(t, synth.Options{Seed: 7, Events: 101000, Incidents: true, Travel: true, Classic: classic})
		})
	}
}

func synthBenign(t *testing.T, opts synth.Options) {
	events, incidents := samples.Generated(t, opts)
	byUUID := index(events)
	tl := buildAll(events)
	planted := map[string]bool{}
	for _, inc := range incidents {
		checkIncident(t, 7, tl, inc, byUUID)
		for _, id := range inc.EventUUIDs {
			planted[id] = true
		}
	}
	benign := slices.DeleteFunc(slices.Clone(events), func(e *logevent.Event) bool { return planted[e.UUID] })
	if len(benign) < 100000 {
		t.Fatalf("only %d benign events", len(benign))
	}
	btl := buildAll(benign)
	counts := map[DeviationKind]int{}
	for _, d := range deviations(btl) {
		counts[d.Kind]++
	}
	for _, k := range []DeviationKind{SessionHijack, MFAFatigue, ImpossibleTravel, Incomplete, OutOfOrder} {
		if n := counts[k]; n > 0 {
			t.Errorf("%d %s deviations on benign traffic: %s", n, k, dump(ofKind(btl, k)[:min(n, 3)]))
		}
	}
	engines := map[Engine]int{}
	for _, f := range btl.Flows {
		if f.Kind == KindSignin {
			engines[f.Engine]++
		}
	}
	if want := map[bool]Engine{false: EngineIdentity, true: EngineClassic}[opts.Classic]; engines[want] < len(btl.Flows)/10 {
		t.Errorf("sign-ins by engine %v: too few %q", engines, want)
	}
	t.Logf("benign: %d events, %d flows, deviations %v, recoveries %d, sign-ins by engine %v", len(benign), len(btl.Flows), counts, countKinds(btl, KindSSPR)+countKinds(btl, KindSSU), engines)
	checkComplete(t, btl)
}

func buildAll(events []*logevent.Event) Timeline {
	return Build(slices.Values(events), Options{})
}

func index(events []*logevent.Event) map[string]*logevent.Event {
	m := make(map[string]*logevent.Event, len(events))
	for _, e := range events {
		m[e.UUID] = e
	}
	return m
}

func countKinds(tl Timeline, k Kind) int {
	n := 0
	for _, f := range tl.Flows {
		if f.Kind == k {
			n++
		}
	}
	return n
}

// checkIncident compares the deviations citing an incident's events with its
// ground truth.
func checkIncident(t *testing.T, seed int64, tl Timeline, inc synth.Incident, byUUID map[string]*logevent.Event) {
	t.Helper()
	in := map[string]bool{}
	for _, id := range inc.EventUUIDs {
		in[id] = true
	}
	typed := func(types ...string) []string {
		var out []string
		for _, id := range inc.EventUUIDs {
			if slices.Contains(types, byUUID[id].EventType) {
				out = append(out, id)
			}
		}
		return out
	}
	var kind DeviationKind
	switch inc.Kind {
	case synth.MFAPushFatigue:
		kind = MFAFatigue
	case synth.PasswordResetTakeover:
		kind = RecoveryTakeover
	case synth.SessionHijack:
		kind = SessionHijack
	case synth.ImpossibleTravel:
		kind = ImpossibleTravel
	}
	var found []FlowDeviation
	for _, fd := range tl.Deviations() {
		if fd.Kind == kind && slices.ContainsFunc(fd.UUIDs, func(id string) bool { return in[id] }) {
			found = append(found, fd)
		}
	}
	if len(found) == 0 {
		t.Errorf("seed %d: %s of %s not flagged as %s", seed, inc.Kind, inc.UserLogin, kind)
		return
	}
	switch inc.Kind {
	case synth.MFAPushFatigue:
		d := found[0]
		assertSubset(t, seed, inc, d.UUIDs, in)
		assertCites(t, seed, inc, d.UUIDs, typed("system.push.send_factor_verify_push"))
		if len(found) != 1 || !strings.Contains(d.Message, "followed by a successful MFA verification") {
			t.Errorf("seed %d: fatigue deviations %s", seed, dump([]Deviation{d.Deviation}))
		}
	case synth.PasswordResetTakeover:
		i := slices.IndexFunc(found, func(fd FlowDeviation) bool {
			return fd.Flow.Kind == KindSSPR && in[fd.Flow.Steps[0].Event.UUID]
		})
		if i < 0 {
			t.Errorf("seed %d: the attacker's password reset is not flagged: %s", seed, dump([]Deviation{found[0].Deviation}))
			return
		}
		assertVictim(t, seed, inc, found[i].UUIDs, in, byUUID)
		assertCites(t, seed, inc, found[i].UUIDs, typed(typeActivate, typeSSO, typeSessionInit, typeVerify,
			"system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password"))
	case synth.SessionHijack:
		d := found[0]
		if len(found) != 1 || !in[d.UUIDs[0]] || !slices.Equal(d.UUIDs[1:], inc.AttackerEventUUIDs) {
			t.Errorf("seed %d: hijack cites %v, want a victim event then %v", seed, d.UUIDs, inc.AttackerEventUUIDs)
		}
		if d.Flow.Session != inc.SessionIDs[0] {
			t.Errorf("seed %d: hijack in session %q, want %q", seed, d.Flow.Session, inc.SessionIDs[0])
		}
	case synth.ImpossibleTravel:
		// The journey there, and maybe back: the victim's next sign-in at
		// home.
		// The victim's sign-in before the attacker's (the planted one at
		// home, or a later one of the victim's own), then the attacker's.
		there := func(fd FlowDeviation) bool {
			from, to := byUUID[fd.UUIDs[0]], fd.UUIDs[1]
			return from.EventType == typeSessionInit && subjectOf(from).ID == inc.UserID && from.ClientIP() != inc.AttackerIP &&
				slices.Contains(inc.AttackerEventUUIDs, to) && byUUID[to].EventType == typeSessionInit
		}
		if !slices.ContainsFunc(found, there) {
			t.Errorf("seed %d: travel deviations %v, want one citing a sign-in of the victim, then the attacker's", seed, found)
		}
		for _, fd := range found {
			if !slices.ContainsFunc(fd.UUIDs, func(id string) bool { return slices.Contains(inc.AttackerEventUUIDs, id) }) {
				t.Errorf("seed %d: travel deviation cites none of the attacker's events: %v", seed, fd.UUIDs)
			}
		}
	}
}

func assertSubset(t *testing.T, seed int64, inc synth.Incident, cited []string, in map[string]bool) {
	t.Helper()
	for _, id := range cited {
		if !in[id] {
			t.Errorf("seed %d: %s deviation cites %s, not an event of the incident", seed, inc.Kind, id)
		}
	}
}

// assertVictim checks that the events a takeover cites beyond the
// incident's are sign-ins or factor changes of the victim (from networks new
// since the recovery, which the rule cannot tell from the attacker's).
func assertVictim(t *testing.T, seed int64, inc synth.Incident, cited []string, in map[string]bool, byUUID map[string]*logevent.Event) {
	t.Helper()
	extra := 0
	for _, id := range cited {
		if in[id] {
			continue
		}
		extra++
		e := byUUID[id]
		if subjectOf(e).ID != inc.UserID || !(isSignin(e) || isFactorChange(e.EventType)) {
			t.Errorf("seed %d: %s deviation cites %s (%s), not an event of the incident", seed, inc.Kind, id, e.EventType)
		}
	}
	if extra > 0 {
		t.Logf("seed %d: %s deviation also cites %d later sign-ins of the victim from networks new since the recovery", seed, inc.Kind, extra)
	}
}

func assertCites(t *testing.T, seed int64, inc synth.Incident, cited, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("seed %d: %s: nothing to look for", seed, inc.Kind)
	}
	for _, id := range want {
		if !slices.Contains(cited, id) {
			t.Errorf("seed %d: %s deviation does not cite %s", seed, inc.Kind, id)
		}
	}
}

// checkComplete checks that generated traffic holds a complete, clean flow
// of every kind of the article, and sign-ins with every MFA challenge.
func checkComplete(t *testing.T, tl Timeline) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range tl.Flows {
		if !f.Complete || len(f.Deviations) > 0 {
			continue
		}
		key := string(f.Kind)
		if f.Kind == KindAppSignin && slices.ContainsFunc(f.Steps, func(s Step) bool { return s.Event.EventType == typeDenyAccess }) {
			key = "app_signin denied"
		}
		seen[key] = true
		for _, s := range f.Steps {
			if f.Kind == KindSignin && strings.HasPrefix(s.Label, "3/4 MFA events: ") {
				seen["signin with "+s.Event.EventType] = true
			}
		}
	}
	for _, want := range []string{"signin", "app_signin", "sspr", "ssu", "logout", "mfa_change",
		"signin with " + push, "signin with " + emailOTP, "signin with " + smsOTP, "signin with " + voiceOTP,
		"signin with " + smsEnroll, "signin with " + voiceEnrol, "signin with " + activate, "signin with " + viaMFA} {
		if !seen[want] {
			t.Errorf("no complete %s flow in generated traffic", want)
		}
	}
}
