package oktaapi

import (
	"encoding/json"
	"testing"
)

func TestSplitArray(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{" [ ] \n", nil},
		{`[{"a":"]},\"{["},{"b":[1,{"c":2}]}]`, []string{`{"a":"]},\"{["}`, `{"b":[1,{"c":2}]}`}},
		{"[ 1 , \"s\" ,null,{} ]", []string{"1", `"s"`, "null", "{}"}},
	} {
		got, err := splitArray([]byte(c.in))
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%s: %q %v", c.in, got, err)
			continue
		}
		for i := range got {
			if string(got[i]) != c.want[i] {
				t.Errorf("%s: element %d = %s, want %s", c.in, i, got[i], c.want[i])
			}
		}
	}
	for _, bad := range []string{``, `{}`, `[`, `[{"a":1}`, `[{"a":"1}]`, `[1 2]`, `[1,]`, `[],`, `[{]`, `null`} {
		if got, err := splitArray([]byte(bad)); err == nil {
			t.Errorf("%q accepted: %q", bad, got)
		}
	}
}

// FuzzSplitArray checks that whatever splitArray accepts as elements of a
// valid JSON array are exactly the elements encoding/json finds.
func FuzzSplitArray(f *testing.F) {
	for _, s := range []string{`[]`, `[{"a":"]"},1,"x\"y",[2,[3]]]`, `[{"uuid":"u","published":"2025-03-03T00:00:00Z"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := splitArray(b)
		var want []json.RawMessage
		if json.Unmarshal(b, &want) != nil || err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d elements, encoding/json %d", b, len(got), len(want))
		}
		for i := range got {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("%q: element %d = %q, want %q", b, i, got[i], want[i])
			}
		}
	})
}
