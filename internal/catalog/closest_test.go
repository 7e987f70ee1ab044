package catalog

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	tests := []struct {
		name  string
		id    string
		n     int
		first string // "" means no suggestion at all
	}{
		{"one letter missing", "user.sesion.start", 3, "user.session.start"},
		{"letters swapped", "user.sesison.end", 3, "user.session.end"},
		{"upper case", "USER.SESSION.START", 1, "user.session.start"},
		{"dash for underscore", "policy.evaluate-sign-on", 1, "policy.evaluate_sign_on"},
		{"prefix", "user.mfa.factor", 10, "user.mfa.factor.update"},
		{"nothing near", "group.user_membership.add", 3, ""},
		{"empty", "", 3, ""},
		{"no suggestions wanted", "user.sesion.start", 0, ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			got := Closest(test.id, test.n)
			if len(got) > test.n {
				t.Errorf("Closest(%q, %d) returned %d names", test.id, test.n, len(got))
			}
			if test.first == "" {
				if len(got) != 0 {
					t.Errorf("Closest(%q, %d) = %q, want none", test.id, test.n, got)
				}
				return
			}
			if !slices.Contains(got, test.first) {
				t.Errorf("Closest(%q, %d) = %q, want it to include %q", test.id, test.n, got, test.first)
			}
		})
	}
}

func TestClosestPutsTheNearestFirst(t *testing.T) {
	got := Closest("user.sesion.start", 3)
	if len(got) == 0 || got[0] != "user.session.start" {
		t.Errorf("Closest = %q, want user.session.start first", got)
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"user.sesion.start", "user.session.start", 1},
		{"héllo", "hello", 1},
	}
	for _, test := range tests {
		if got := levenshtein(test.a, test.b); got != test.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", test.a, test.b, got, test.want)
		}
	}
}
