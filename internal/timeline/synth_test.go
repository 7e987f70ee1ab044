package timeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// TestSynthIncidents checks that every incident planted by internal/synth
// is flagged with the right deviation kind and the right events, on small
// logs of several seeds.
func TestSynthIncidents(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		events, incidents := synthEvents(t, seed, 8000, true)
		tl := buildAll(events)
		for _, inc := range incidents {
			checkIncident(t, seed, tl, inc, index(events))
		}
	}
}

// TestSynthBenign runs 100k events: the planted incidents are found, and the
// benign traffic around them (the same log without the incidents' events)
// raises no session_hijack and no mfa_fatigue deviation, while every flow of
// the article is reconstructed complete.
func TestSynthBenign(t *testing.T) {
	if testing.Short() {
		t.Skip("100k events")
	}
	events, incidents := synthEvents(t, 7, 101000, true)
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
	for _, k := range []DeviationKind{SessionHijack, MFAFatigue, ImpossibleTravel} {
		if n := counts[k]; n > 0 {
			t.Errorf("%d %s deviations on benign traffic: %s", n, k, dump(ofKind(btl, k)[:min(n, 3)]))
		}
	}
	t.Logf("benign: %d events, %d flows, deviations %v, recoveries %d", len(benign), len(btl.Flows), counts, countKinds(btl, KindSSPR)+countKinds(btl, KindSSU))
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
