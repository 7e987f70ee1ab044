package timeline

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// want is one expected deviation: its kind, the uuids it cites and words
// its message must hold.
type want struct {
	kind  DeviationKind
	uuids []string
	words []string
}

// TestDeviations flags each kind of deviation with the events concerned,
// and nothing else.
func TestDeviations(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		build func(l *log) []want
	}{
		{"session started never verified", Options{}, func(l *log) []want {
			a := l.add(ev{at: 0, typ: typeSessionInit})
			b := l.add(ev{at: 1, typ: typePolicy, result: "CHALLENGE"})
			return []want{{Incomplete, []string{a, b}, []string{"session started, never verified", "4/4 sign-in verified"}}}
		}},
		{"reset without update", Options{}, func(l *log) []want {
			ids := recovery(l, "system.email.password_reset.sent_message", "user.account.reset_password")
			return []want{{Incomplete, ids, []string{"password reset without update", "3/3 password changed"}}}
		}},
		{"reset message never followed", Options{}, func(l *log) []want {
			ids := recovery(l, "system.sms.send_password_reset_message")
			return []want{{Incomplete, ids, []string{"password never reset"}}}
		}},
		{"unlock token without unlock", Options{}, func(l *log) []want {
			ids := recovery(l, "system.voice.send_account_unlock_call", "user.account.unlock_token")
			return []want{{Incomplete, ids, []string{"unlock token without unlock", "3/3 account unlocked"}}}
		}},
		{"MFA challenge never answered", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			p := l.add(ev{at: 60, typ: push})
			return []want{{Incomplete, []string{p}, []string{"MFA challenge sent, never verified"}}}
		}},
		{"policy before session start", Options{}, func(l *log) []want {
			p := l.add(ev{at: 0, typ: typePolicy, result: "CHALLENGE"})
			s := l.add(ev{at: 5, typ: typeSessionInit})
			l.add(ev{at: 6, typ: typeVerify})
			return []want{{OutOfOrder, []string{p, s}, []string{`"1/4 session started"`, `"2/4 sign-on policy evaluated"`}}}
		}},
		{"within a second is not out of order", Options{}, func(l *log) []want {
			l.add(ev{at: 0, typ: typePolicy})
			l.add(ev{at: 1, typ: typeSessionInit})
			l.add(ev{at: 6, typ: typeVerify})
			return nil
		}},
		{"an app sign-in without a session says nothing of the user's network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(3700, "102S2", nil)
			l.add(ev{at: 3710, typ: typeSSO, session: "-", from: &attacker})
			return nil
		}},
		{"update before reset", Options{}, func(l *log) []want {
			m := l.add(ev{at: 0, typ: "system.email.password_reset.sent_message"})
			u := l.add(ev{at: 10, typ: "user.account.update_password"})
			r := l.add(ev{at: 20, typ: "user.account.reset_password"})
			_ = m
			return []want{{OutOfOrder, []string{u, r}, []string{"2/3 password reset", "3/3 password changed"}}}
		}},
		{"unlock before token", Options{}, func(l *log) []want {
			l.add(ev{at: 0, typ: "system.email.account_unlock.sent_message"})
			u := l.add(ev{at: 10, typ: "user.account.unlock"})
			k := l.add(ev{at: 20, typ: "user.account.unlock_token"})
			return []want{{OutOfOrder, []string{u, k}, nil}}
		}},
		{"app access denied", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			d := l.add(ev{at: 60, typ: typeDenyAccess, result: "DENY", app: "AWS IAM Identity Center", reason: "device not managed"})
			return []want{{Denied, []string{d}, []string{`access to "AWS IAM Identity Center" denied`, "device not managed"}}}
		}},
		{"failed sign-in", Options{}, func(l *log) []want {
			s := l.add(ev{at: 0, typ: typeSessionInit, result: "FAILURE", reason: "INVALID_CREDENTIALS"})
			return []want{{Denied, []string{s}, []string{"user.session.start FAILURE (INVALID_CREDENTIALS)"}}}
		}},
		{"push fatigue then success", Options{}, func(l *log) []want {
			l.add(ev{at: 0, typ: typeSessionInit, from: &attacker, session: "102EVIL"})
			l.add(ev{at: 1, typ: typePolicy, from: &attacker, session: "102EVIL", result: "CHALLENGE"})
			var ids, denied []string
			for i := range 6 {
				ids = append(ids, l.add(ev{at: 10 + 60*i, typ: push, from: &attacker, session: "102EVIL"}))
				denied = append(denied, l.add(ev{at: 40 + 60*i, typ: viaMFA, from: &attacker, session: "102EVIL", result: "FAILURE", reason: "INVALID_CREDENTIALS"}))
			}
			ok := l.add(ev{at: 400, typ: push, from: &attacker, session: "102EVIL"})
			yes := l.add(ev{at: 410, typ: viaMFA, from: &attacker, session: "102EVIL"})
			l.add(ev{at: 411, typ: typeVerify, from: &attacker, session: "102EVIL"})
			return []want{
				{Denied, denied, []string{"6 sign-in step(s)", "and 3 more"}},
				{MFAFatigue, append(append(ids, ok), yes), []string{"7 MFA challenges (push ×7)", "alice@acme.example", "followed by a successful MFA verification", "198.51.100.20"}},
			}
		}},
		{"SMS and voice fatigue without success", Options{}, func(l *log) []want {
			l.add(ev{at: 0, typ: typeSessionInit})
			var ids []string
			for i, typ := range []string{smsOTP, voiceOTP, smsOTP, voiceOTP, smsOTP} {
				ids = append(ids, l.add(ev{at: 10 + 30*i, typ: typ}))
			}
			return []want{
				{Incomplete, nil, nil},
				{MFAFatigue, ids, []string{"5 MFA challenges (SMS ×3, voice call ×2)", "no successful MFA verification followed"}},
			}
		}},
		{"fatigue threshold from options", Options{FatigueCount: 3, FatigueWindow: time.Minute}, func(l *log) []want {
			l.add(ev{at: 0, typ: typeSessionInit})
			var ids []string
			for i := range 3 {
				ids = append(ids, l.add(ev{at: 10 + 20*i, typ: push}))
			}
			return []want{{Incomplete, nil, nil}, {MFAFatigue, ids, []string{"threshold: 3 within 1m)"}}}
		}},
		{"pushes spread out are not fatigue", Options{}, func(l *log) []want {
			for i := range 6 {
				s := "102S" + string(rune('A'+i))
				l.signin(200*i, s, nil, push, viaMFA)
			}
			return nil
		}},
		{"four pushes are not fatigue", Options{}, func(l *log) []want {
			l.add(ev{at: 0, typ: typeSessionInit})
			l.add(ev{at: 1, typ: typePolicy})
			for i := range 4 {
				l.add(ev{at: 10 + 10*i, typ: push})
			}
			l.add(ev{at: 60, typ: viaMFA})
			l.add(ev{at: 61, typ: typeVerify})
			return nil
		}},
		{"session hijack: new IP, ASN, country and user agent", Options{}, func(l *log) []want {
			ids := l.signin(0, "102S1", nil)
			h1 := l.add(ev{at: 100, typ: typeSSO, from: &attacker})
			l.add(ev{at: 110, typ: typeSSO})
			h2 := l.add(ev{at: 120, typ: typeSSO, from: &attacker, app: "Slack"})
			return []want{{SessionHijack, []string{ids[len(ids)-1], h1, h2}, []string{
				"IP 198.18.0.10 → 198.51.100.20", "ASN 7922 (comcast) → 9009 (m247 europe srl)",
				"country United States → Netherlands", "user agent", "102S1"}}}
		}},
		{"session hijack: user agent only", Options{}, func(l *log) []want {
			ids := l.signin(0, "102S1", nil)
			h := l.add(ev{at: 100, typ: typeSSO, ua: "curl/8.0"})
			return []want{{SessionHijack, []string{ids[len(ids)-1], h}, []string{`user agent "Mozilla/5.0 (Macintosh) Chrome/131.0" → "curl/8.0"`}}}
		}},
		{"no hijack across sessions or for Okta's own events", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			l.signin(100, "102S2", &attacker)
			l.add(ev{at: 200, typ: push, session: "102S1", system: true, from: &attacker})
			l.add(ev{at: 210, typ: viaMFA, session: "102S1"})
			l.add(ev{at: 211, typ: typeSSO, session: "102S1"})
			return nil
		}},
		{"recovery takeover: new network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			rec := []string{
				l.add(ev{at: 3600, typ: "system.email.password_reset.sent_message", from: &attacker}),
				l.add(ev{at: 3660, typ: "user.account.reset_password", from: &attacker}),
				l.add(ev{at: 3670, typ: "user.account.update_password", from: &attacker}),
			}
			s := l.signin(3700, "102EVIL", &attacker)
			sso := l.add(ev{at: 3800, typ: typeSSO, from: &attacker, session: "102EVIL"})
			return []want{{RecoveryTakeover, append(append(rec, s[0], s[2]), sso), []string{
				"password reset (SSPR) of alice@acme.example", "3 sign-in(s) from a network not seen before the recovery",
				"IP 198.51.100.20", "ASN 9009 (m247 europe srl)", "country Netherlands"}}}
		}},
		{"recovery takeover: factor change from a new network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			rec := recoveryAt(l, 3600, "system.sms.send_account_unlock_message", "user.account.unlock_token", "user.account.unlock")
			l.signin(3700, "102S2", nil)
			c := l.add(ev{at: 3800, typ: "user.mfa.factor.deactivate", from: &attacker, session: "102S3"})
			return []want{{RecoveryTakeover, append(rec, c), []string{"account unlock (SSU)",
				"1 MFA factor change(s) from a network not seen before the recovery: user.mfa.factor.deactivate from IP 198.51.100.20, ASN 9009 (m247 europe srl), country Netherlands"}}}
		}},
		{"recovery takeover: factor enrolled during the recovery", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			m := l.add(ev{at: 3600, typ: "system.email.password_reset.sent_message", from: &attacker, system: true})
			a := l.add(ev{at: 3610, typ: activate, session: "-", from: &attacker})
			r := l.add(ev{at: 3620, typ: "user.account.reset_password", from: &attacker})
			u := l.add(ev{at: 3630, typ: "user.account.update_password", from: &attacker})
			return []want{{RecoveryTakeover, []string{m, a, r, u, a}, []string{"MFA factor change"}}}
		}},
		{"recovery then factor change from a known network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(3700, "102S2", nil)
			l.add(ev{at: 3800, typ: activate, session: "102S2"})
			return nil
		}},
		{"recovery then a new IP on a known network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(3700, "102S2", &home2)
			return nil
		}},
		{"recovery then factors reset by an administrator", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.add(ev{at: 3800, typ: "user.mfa.factor.reset_all", actor: &admin, from: &attacker, session: "102ADMIN"})
			return nil
		}},
		{"recovery then sign-in from a known network", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(3700, "102S2", nil)
			l.add(ev{at: 3800, typ: typeSSO, session: "102S2"})
			return nil
		}},
		{"recovery takeover window", Options{RecoveryWindow: time.Hour}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(3600+7200, "102S2", &attacker)
			return nil
		}},
		{"new network Okta knows", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			mobile := netw{"198.18.160.9", "Oakland", "United States", "t-mobile usa, inc.", home.ua, 21928, 0, 0}
			l.add(ev{at: 3700, typ: typeSessionInit, session: "102S2", from: &mobile,
				behaviors: "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=POSITIVE, New State=NEGATIVE, New Country=NEGATIVE}"})
			l.add(ev{at: 3701, typ: typePolicy, session: "102S2", from: &mobile})
			l.add(ev{at: 3702, typ: typeVerify, session: "102S2", from: &mobile})
			l.add(ev{at: 3800, typ: typeSSO, session: "102S2", from: &mobile})
			return nil
		}},
		{"no history: Okta says new country", Options{}, func(l *log) []want {
			rec := recoveryAt(l, 0, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			s := l.add(ev{at: 100, typ: typeSessionInit, session: "102S2", from: &attacker,
				behaviors: map[string]any{"New Geo-Location": "POSITIVE", "New Country": "POSITIVE"}})
			l.add(ev{at: 101, typ: typePolicy, session: "102S2", from: &attacker})
			v := l.add(ev{at: 102, typ: typeVerify, session: "102S2", from: &attacker})
			return []want{{RecoveryTakeover, append(rec, s, v), []string{"country Netherlands (a new country for the user, says Okta)"}}}
		}},
		{"recovery of a user with no history", Options{}, func(l *log) []want {
			recoveryAt(l, 0, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			l.signin(100, "102S2", &attacker)
			return nil
		}},
		{"a network new to the earlier of two recoveries only", Options{}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			rec := recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			first := l.signin(2*3600, "102S2", &proxy)
			recoveryAt(l, 3*3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
			again := l.signin(4*3600, "102S3", &proxy) // seen before the second recovery
			return []want{{RecoveryTakeover, append(append(rec, first[0], first[2]), again[0], again[2]), []string{"4 sign-in(s)"}}}
		}},
		{"a watch ends at the user's first event past the window", Options{RecoveryWindow: 10 * time.Minute}, func(l *log) []want {
			l.signin(0, "102S1", nil)
			l.add(ev{at: 3600, typ: "system.email.password_reset.sent_message"})
			l.add(ev{at: 3600 + 15*60, typ: typeSSO, session: "-"}) // not a sign-in: ends the watch all the same
			l.add(ev{at: 3600 + 20*60, typ: "user.account.reset_password"})
			l.add(ev{at: 3600 + 21*60, typ: "user.account.update_password"})
			l.signin(3600+25*60, "102S2", &attacker)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t)
			wants := tt.build(l)
			tl := l.buildWith(tt.opts)
			got := deviations(tl)
			if len(got) != len(wants) {
				t.Fatalf("got %d deviations, want %d:\n%s", len(got), len(wants), dump(got))
			}
			for i, w := range wants {
				d := got[i]
				if d.Kind != w.kind {
					t.Errorf("deviation %d: kind %s, want %s", i, d.Kind, w.kind)
				}
				if w.uuids != nil && !reflect.DeepEqual(d.UUIDs, w.uuids) {
					t.Errorf("deviation %d (%s): uuids %v, want %v", i, d.Kind, d.UUIDs, w.uuids)
				}
				for _, word := range w.words {
					if !strings.Contains(d.Message, word) {
						t.Errorf("deviation %d (%s): message %q lacks %q", i, d.Kind, d.Message, word)
					}
				}
			}
		})
	}
}

func recoveryAt(l *log, at int, types ...string) []string {
	var ids []string
	for i, typ := range types {
		ids = append(ids, l.add(ev{at: at + 10*i, typ: typ}))
	}
	return ids
}

func dump(devs []Deviation) string {
	var b strings.Builder
	for _, d := range devs {
		b.WriteString("  " + string(d.Kind) + ": " + d.Message + " " + strings.Join(d.UUIDs, ",") + "\n")
	}
	return b.String()
}

// TestOptions checks defaults and validation.
func TestOptions(t *testing.T) {
	if got := (Options{}).WithDefaults(); got != DefaultOptions() {
		t.Errorf("zero options with defaults = %+v", got)
	}
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
	for _, bad := range []Options{{FatigueCount: 1}, {FatigueCount: -3}, {FatigueWindow: -time.Second}, {JoinWindow: -1}, {RecoveryWindow: -1}} {
		if (bad).Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
