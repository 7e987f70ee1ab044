package sigma

import (
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
)

func TestReadsRaw(t *testing.T) {
	tests := []struct {
		path string
		raw  bool
	}{
		{"eventType", false},
		{"outcome.result", false},
		{"OUTCOME.Result", false},
		{"target.displayName", false},
		{"target.0.displayName", false},
		{"request.ipChain.ip", false},
		{"debugContext.debugData.behaviors", false},
		{"target.detailEntry.methodTypeUsed", false},
		{"result", true},
		{"authenticationContext.authenticatorContext.bindingMethod", true},
		{"outcome.result.more", true},
	}
	for _, tt := range tests {
		if got := readsRaw(tt.path); got != tt.raw {
			t.Errorf("readsRaw(%q) = %v, want %v", tt.path, got, tt.raw)
		}
	}
}

func TestCheapFirst(t *testing.T) {
	tests := []struct{ in, want string }{
		{`eventType eq "a" and result eq "FAILURE" and outcome.reason eq "x"`,
			`eventType eq "a" and outcome.reason eq "x" and result eq "FAILURE"`},
		{`authenticationContext.authenticatorContext.bindingMethod eq "LOOPBACK" or (result eq "x" and actor.id eq "y") or eventType eq "b"`,
			`eventType eq "b" or authenticationContext.authenticatorContext.bindingMethod eq "LOOPBACK" or (actor.id eq "y" and result eq "x")`},
		{`not (result pr and eventType eq "a")`, `not (eventType eq "a" and result pr)`},
		{`eventType eq "a"`, `eventType eq "a"`},
		{`debugContext.debugData.requestUri co "admin" and securityContext.isProxy eq "true"`,
			`securityContext.isProxy eq "true" and debugContext.debugData.requestUri co "admin"`},
	}
	for _, tt := range tests {
		in, err := filter.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		before := in.String()
		got := CheapFirst(in)
		if got.String() != tt.want {
			t.Errorf("CheapFirst(%s)\n = %s\nwant %s", tt.in, got, tt.want)
		}
		if in.String() != before {
			t.Errorf("CheapFirst changed its argument: %s", in)
		}
		// Same events match: on one that satisfies the reordered terms.
		ev := event(t, map[string]any{"eventType": "a", "outcome.reason": "x", "result": "FAILURE", "actor.id": "y"})
		if filter.Compile(in).Match(ev) != filter.Compile(got).Match(ev) {
			t.Errorf("%s: the reordered filter matches differently", tt.in)
		}
	}
}
