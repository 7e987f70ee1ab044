package timeline

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// streamed runs events through a Builder that retires what it can whenever
// the clock has moved by every (0: before each event), as oktascope detect
// does. It returns every flow (retired, then those Finish returns) and the
// most flows the Builder held at once.
func streamed(events []*logevent.Event, opts Options, every time.Duration) (flows []Flow, held int) {
	b := NewBuilder(opts)
	var last time.Time
	for _, e := range events {
		if e.Time.Sub(last) >= every {
			flows = append(flows, b.Retire(e.Time)...)
			last = e.Time
		}
		b.Add(e)
		held = max(held, len(b.flows)-b.retired)
	}
	return append(flows, b.Finish().Flows...), held
}

// flowText writes down everything a flow holds, for comparisons.
func flowText(f Flow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s %v %s–%s complete=%v\n", f.Kind, f.Session, f.Engine, f.Actor.key(), f.Transactions, stamp(f.Start), stamp(f.End), f.Complete)
	for _, s := range f.Steps {
		fmt.Fprintf(&b, "  %s %d %q\n", s.Event.UUID, s.Position, s.Label)
	}
	for _, d := range f.Deviations {
		fmt.Fprintf(&b, "  ! %s %q %s\n", d.Kind, d.Message, strings.Join(d.UUIDs, ","))
	}
	return b.String()
}

// sameFlows reports the first difference between two sets of flows (order
// aside: retired flows come out in batches).
func sameFlows(t *testing.T, want, got []Flow) {
	t.Helper()
	texts := func(flows []Flow) []string {
		out := make([]string, len(flows))
		for i, f := range flows {
			out[i] = flowText(f)
		}
		slices.Sort(out)
		return out
	}
	w, g := texts(want), texts(got)
	if len(w) != len(g) {
		t.Errorf("%d flows streamed, %d built", len(g), len(w))
	}
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			t.Fatalf("flow %d differs:\nbuilt:\n%s\nstreamed:\n%s", i, w[i], g[i])
		}
	}
}

// TestRetireKeepsLateChanges covers the deviations that change after their
// flow stops taking events: each must come out of a streaming Builder as it
// comes out of Build.
func TestRetireKeepsLateChanges(t *testing.T) {
	hour := 3600
	tests := []struct {
		name  string
		opts  Options
		build func(l *log)
		want  DeviationKind
	}{
		{"session hijack cited again hours later", Options{}, func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 2 * hour, typ: typeSSO, from: &attacker})
			l.add(ev{at: 5 * hour, typ: typeSSO, from: &attacker})
			l.add(ev{at: 20 * hour, typ: typeSSO, from: &attacker})
		}, SessionHijack},
		{"recovery takeover a day after the reset", Options{}, func(l *log) {
			l.signin(0, "102S1", nil)
			recoveryAt(l, hour, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(23*hour, "102S2", &attacker)
			l.signin(26*hour, "102S3", &attacker) // past the window: not cited
		}, RecoveryTakeover},
		{"recovery window shorter than the join window", Options{RecoveryWindow: 10 * time.Minute}, func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: hour, typ: "system.email.password_reset.sent_message"})
			l.add(ev{at: hour + 20*60, typ: "user.account.reset_password"})
			l.signin(hour+25*60, "102S2", &attacker)
		}, RecoveryTakeover},
		{"fatigue answered after the join window", Options{FatigueWindow: time.Hour}, func(l *log) {
			l.signin(0, "102S1", nil)
			for i := range 5 {
				l.add(ev{at: 600 + 60*i, typ: push, session: "-"})
			}
			l.add(ev{at: 600 + 4*60 + 50*60, typ: typeAuthViaMFA, session: "-", from: &attacker})
		}, MFAFatigue},
		{"fatigue burst going on in another session", Options{}, func(l *log) {
			for i := range 5 { // the deviation goes to this session's flow
				l.add(ev{at: 60 * i, typ: push, session: "102S1"})
			}
			for i := range 13 { // which stops taking events while the burst goes on
				l.add(ev{at: 300 + 300*i, typ: push, session: "102S2"})
			}
		}, MFAFatigue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t)
			tt.build(l)
			built := Build(slices.Values(l.events), tt.opts)
			if len(ofKind(built, tt.want)) == 0 {
				t.Fatalf("no %s deviation to compare: %s", tt.want, dump(deviations(built)))
			}
			got, _ := streamed(l.events, tt.opts, 0)
			sameFlows(t, built.Flows, got)
		})
	}
}

// TestRetireForgetsSessions checks that an event bringing back the id of a
// session Retire forgot starts the session afresh (the bound docs/timeline.md
// states), even while the user's record still names the forgotten session
// as its latest: the session is not compared with its old client.
func TestRetireForgetsSessions(t *testing.T) {
	l := newLog(t)
	l.signin(0, "102S1", nil)
	back := l.add(ev{at: 24*3600 + 1200, typ: typeSSO, from: &attacker})
	if len(ofKind(Build(slices.Values(l.events), Options{}), SessionHijack)) == 0 {
		t.Fatal("Build flags no session_hijack: nothing to compare")
	}
	b := NewBuilder(Options{})
	for _, e := range l.events[:len(l.events)-1] {
		b.Add(e)
	}
	start := l.events[0].Time
	flows := b.Retire(start.Add(24 * time.Hour)) // prunes the users' records
	// Within JoinWindow of that: forgets the session, leaves the records.
	flows = append(flows, b.Retire(start.Add(24*time.Hour+10*time.Minute))...)
	b.Add(l.events[len(l.events)-1])
	tl := Timeline{Flows: append(flows, b.Finish().Flows...)}
	if d := ofKind(tl, SessionHijack); len(d) > 0 {
		t.Errorf("the forgotten session was compared with its old client: %s", dump(d))
	}
	if f := tl.Flows[len(tl.Flows)-1]; f.Session != "102S1" || f.Steps[0].Event.UUID != back {
		t.Errorf("last flow %s in session %q, want %s in 102S1", f.Steps[0].Event.UUID, f.Session, back)
	}
}

// TestRetireOnSynth compares, on generated traffic with the planted
// incidents, the flows and deviations of a streaming Builder with those of
// Build, and checks that the streaming Builder holds a window of the log,
// not the log.
func TestRetireOnSynth(t *testing.T) {
	if testing.Short() {
		t.Skip("50k events")
	}
	tests := []struct {
		seed     int64
		events   int
		duration time.Duration
		opts     Options
		every    time.Duration
		classic  bool // a Classic Engine org
	}{
		{seed: 11, events: 50000, duration: 72 * time.Hour, every: time.Minute},
		{seed: 12, events: 20000, duration: 48 * time.Hour, opts: Options{FatigueCount: 3, JoinWindow: 10 * time.Minute, RecoveryWindow: 2 * time.Hour}, every: 0},
		{seed: 13, events: 30000, duration: 48 * time.Hour, every: time.Minute, classic: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.seed), func(t *testing.T) {
			events, _ := samples.Generated(t, synth.Options{Seed: tt.seed, Users: 150, Events: tt.events, Duration: tt.duration,
				Incidents: true, Travel: true, Classic: tt.classic})
			built := Build(slices.Values(events), tt.opts)
			got, held := streamed(events, tt.opts, tt.every)
			sameFlows(t, built.Flows, got)
			kinds := map[DeviationKind]int{}
			for _, d := range deviations(built) {
				kinds[d.Kind]++
			}
			for _, k := range []DeviationKind{MFAFatigue, SessionHijack, RecoveryTakeover, ImpossibleTravel} {
				if kinds[k] == 0 {
					t.Errorf("no %s deviation: the comparison misses the planted incidents", k)
				}
			}
			var attacks []Flow // what oktascope detect asks for
			b := NewBuilder(tt.opts)
			for _, e := range events {
				attacks = append(attacks, b.RetireAttacks(e.Time)...)
				b.Add(e)
			}
			attacks = append(attacks, b.Finish().Flows...)
			sameFlows(t, withAttacks(built.Flows), withAttacks(attacks))
			if held*4 > len(built.Flows) {
				t.Errorf("the streaming Builder held up to %d of %d flows", held, len(built.Flows))
			}
			t.Logf("%d events, %d flows, at most %d held; deviations %v", len(events), len(built.Flows), held, kinds)
		})
	}
}

// withAttacks returns the flows holding an mfa_fatigue, session_hijack or
// recovery_takeover deviation.
func withAttacks(flows []Flow) []Flow {
	return slices.DeleteFunc(slices.Clone(flows), func(f Flow) bool {
		return !slices.ContainsFunc(f.Deviations, func(d Deviation) bool {
			return d.Kind == MFAFatigue || d.Kind == SessionHijack || d.Kind == RecoveryTakeover || d.Kind == ImpossibleTravel
		})
	})
}
