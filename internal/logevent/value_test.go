package logevent

import "testing"

func TestValueText(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
		ok   bool
	}{
		{"a string as it is", Value{Kind: KindString, Str: "00u1"}, "00u1", true},
		{"an integer as written", Value{Kind: KindNumber, Num: 13335}, "13335", true},
		{"a fraction as written", Value{Kind: KindNumber, Num: 0.00001}, "0.00001", true},
		{"a large number without exponent", Value{Kind: KindNumber, Num: 1e21}, "1000000000000000000000", true},
		{"a boolean", Value{Kind: KindBool, Bool: true}, "true", true},
		{"an object has no text", Value{Kind: KindObject}, "", false},
	}
	if len(tests) != 6 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		if got, ok := tt.v.Text(); got != tt.want || ok != tt.ok {
			t.Errorf("%s: Text() = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOutcomeFailed(t *testing.T) {
	tests := []struct {
		result string
		want   bool
	}{
		{"SUCCESS", false}, {"FAILURE", true}, {"DENY", true}, {"deny", true},
		{"ALLOW", false}, {"CHALLENGE", false}, {"", false},
	}
	if len(tests) != 7 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		if got := (Outcome{Result: tt.result}).Failed(); got != tt.want {
			t.Errorf("Failed(%q) = %v, want %v", tt.result, got, tt.want)
		}
	}
}
