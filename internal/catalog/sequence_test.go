package catalog

import (
	"slices"
	"strings"
	"testing"
)

// stepShape is a step reduced to what the article's tables say.
type stepShape struct {
	events   []string
	ref      string
	optional bool
}

func TestSequencesFollowTheArticle(t *testing.T) {
	single := func(eventType string) stepShape { return stepShape{events: []string{eventType}} }
	optional := func(eventType string) stepShape { return stepShape{events: []string{eventType}, optional: true} }
	tests := []struct {
		name    string
		ordered bool
		steps   []stepShape
	}{
		{"okta-signin", true, []stepShape{
			single("user.session.start"), single("policy.evaluate_sign_on"),
			{ref: "mfa", optional: true}, single("user.authentication.verify")}},
		{"app-signin", true, []stepShape{{ref: "mfa", optional: true}, single("user.authentication.sso")}},
		{"app-signin-denied", true, []stepShape{single("application.policy.sign_on.deny_access")}},
		{"mfa", true, []stepShape{single("user.authentication.auth_via_mfa"), optional("user.mfa.factor.activate")}},
		{"mfa-factor", false, []stepShape{
			optional("system.push.send_factor_verify_push"), optional("system.email.send_factor_verify_message"),
			optional("system.sms.send_phone_verification_message"), optional("system.sms.send_factor_verify_message"),
			optional("system.voice.send_mfa_challenge_call"), optional("system.voice.send_phone_verification_call")}},
		{"sspr", true, []stepShape{
			{events: []string{"system.email.password_reset.sent_message", "system.sms.send_password_reset_message",
				"system.voice.send_password_reset_call"}},
			single("user.account.reset_password"), single("user.account.update_password")}},
		{"ssu", true, []stepShape{
			{events: []string{"system.email.account_unlock.sent_message", "system.sms.send_account_unlock_message",
				"system.voice.send_account_unlock_call"}},
			single("user.account.unlock_token"), single("user.account.unlock")}},
		{"logout", false, []stepShape{optional("user.session.end"), optional("user.authentication.slo")}},
		{"mfa-changes", false, []stepShape{
			optional("user.mfa.factor.activate"), optional("user.mfa.factor.deactivate"),
			optional("user.mfa.factor.reset_all"), optional("user.mfa.factor.suspend"),
			optional("user.mfa.factor.unsuspend"), optional("user.mfa.factor.update")}},
	}
	var names []string
	for _, sequence := range Sequences() {
		names = append(names, sequence.Name)
	}
	for i, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if i >= len(names) || names[i] != test.name {
				t.Fatalf("sequences in order %q, want %q at %d", names, test.name, i)
			}
			sequence, _ := SequenceByName(test.name)
			if sequence.Ordered != test.ordered || len(sequence.Steps) != len(test.steps) {
				t.Fatalf("ordered %v with %d steps, want %v with %d",
					sequence.Ordered, len(sequence.Steps), test.ordered, len(test.steps))
			}
			for j, step := range sequence.Steps {
				want := test.steps[j]
				if step.Number != j+1 || !slices.Equal(step.EventTypes, want.events) ||
					step.Ref != want.ref || step.Optional != want.optional {
					t.Errorf("step %d = %+v, want %+v", j+1, step, want)
				}
			}
		})
	}
	if len(names) != len(tests) {
		t.Errorf("%d sequences, want %d", len(names), len(tests))
	}
}

func TestStepsOf(t *testing.T) {
	tests := []struct {
		eventType string
		want      []StepRef
	}{
		{"user.session.start", []StepRef{{"okta-signin", 1, "session started"}}},
		{"user.mfa.factor.activate", []StepRef{{"mfa", 2, "MFA factor enrolled"}, {"mfa-changes", 1, "factor activated"}}},
		{"system.sms.send_password_reset_message", []StepRef{{"sspr", 1, "recovery message sent"}}},
		{"user.authentication.slo", []StepRef{{"logout", 2, "app single logout"}}},
		{"user.lifecycle.create", nil},
	}
	for _, test := range tests {
		t.Run(test.eventType, func(t *testing.T) {
			if got := StepsOf(test.eventType); !slices.Equal(got, test.want) {
				t.Errorf("StepsOf(%q) = %+v, want %+v", test.eventType, got, test.want)
			}
		})
	}
}

func TestEveryEventTypeSitsInASequence(t *testing.T) {
	for _, eventType := range EventTypes() {
		if len(StepsOf(eventType.ID)) == 0 {
			t.Errorf("%s is in no sequence", eventType.ID)
		}
	}
}

func TestScenarioDescriptions(t *testing.T) {
	tests := []struct{ id, want string }{
		{"user.session.start", "This event is fired after the first authentication method is verified."},
		{"system.voice.send_account_unlock_call", "These events are fired after the email, SMS message or voice call are sent to the user to initiate the SSU flow."},
		{"user.session.end", ""},
		{"actor.id", ""},
	}
	for _, test := range tests {
		if got := mustLookup(t, test.id).ScenarioDescription; got != test.want {
			t.Errorf("%s: scenario description %q, want %q", test.id, got, test.want)
		}
	}
}

func TestLookupAndEventTypes(t *testing.T) {
	if _, ok := Lookup("user.session.strat"); ok {
		t.Error("Lookup found an unknown type")
	}
	field := mustLookup(t, "actor.id")
	if field.Kind != KindField {
		t.Errorf("actor.id kind %q, want %q", field.Kind, KindField)
	}
	events := EventTypes()
	if !slices.IsSortedFunc(events, func(a, b EventType) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("EventTypes() is not sorted by ID")
	}
	for _, eventType := range events {
		if eventType.Kind != KindEvent {
			t.Errorf("EventTypes() holds %s of kind %q", eventType.ID, eventType.Kind)
		}
	}
	for _, id := range []string{"user.session.end", "user.authentication.slo", "user.mfa.factor.deactivate",
		"user.mfa.factor.reset_all", "user.mfa.factor.suspend", "user.mfa.factor.unsuspend", "user.mfa.factor.update"} {
		if got := mustLookup(t, id).Source; got != SourceOktaEventTypes {
			t.Errorf("%s: source %q, want %q", id, got, SourceOktaEventTypes)
		}
	}
}

func TestSequencesReturnsCopies(t *testing.T) {
	Sequences()[0].Steps[0].EventTypes[0] = "changed"
	if Sequences()[0].Steps[0].EventTypes[0] == "changed" {
		t.Error("changing a returned sequence changed the catalog")
	}
}
