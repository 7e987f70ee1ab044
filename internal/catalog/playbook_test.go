package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/indicator"
)

func TestFilterKeepsTheValueOneStringLiteral(t *testing.T) {
	logout, ok := PlaybookByName("user-logout")
	if !ok {
		t.Fatal("no user-logout playbook")
	}
	const eventTypes = `) and (
(eventType eq "user.session.end") or
(eventType eq "user.authentication.slo")
)`
	tests := []struct {
		name, value, escaped string
	}{
		{"plain user id", "00u1abcd", `00u1abcd`},
		{"login with plus and at", "jane+test@example.com", `jane+test@example.com`},
		{"double quote", `a"b`, `a\"b`},
		{"backslash", `a\b`, `a\\b`},
		{"backslash before quote", `\"`, `\\\"`},
		{"query injection", `") or (eventType pr`, `\") or (eventType pr`},
		{"newline and tab", "a\nb\tc\r", `a\nb\tc\r`},
		{"NUL, DEL and C1 controls", "a\x00b\x7fc\u0085", `a\u0000b\u007fc\u0085`},
		{"invalid UTF-8", "a\xffb", `a\ufffdb`},
		{"non-ASCII kept", "josé’s", `josé’s`},
		{"the placeholder itself", "<enter user id>", `<enter user id>`},
		{"empty", "", ``},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			want := `(actor.id eq "` + test.escaped + `" or target.id eq "` + test.escaped + `"` + eventTypes
			if got := logout.Filter(test.value); got != want {
				t.Errorf("Filter(%q)\n got: %q\nwant: %q", test.value, got, want)
			}
		})
	}
}

func TestEscapedValuesNeverCloseTheStringLiteral(t *testing.T) {
	values := []string{`"`, `\`, `\"`, `"\`, `") or (eventType pr`, "\"\n)", `\\"`, "\xff\"", `a\`}
	for _, value := range values {
		escaped := escapeStringBody(value)
		if i := unescapedQuote(escaped); i >= 0 {
			t.Errorf("escapeStringBody(%q) = %q has an unescaped quote at %d", value, escaped, i)
		}
		if strings.ContainsAny(escaped, "\n\r") {
			t.Errorf("escapeStringBody(%q) = %q has a raw line break", value, escaped)
		}
	}
}

// unescapedQuote returns the index of the first `"` in s not escaped by a
// backslash, or -1, reading s as a JSON string body.
func unescapedQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func TestPlaybookParametersAndEventTypes(t *testing.T) {
	signIn := []string{
		"user.session.start", "policy.evaluate_sign_on", "user.authentication.verify",
		"application.policy.sign_on.deny_access", "user.authentication.sso",
		"user.authentication.auth_via_mfa", "user.mfa.factor.activate",
		"system.push.send_factor_verify_push", "system.email.send_factor_verify_message",
		"system.sms.send_factor_verify_message", "system.sms.send_phone_verification_message",
		"system.voice.send_mfa_challenge_call", "system.voice.send_phone_verification_call",
		"system.email.password_reset.sent_message", "system.sms.send_password_reset_message",
		"system.voice.send_password_reset_call", "user.account.reset_password",
		"user.account.update_password", "system.email.account_unlock.sent_message",
		"system.sms.send_account_unlock_message", "system.voice.send_account_unlock_call",
		"user.account.unlock_token", "user.account.unlock",
	}
	factors := []string{
		"system.push.send_factor_verify_push", "system.email.send_factor_verify_message",
		"system.sms.send_factor_verify_message", "system.sms.send_phone_verification_message",
		"system.voice.send_mfa_challenge_call", "system.voice.send_phone_verification_call",
		"user.authentication.auth_via_mfa",
	}
	tests := []struct {
		name        string
		parameter   indicator.Kind
		placeholder string
		eventTypes  []string
	}{
		{"user-signin", indicator.User, "<enter user id>", signIn},
		{"ip-signin", indicator.IP, "<enter ip address here>", signIn},
		{"session", indicator.Session, "<enter external session id here>", nil},
		{"session-signin", indicator.Session, "<enter external session id here>", signIn},
		{"user-logout", indicator.User, "<enter user id>", []string{"user.session.end", "user.authentication.slo"}},
		{"user-mfa-changes", indicator.User, "<enter user id>", []string{
			"user.mfa.factor.activate", "user.mfa.factor.deactivate", "user.mfa.factor.reset_all",
			"user.mfa.factor.suspend", "user.mfa.factor.unsuspend", "user.mfa.factor.update"}},
		{"user-sspr", indicator.User, "<enter user id>", slices.Concat(
			[]string{"system.email.password_reset.sent_message", "system.sms.send_password_reset_message",
				"system.voice.send_password_reset_call"},
			factors, []string{"user.account.reset_password", "user.account.update_password"})},
		{"user-ssu", indicator.User, "<enter user id>", slices.Concat(
			[]string{"system.email.account_unlock.sent_message", "system.sms.send_account_unlock_message",
				"system.voice.send_account_unlock_call"},
			factors, []string{"user.account.unlock_token", "user.account.unlock"})},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			playbook, ok := PlaybookByName(test.name)
			if !ok {
				t.Fatalf("no playbook %q", test.name)
			}
			if playbook.Parameter != test.parameter || playbook.Placeholder != test.placeholder {
				t.Errorf("parameter %q placeholder %q, want %q %q",
					playbook.Parameter, playbook.Placeholder, test.parameter, test.placeholder)
			}
			if !slices.Equal(playbook.EventTypes, test.eventTypes) {
				t.Errorf("event types\n got: %q\nwant: %q", playbook.EventTypes, test.eventTypes)
			}
		})
	}
}

func TestPlaybookByNameUnknown(t *testing.T) {
	if _, ok := PlaybookByName("user-signon"); ok {
		t.Error("PlaybookByName found a playbook that does not exist")
	}
}

func TestPlaybooksReturnsCopies(t *testing.T) {
	Playbooks()[0].EventTypes[0] = "changed"
	if Playbooks()[0].EventTypes[0] == "changed" {
		t.Error("changing a returned playbook changed the catalog")
	}
}
