package timeline

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
)

var classicLabels = []string{"1/4 session started", "2/4 sign-on policy evaluated"}

func classicMFA(labels ...string) []string {
	out := slices.Clone(classicLabels)
	for _, l := range labels {
		out = append(out, "3/4 MFA events: "+l)
	}
	return out
}

// TestClassicFlows reconstructs Classic Engine sign-ins: one flow each,
// complete when they complete as Classic Engine does, Classic, and with no
// deviation; MFA joins its sign-in across sessions only when its
// authnRequestId names the sign-in.
func TestClassicFlows(t *testing.T) {
	tests := []struct {
		name  string
		build func(l *log)
		want  []summary
	}{
		{"push in another session", func(l *log) { classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push, viaMFA) },
			[]summary{{KindSignin, "102C1", true, classicMFA("Okta Verify push sent", "MFA verification attempted")}}},
		{"TOTP with no session", func(l *log) { classicSignin(l, 0, nil, "CHALLENGE", "102C1", "unknown", viaMFA) },
			[]summary{{KindSignin, "102C1", true, classicMFA("MFA verification attempted")}}},
		{"enrolment", func(l *log) { classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", smsEnroll, activate) },
			[]summary{{KindSignin, "102C1", true, classicMFA("SMS OTP sent (enrolment)", "MFA factor enrolled")}}},
		{"no MFA required", func(l *log) { classicSignin(l, 0, nil, "ALLOW", "102C1", "") },
			[]summary{{KindSignin, "102C1", true, classicLabels}}},
		{"then an app with step-up MFA", func(l *log) {
			classicSignin(l, 0, nil, "ALLOW", "102C1", "")
			l.add(ev{at: 60, typ: push, session: "102C1", uri: "/api/v1/authn/factors/opf1/verify"})
			l.add(ev{at: 70, typ: viaMFA, session: "102C1", uri: "/api/v1/authn/factors/opf1/verify"})
			l.add(ev{at: 71, typ: typeSSO, session: "102C1"})
		}, []summary{{KindSignin, "102C1", true, classicLabels},
			{KindAppSignin, "102C1", true, []string{"1/2 Multifactor Authentication events: Okta Verify push sent",
				"1/2 Multifactor Authentication events: MFA verification attempted", "2/2 app access granted"}}}},
		{"then an app sign-on policy", func(l *log) {
			classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push, viaMFA)
			l.add(ev{at: 60, typ: typePolicy, session: "102C2", result: "ALLOW"})
			l.add(ev{at: 61, typ: typeSSO, session: "102C2"})
		}, []summary{{KindSignin, "102C1", true, classicMFA("Okta Verify push sent", "MFA verification attempted")},
			{KindAppSignin, "102C2", true, []string{"sign-on policy evaluated", "2/2 app access granted"}}}},
		{"another user's MFA is not tied", func(l *log) {
			classicSignin(l, 0, nil, "ALLOW", "102C1", "")
			l.add(ev{at: 5, typ: viaMFA, who: &bob, session: "102B", tx: "TXB", authn: "TX0"})
		}, []summary{{KindSignin, "102C1", true, classicLabels},
			{KindMFA, "102B", true, []string{"1/2 MFA verification attempted"}}}},
	}
	if len(tests) == 0 {
		t.Fatal("no cases")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tl := cleanFlows(t, tt.build, tt.want); len(tl.Flows) == 0 || tl.Flows[0].Engine != EngineClassic {
				t.Errorf("flows %+v: the first is not a Classic one", summarize(tl))
			}
		})
	}
}

// TestClassicDeviations checks that an abandoned Classic sign-in is still
// incomplete, a failed one denied, and that fatigue, hijack and takeover
// are found on Classic sign-ins as on the Identity Engine's.
func TestClassicDeviations(t *testing.T) {
	t.Run("abandoned", func(t *testing.T) {
		l := newLog(t)
		ids := classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push)
		tl := l.build()
		inc := ofKind(tl, Incomplete)
		if len(inc) != 1 || !slices.Equal(inc[0].UUIDs, ids) ||
			inc[0].Message != `Classic Engine sign-in challenged by the sign-on policy, MFA never verified; missing "3/4 MFA events"` {
			t.Errorf("incomplete = %s", dump(inc))
		}
		if tl.Flows[0].Complete {
			t.Error("an abandoned sign-in is complete")
		}
	})
	t.Run("MFA denied", func(t *testing.T) {
		l := newLog(t)
		classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push)
		l.add(ev{at: 30, typ: viaMFA, session: "102C2", tx: "TXF", authn: "TX0", result: "FAILURE", reason: "INVALID_CREDENTIALS"})
		tl := l.build()
		if len(tl.Flows) != 1 || len(ofKind(tl, Denied)) != 1 || len(ofKind(tl, Incomplete)) != 0 {
			t.Errorf("flows %+v, deviations %s", summarize(tl), dump(deviations(tl)))
		}
	})
	t.Run("fatigue", func(t *testing.T) {
		l := newLog(t)
		classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push, push, push, push, push)
		tl := l.build()
		if len(tl.Flows) != 1 || len(ofKind(tl, MFAFatigue)) != 1 {
			t.Errorf("flows %+v, deviations %s", summarize(tl), dump(deviations(tl)))
		}
	})
	t.Run("hijack of the session the MFA made", func(t *testing.T) {
		l := newLog(t)
		classicSignin(l, 0, nil, "CHALLENGE", "102C1", "102C2", push, viaMFA)
		l.add(ev{at: 60, typ: typeSSO, session: "102C2"})
		stolen := l.add(ev{at: 600, typ: typeSSO, session: "102C2", from: &attacker})
		tl := l.build()
		h := ofKind(tl, SessionHijack)
		if len(h) != 1 || !slices.Contains(h[0].UUIDs, stolen) {
			t.Errorf("hijack = %s", dump(h))
		}
	})
	t.Run("takeover", func(t *testing.T) {
		l := newLog(t)
		l.signin(0, "102OLD", nil) // the victim's history, from home
		l.add(ev{at: 3600, typ: "system.email.password_reset.sent_message", system: true, from: &attacker})
		l.add(ev{at: 3660, typ: "user.account.reset_password", from: &attacker})
		l.add(ev{at: 3690, typ: "user.account.update_password", from: &attacker})
		l.add(ev{at: 3720, typ: typeSessionInit, session: "102C1", tx: "TXT", uri: "/api/v1/authn", from: &attacker})
		l.add(ev{at: 3720, typ: typePolicy, session: "102C1", tx: "TXT", uri: "/api/v1/authn", result: "CHALLENGE", from: &attacker})
		l.add(ev{at: 3730, typ: viaMFA, session: "102C2", tx: "TXU", authn: "TXT", from: &attacker})
		tl := l.build()
		if len(ofKind(tl, RecoveryTakeover)) != 1 {
			t.Errorf("deviations %s", dump(deviations(tl)))
		}
		if i := slices.IndexFunc(tl.Flows, func(f Flow) bool { return f.Session == "102C1" }); i < 0 || !tl.Flows[i].Complete || tl.Flows[i].Engine != EngineClassic {
			t.Errorf("flows %+v", summarize(tl))
		}
	})
}

// TestClassicFixture reads testdata/classic-engine.ndjson, a Classic
// Engine org's sign-ins written from Okta's documented Classic sequence
// (docs/timeline.md): every flow is reconstructed complete, the sign-ins
// as Classic, with no deviation.
func TestClassicFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "classic-engine.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []*logevent.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		e, err := logevent.Decode(slices.Clone(sc.Bytes()))
		if err != nil {
			t.Fatalf("line %d: %v", len(events)+1, err)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	tl := Build(slices.Values(events), Options{})
	signins := 0
	for _, fl := range tl.Flows {
		if !fl.Complete || len(fl.Deviations) > 0 {
			t.Errorf("%s flow of %s in %s: complete %v, deviations %s", fl.Kind, fl.Actor.AlternateID, fl.Session, fl.Complete, dump(fl.Deviations))
		}
		if fl.Kind == KindSignin {
			signins++
			if fl.Engine != EngineClassic {
				t.Errorf("sign-in in %s: engine %q", fl.Session, fl.Engine)
			}
		}
	}
	if signins < 3 {
		t.Fatalf("%d sign-ins in the fixture: %+v", signins, summarize(tl))
	}
}
