package sqlfrag

import (
	"reflect"
	"testing"
)

func TestJoin(t *testing.T) {
	a := Frag{SQL: "a = ?", Args: []any{1}}
	b := Frag{SQL: "b IN (?, ?)", Args: []any{"x", "y"}}
	c := Frag{SQL: "c"}
	cases := []struct {
		parts []Frag
		sep   string
		want  Frag
	}{
		{[]Frag{a}, " AND ", a},
		{[]Frag{a, b}, " AND ", Frag{SQL: "(a = ? AND b IN (?, ?))", Args: []any{1, "x", "y"}}},
		{[]Frag{c, b, a}, " OR ", Frag{SQL: "(c OR b IN (?, ?) OR a = ?)", Args: []any{"x", "y", 1}}},
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range cases {
		if got := Join(tc.parts, tc.sep); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Join(%v, %q) = %v, want %v", tc.parts, tc.sep, got, tc.want)
		}
	}
}
