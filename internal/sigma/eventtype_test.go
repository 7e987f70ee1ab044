package sigma

import (
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
)

func TestMayMatchEventType(t *testing.T) {
	tests := []struct {
		name      string
		detection string
		may       []string // event types the rule may match
		never     []string // event types it cannot match
	}{
		{"one type", "    sel:\n        eventType: user.session.start\n        outcome.result: FAILURE\n    condition: sel\n",
			[]string{"user.session.start"}, []string{"user.session.end", "User.Session.Start"}},
		{"a list of types", "    sel:\n        eventType:\n            - user.mfa.factor.deactivate\n            - user.mfa.factor.reset_all\n    condition: sel\n",
			[]string{"user.mfa.factor.deactivate", "user.mfa.factor.reset_all"}, []string{"user.mfa.factor.activate"}},
		{"a prefix", "    sel:\n        eventType|startswith: policy.\n    condition: sel\n",
			[]string{"policy.lifecycle.update"}, []string{"user.session.start"}},
		{"an inner wildcard (Go-side)", "    sel:\n        eventType: 'user.*.start'\n    condition: sel\n",
			[]string{"user.session.start"}, []string{"user.session.end"}},
		{"a regular expression", "    sel:\n        eventType|re: '^app\\.oauth2\\.'\n    condition: sel\n",
			[]string{"app.oauth2.token.grant"}, []string{"user.session.start"}},
		{"not a type", "    sel:\n        displayMessage: x\n    not_type:\n        eventType: user.session.start\n    condition: sel and not not_type\n",
			[]string{"user.session.end"}, []string{"user.session.start"}},
		{"or with a branch on another field", "    a:\n        eventType: user.session.start\n    b:\n        displayMessage: x\n    condition: a or b\n",
			[]string{"user.session.start", "anything.else"}, nil},
		{"no eventType test", "    sel:\n        legacyEventType: core.user_auth.login_failed\n    condition: sel\n",
			[]string{"user.session.start", "anything.else"}, nil},
		{"types in two selections and-ed", "    a:\n        eventType|startswith: user.\n    b:\n        eventType|endswith: .start\n    condition: a and b\n",
			[]string{"user.session.start"}, []string{"user.session.end", "app.start"}},
		{"with an aggregation", "    sel:\n        eventType: user.session.start\n    timeframe: 5m\n    condition: sel | count() by client.ipAddress > 3\n",
			[]string{"user.session.start"}, []string{"user.session.end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRule(t, tt.detection)
			for _, typ := range tt.may {
				if !r.MayMatchEventType(typ) {
					t.Errorf("%s: ruled out, want may match", typ)
				}
			}
			for _, typ := range tt.never {
				if r.MayMatchEventType(typ) {
					t.Errorf("%s: may match, want ruled out", typ)
				}
			}
		})
	}
}

func TestFilterMayMatchEventType(t *testing.T) {
	tests := []struct {
		filter string
		may    []string
		never  []string
	}{
		{`eventType eq "user.session.access_admin_app" AND outcome.result eq "FAILURE"`,
			[]string{"user.session.access_admin_app"}, []string{"user.session.start"}},
		{`eventType in ["a.b", "c.d"] and actor.id eq "x"`, []string{"a.b", "c.d"}, []string{"e.f"}},
		{`eventType sw "user.mfa." or eventType eq "system.push.send_factor_verify_push"`,
			[]string{"user.mfa.factor.activate", "system.push.send_factor_verify_push"}, []string{"user.session.start"}},
		{`not (eventType eq "user.session.start") and outcome.result eq "FAILURE"`, []string{"user.session.end"}, []string{"user.session.start"}},
		{`eventType ne "user.session.start"`, []string{"user.session.end"}, []string{"user.session.start"}},
		{`debugContext.debugData.factor eq "SIGNED_NONCE" or eventType eq "a.b"`, []string{"a.b", "c.d"}, nil},
		{`eventtype eq "a.b"`, []string{"a.b"}, []string{"c.d"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			expr, err := filter.Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			for _, typ := range tt.may {
				if !FilterMayMatchEventType(expr, typ) {
					t.Errorf("%s: ruled out, want may match", typ)
				}
			}
			for _, typ := range tt.never {
				if FilterMayMatchEventType(expr, typ) {
					t.Errorf("%s: may match, want ruled out", typ)
				}
			}
		})
	}
}
