package timeline

import (
	"reflect"
	"strings"
	"testing"
)

const (
	push       = "system.push.send_factor_verify_push"
	emailOTP   = "system.email.send_factor_verify_message"
	smsOTP     = "system.sms.send_factor_verify_message"
	smsEnroll  = "system.sms.send_phone_verification_message"
	voiceEnrol = "system.voice.send_mfa_challenge_call"
	voiceOTP   = "system.voice.send_phone_verification_call"
	viaMFA     = typeAuthViaMFA
	activate   = typeActivate
)

var signinLabels = []string{"1/4 session started", "2/4 sign-on policy evaluated"}

func withMFA(labels ...string) []string {
	out := append([]string{}, signinLabels...)
	for _, l := range labels {
		out = append(out, "3/4 MFA events: "+l)
	}
	return append(out, "4/4 sign-in verified")
}

// TestFlowKinds reconstructs every flow of the article from clean events:
// the right kinds, sessions and step labels, complete, and no deviation.
func TestFlowKinds(t *testing.T) {
	tests := []struct {
		name  string
		build func(l *log)
		want  []summary
	}{
		{"sign in without MFA", func(l *log) { l.signin(0, "102S1", nil) },
			[]summary{{KindSignin, "102S1", true, withMFA()}}},
		{"sign in with Okta Verify push", func(l *log) { l.signin(0, "102S1", nil, push, viaMFA) },
			[]summary{{KindSignin, "102S1", true, withMFA("Okta Verify push sent", "MFA verification attempted")}}},
		{"sign in with email", func(l *log) { l.signin(0, "102S1", nil, emailOTP, viaMFA) },
			[]summary{{KindSignin, "102S1", true, withMFA("email OTP sent", "MFA verification attempted")}}},
		{"sign in with SMS", func(l *log) { l.signin(0, "102S1", nil, smsOTP, viaMFA) },
			[]summary{{KindSignin, "102S1", true, withMFA("SMS OTP sent (authentication)", "MFA verification attempted")}}},
		{"sign in with voice", func(l *log) { l.signin(0, "102S1", nil, voiceOTP, viaMFA) },
			[]summary{{KindSignin, "102S1", true, withMFA("voice call OTP sent (authentication)", "MFA verification attempted")}}},
		{"sign in with TOTP", func(l *log) { l.signin(0, "102S1", nil, viaMFA) },
			[]summary{{KindSignin, "102S1", true, withMFA("MFA verification attempted")}}},
		{"sign in enrolling SMS", func(l *log) { l.signin(0, "102S1", nil, smsEnroll, viaMFA, activate) },
			[]summary{{KindSignin, "102S1", true, withMFA("SMS OTP sent (enrolment)", "MFA verification attempted", "MFA factor enrolled")}}},
		{"sign in enrolling voice", func(l *log) { l.signin(0, "102S1", nil, voiceEnrol, viaMFA, activate) },
			[]summary{{KindSignin, "102S1", true, withMFA("voice call OTP sent (enrolment)", "MFA verification attempted", "MFA factor enrolled")}}},
		{"app sign-in granted", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 60, typ: typeSSO})
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindAppSignin, "102S1", true, []string{"2/2 app access granted"}}}},
		{"app sign-in with step-up MFA", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 60, typ: push})
			l.add(ev{at: 65, typ: viaMFA})
			l.add(ev{at: 66, typ: typeSSO})
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindAppSignin, "102S1", true, []string{
			"1/2 Multifactor Authentication events: Okta Verify push sent",
			"1/2 Multifactor Authentication events: MFA verification attempted", "2/2 app access granted"}}}},
		{"app sign-in outside a session joins the user's recent session", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 60, typ: typeSSO, session: "-"})
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindAppSignin, "102S1", true, []string{"2/2 app access granted"}}}},
		{"SSPR by email", func(l *log) {
			recovery(l, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
		},
			[]summary{{KindSSPR, "", true, ssprLabels}}},
		{"SSPR by SMS", func(l *log) {
			recovery(l, "system.sms.send_password_reset_message", "user.account.reset_password", "user.account.update_password")
		},
			[]summary{{KindSSPR, "", true, ssprLabels}}},
		{"SSPR by voice", func(l *log) {
			recovery(l, "system.voice.send_password_reset_call", "user.account.reset_password", "user.account.update_password")
		},
			[]summary{{KindSSPR, "", true, ssprLabels}}},
		{"SSPR with an MFA challenge", func(l *log) {
			l.add(ev{at: 0, typ: "system.email.password_reset.sent_message"})
			l.add(ev{at: 30, typ: smsOTP, session: "-"})
			l.add(ev{at: 40, typ: viaMFA, session: "-"})
			l.add(ev{at: 50, typ: "user.account.reset_password"})
			l.add(ev{at: 60, typ: "user.account.update_password"})
		}, []summary{{KindSSPR, "", true, []string{ssprLabels[0], "SMS OTP sent (authentication)", "MFA verification attempted", ssprLabels[1], ssprLabels[2]}}}},
		{"SSPR then sign-in", func(l *log) {
			recovery(l, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(200, "102S2", nil)
		}, []summary{{KindSSPR, "", true, ssprLabels}, {KindSignin, "102S2", true, withMFA()}}},
		{"SSU by email", func(l *log) {
			recovery(l, "system.email.account_unlock.sent_message", "user.account.unlock_token", "user.account.unlock")
		},
			[]summary{{KindSSU, "", true, ssuLabels}}},
		{"SSU by SMS", func(l *log) {
			recovery(l, "system.sms.send_account_unlock_message", "user.account.unlock_token", "user.account.unlock")
		},
			[]summary{{KindSSU, "", true, ssuLabels}}},
		{"SSU by voice", func(l *log) {
			recovery(l, "system.voice.send_account_unlock_call", "user.account.unlock_token", "user.account.unlock")
		},
			[]summary{{KindSSU, "", true, ssuLabels}}},
		{"logout", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 600, typ: "user.authentication.slo"})
			l.add(ev{at: 601, typ: "user.session.end"})
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindLogout, "102S1", true, []string{"app single logout", "Okta session ended"}}}},
		{"factor changes by the user", func(l *log) {
			l.signin(0, "102S1", nil)
			for i, typ := range []string{"user.mfa.factor.deactivate", "user.mfa.factor.suspend", "user.mfa.factor.unsuspend", "user.mfa.factor.update", activate} {
				l.add(ev{at: 100 + i, typ: typ})
			}
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindMFAChange, "102S1", true, []string{
			"factor deactivated", "factor suspended", "factor unsuspended", "factor updated", "factor activated"}}}},
		{"factors reset by an administrator", func(l *log) {
			l.add(ev{at: 0, typ: "user.mfa.factor.reset_all", actor: &admin, session: "102ADMIN"})
		}, []summary{{KindMFAChange, "", true, []string{"all factors reset"}}}},
		{"password changed in settings", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 100, typ: "user.account.update_password", session: "102S1"})
		}, []summary{{KindSignin, "102S1", true, withMFA()}, {KindOther, "102S1", true, []string{"password changed"}}}},
		{"other events join the current flow", func(l *log) {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 20, typ: "user.session.access_admin_app"})
		}, []summary{{KindSignin, "102S1", true, append(withMFA(), "")}}},
		{"other events alone", func(l *log) { l.add(ev{at: 0, typ: "group.user_membership.add", actor: &admin}) },
			[]summary{{KindOther, "", true, []string{""}}}},
	}
	if len(tests) == 0 {
		t.Fatal("no cases")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cleanFlows(t, tt.build, tt.want) })
	}
}

// cleanFlows builds the events of build and checks that they make the
// flows want, with no deviation; it returns the timeline.
func cleanFlows(t *testing.T, build func(*log), want []summary) Timeline {
	t.Helper()
	l := newLog(t)
	build(l)
	tl := l.build()
	if got := summarize(tl); !reflect.DeepEqual(got, want) {
		t.Errorf("flows:\n got %+v\nwant %+v", got, want)
	}
	if devs := deviations(tl); len(devs) > 0 {
		t.Errorf("clean flows have deviations: %s", dump(devs))
	}
	return tl
}

var (
	ssprLabels = []string{"1/3 recovery message sent", "2/3 password reset", "3/3 password changed"}
	ssuLabels  = []string{"1/3 unlock message sent", "2/3 recovery token issued", "3/3 account unlocked"}
)

// recovery adds a three-step recovery without a session.
func recovery(l *log, types ...string) []string {
	var ids []string
	for i, typ := range types {
		ids = append(ids, l.add(ev{at: 10 * i, typ: typ}))
	}
	return ids
}

// TestDescriptions checks that steps carry the article's words.
func TestDescriptions(t *testing.T) {
	l := newLog(t)
	l.signin(0, "102S1", nil, push, viaMFA)
	l.add(ev{at: 60, typ: "user.session.end"})
	tl := l.build()
	steps := tl.Flows[0].Steps
	if d := steps[0].Description; d != "This event is fired after the first authentication method is verified." {
		t.Errorf("session.start description = %q", d)
	}
	if d := steps[2].Description; !strings.HasPrefix(d, "When using the Okta Verify Push factor/authenticator") {
		t.Errorf("push description = %q", d)
	}
	if steps[0].Position != 1 || steps[2].Position != 3 || steps[4].Position != 4 {
		t.Errorf("positions = %d %d %d", steps[0].Position, steps[2].Position, steps[4].Position)
	}
	if got := tl.Flows[1].Steps[0]; got.Label != "Okta session ended" || got.Description == "" {
		t.Errorf("logout step = %q, %q", got.Label, got.Description)
	}
}
