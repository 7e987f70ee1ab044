package timeline

import (
	"bytes"
	"encoding/json"
	"github.com/oktascope/oktascope/internal/golden"
	"path/filepath"
	"strings"
	"testing"
)

// scenario is a timeline with every flow kind and every deviation kind.
func scenario(t testing.TB) Timeline {
	l := newLog(t)
	l.signin(0, "102S1", nil, push, viaMFA)
	l.add(ev{at: 60, typ: typeSSO})
	l.add(ev{at: 70, typ: typeDenyAccess, result: "DENY", app: "Workday"})
	l.add(ev{at: 80, typ: typeSSO, from: &proxy, app: "Slack"})
	l.add(ev{at: 90, typ: "user.session.end"})
	recoveryAt(l, 3600, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
	l.add(ev{at: 3700, typ: typeSessionInit, session: "102S2", from: &attacker})
	l.add(ev{at: 3701, typ: typePolicy, session: "102S2", from: &attacker, result: "CHALLENGE"})
	for i := range 5 {
		l.add(ev{at: 3710 + 20*i, typ: push, session: "102S2", from: &attacker})
	}
	recoveryAt(l, 7200, "system.sms.send_account_unlock_message", "user.account.unlock_token")
	l.add(ev{at: 7300, typ: "user.mfa.factor.reset_all", actor: &admin, session: "102ADMIN"})
	l.add(ev{at: 7400, typ: typePolicy, who: &bob, session: "102B"})
	l.add(ev{at: 7405, typ: typeSessionInit, who: &bob, session: "102B"})
	l.add(ev{at: 7406, typ: typeVerify, who: &bob, session: "102B"})
	l.add(ev{at: 7450, typ: push, who: &bob, session: "102B"})
	l.add(ev{at: 7460, typ: viaMFA, who: &bob, session: "102B"})
	l.add(ev{at: 7500, typ: "group.user_membership.add", who: &bob, actor: &admin})
	// A Classic Engine sign-in: its MFA under another session, tied to it
	// by authnRequestId; then an app sign-in in the session the MFA made.
	classicSignin(l, 9000, &bob, "CHALLENGE", "102C1", "102C2", push, viaMFA)
	l.add(ev{at: 9030, typ: typeSSO, who: &bob, session: "102C2"})
	// An administrator's calls with an API token: transactions, not sessions.
	l.add(ev{at: 12000, typ: "user.lifecycle.suspend", who: &bob, actor: &admin, session: "trsA1", tx: "TXA1"})
	l.add(ev{at: 12060, typ: "user.lifecycle.unsuspend", who: &bob, actor: &admin, session: "trsA2", tx: "TXA2"})
	// Bob signs in at home, and 20 minutes later someone signs in as him in
	// Singapore.
	for _, s := range []struct {
		at      int
		session string
		from    *netw
	}{{14000, "102K1", &sfHome}, {15200, "102K2", &singapore}} {
		l.add(ev{at: s.at, typ: typeSessionInit, who: &bob, session: s.session, from: s.from})
		l.add(ev{at: s.at + 1, typ: typePolicy, who: &bob, session: s.session, from: s.from, result: "ALLOW"})
		l.add(ev{at: s.at + 2, typ: typeVerify, who: &bob, session: s.session, from: s.from})
	}
	return l.build()
}

// TestJSONGolden pins the JSON schema of issue 6 (testdata/timeline.json;
// go test -update rewrites it).
func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := scenario(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "timeline.json"), buf.Bytes())
}

// TestJSONSchema checks the keys of every object against the schema.
func TestJSONSchema(t *testing.T) {
	raw, err := json.Marshal(scenario(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	golden.Keys(t, "timeline", doc, "flows")
	kinds := map[string]bool{}
	devKinds := map[string]bool{}
	for _, f := range doc["flows"].([]any) {
		flow := f.(map[string]any)
		golden.Keys(t, "flow", flow, "kind", "session", "engine", "transactions", "actor", "start", "end", "complete", "steps", "deviations")
		golden.Keys(t, "actor", flow["actor"].(map[string]any), "id", "alternateId")
		kinds[flow["kind"].(string)] = true
		if _, ok := flow["complete"].(bool); !ok {
			t.Errorf("complete is %T", flow["complete"])
		}
		for _, s := range flow["steps"].([]any) {
			golden.Keys(t, "step", s.(map[string]any), "uuid", "published", "eventType", "step", "description", "outcome", "ip")
		}
		for _, d := range flow["deviations"].([]any) {
			dev := d.(map[string]any)
			golden.Keys(t, "deviation", dev, "kind", "message", "uuids")
			devKinds[dev["kind"].(string)] = true
		}
	}
	for _, k := range []Kind{KindSignin, KindAppSignin, KindMFA, KindSSPR, KindSSU, KindLogout, KindMFAChange, KindOther} {
		if !kinds[string(k)] {
			t.Errorf("scenario lacks a %s flow", k)
		}
	}
	for _, k := range DeviationKinds {
		if !devKinds[string(k)] {
			t.Errorf("scenario lacks a %s deviation", k)
		}
	}
}

// TestEmptyJSON checks that no flow gives an empty array, not null.
func TestEmptyJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := (Timeline{}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != `{
  "flows": []
}` {
		t.Errorf("empty timeline = %s", got)
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
)

// hostile is a timeline whose user and client carry markup and terminal
// escapes.
func hostile(t testing.TB) Timeline {
	l := newLog(t)
	evil := person{"00uevil", "evil@acme.example" + xssImg, "Mallory " + xssScript + "\x1b[31m"}
	net := home
	net.ua = xssImg + " " + xssScript + "\x1b]0;pwned\x07"
	net.city = "Paris" + xssScript
	l.add(ev{at: 0, typ: typeSessionInit, who: &evil, from: &net, session: "102" + xssImg})
	l.add(ev{at: 1, typ: typeSSO, who: &evil, from: &home, session: "102" + xssImg, app: xssScript})
	l.add(ev{at: 2, typ: typeDenyAccess, who: &evil, from: &net, result: "DENY", app: xssImg, session: "102" + xssImg})
	return l.build()
}

// TestHTMLEscapes checks that markup in event fields is escaped.
func TestHTMLEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := hostile(t).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{xssScript, "<script", "<img", "onerror=alert(1)>", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML holds %q unescaped", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "Content-Security-Policy"} {
		if !strings.Contains(out, good) {
			t.Errorf("HTML lacks %q", good)
		}
	}
	if strings.Contains(strings.ToLower(out), "<script") || strings.Contains(out, " src=") && strings.Contains(out, "<img") {
		t.Error("HTML holds active content")
	}
}

// TestTextEscapes checks that terminal control sequences from events are
// escaped and that lines respect the width.
func TestTextEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := hostile(t).WriteText(&buf, 100); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("text holds raw control characters:\n%q", out)
	}
	if !strings.Contains(out, `\x1b`) {
		t.Errorf("text lacks the escaped ESC:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line of %d runes: %q", n, line)
		}
	}
}

// TestText checks the terminal view of the scenario.
func TestText(t *testing.T) {
	var buf bytes.Buffer
	if err := scenario(t).WriteText(&buf, 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"SIGNIN · session 102S1 · Identity Engine · Alice Adams <alice@acme.example> (00ualice) · 2025-03-03 09:00:00 → 2025-03-03 09:00:05 UTC · complete",
		"SIGNIN · session 102C1 · Classic Engine · Bob Brown <bob@acme.example> (00ubob) · 2025-03-03 11:30:00 → 2025-03-03 11:30:15 UTC · complete",
		"OTHER · API transaction trsA1 (and 1 more) · Bob Brown <bob@acme.example> (00ubob)",
		"09:00:02  3/4 MFA events: Okta Verify push sent",
		"198.18.0.10",
		"San Francisco, United States",
		"! session_hijack: client changed inside session 102S1",
		"! mfa_fatigue: 5 MFA challenges",
		"! recovery_takeover:",
		"events: ev-",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + out)
	}
}
