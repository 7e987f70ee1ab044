package timeline

import (
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// TestOpenAttacksSeesAttacksEarly streams a generated log with the three
// planted incidents through a retiring Builder, asking OpenAttacks after
// every event: each attack deviation shows up in OpenAttacks as soon as
// the event that makes it is added (before its flow retires), every
// deviation it shows is one the final flows hold (the same kind, first
// event and indicator, with no event the final one lacks), and asking
// changes nothing in the flows the Builder finally publishes.
func TestOpenAttacksSeesAttacksEarly(t *testing.T) {
	events, incidents := samples.Generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true})
	if len(incidents) < 3 {
		t.Fatalf("%d incidents planted", len(incidents))
	}
	opts := Options{}
	want, _ := streamed(events, opts, time.Minute)

	b := NewBuilder(opts)
	var got []Flow
	var last time.Time
	type seen struct {
		kind  DeviationKind
		first string
	}
	earliest := map[seen]time.Time{} // when OpenAttacks first showed each deviation
	open := map[seen][]string{}      // the uuids it showed last
	for _, e := range events {
		if e.Time.Sub(last) >= time.Minute {
			got = append(got, b.RetireAttacks(e.Time)...)
			last = e.Time
		}
		b.Add(e)
		for _, f := range b.OpenAttacks() {
			for _, d := range f.Deviations {
				if !isAttack(d.Kind) {
					continue
				}
				k := seen{d.Kind, d.UUIDs[0]}
				if _, ok := earliest[k]; !ok {
					earliest[k] = e.Time
				}
				open[k] = d.UUIDs
			}
		}
	}
	got = append(got, b.Finish().Flows...)
	// RetireAttacks drops the flows without attacks: compare those with.
	var wantAttacks []Flow
	for _, f := range want {
		if slices.ContainsFunc(f.Deviations, func(d Deviation) bool { return isAttack(d.Kind) }) {
			wantAttacks = append(wantAttacks, f)
		}
	}
	var gotAttacks []Flow
	for _, f := range got {
		if slices.ContainsFunc(f.Deviations, func(d Deviation) bool { return isAttack(d.Kind) }) {
			gotAttacks = append(gotAttacks, f)
		}
	}
	sameFlows(t, wantAttacks, gotAttacks)

	final := map[seen][]string{}
	for _, f := range wantAttacks {
		for _, d := range f.Deviations {
			if isAttack(d.Kind) {
				final[seen{d.Kind, d.UUIDs[0]}] = d.UUIDs
			}
		}
	}
	if len(final) < 3 {
		t.Fatalf("only %d attack deviations in the log", len(final))
	}
	for k, uuids := range open {
		all, ok := final[k]
		if !ok {
			t.Errorf("OpenAttacks showed a %s deviation (first event %s) that the final flows do not hold", k.kind, k.first)
			continue
		}
		for _, u := range uuids {
			if !slices.Contains(all, u) {
				t.Errorf("OpenAttacks cited %s in a %s deviation, the final one does not", u, k.kind)
			}
		}
	}
	byUUID := map[string]time.Time{}
	for _, e := range events {
		byUUID[e.UUID] = e.Time
	}
	for k, all := range final {
		at, ok := earliest[k]
		if !ok {
			t.Errorf("%s deviation (first event %s) never showed in OpenAttacks", k.kind, k.first)
			continue
		}
		// It showed when the event that made it was added: no later than
		// the latest of the events it cites.
		latest := time.Time{}
		for _, u := range all {
			if byUUID[u].After(latest) {
				latest = byUUID[u]
			}
		}
		if at.After(latest) {
			t.Errorf("%s deviation showed at %s, after its last event at %s", k.kind, at, latest)
		}
	}
}

func isAttack(k DeviationKind) bool {
	return k == MFAFatigue || k == SessionHijack || k == RecoveryTakeover
}

// TestOpenAttacksChangesNothing asks OpenAttacks after every event of hand-
// built logs where a flow is still undecided when its attack shows (MFA
// challenges waiting for an app outcome, a recovery still watched): the
// flows Build publishes at the end are the same as without asking.
func TestOpenAttacksChangesNothing(t *testing.T) {
	hour := 3600
	cases := []struct {
		name  string
		build func(l *log)
	}{
		{"fatigue burst, then access granted to an app", func(l *log) {
			l.signin(0, "102S1", nil)
			for i := range 6 {
				l.add(ev{at: 600 + 20*i, typ: push, session: "102S1"})
			}
			l.add(ev{at: 740, typ: typeAuthViaMFA, session: "102S1", from: &attacker})
			l.add(ev{at: 741, typ: typeSSO, session: "102S1", from: &attacker, app: "Slack"})
		}},
		{"recovery takeover with more sign-ins after it", func(l *log) {
			l.signin(0, "102S1", nil)
			recoveryAt(l, hour, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(2*hour, "102S2", &attacker)
			l.signin(3*hour, "102S3", &attacker)
		}},
		{"session used from a second client, again and again", func(l *log) {
			l.signin(0, "102S1", nil)
			for i := range 4 {
				l.add(ev{at: 600 + 60*i, typ: typeSSO, session: "102S1", from: &attacker})
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLog(t)
			c.build(l)
			want := Build(slices.Values(l.events), Options{})
			b := NewBuilder(Options{})
			shown := 0
			for _, e := range l.events {
				b.Add(e)
				shown += len(b.OpenAttacks())
			}
			if shown == 0 {
				t.Fatal("OpenAttacks never showed the attack")
			}
			sameFlows(t, want.Flows, b.Finish().Flows)
		})
	}
}
