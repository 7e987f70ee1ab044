package render

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// checkJSONView checks what DisplayJSON promises for any input: bounded
// output, and for valid JSON within the bounds, the same value.
func checkJSONView(t *testing.T, raw []byte) {
	v := DisplayJSON(raw)
	// The bound, plus what one token past it (a clipped string, its mark
	// and its escapes) and the final mark may add.
	if limit := jsonMaxBytes + 8*jsonMaxString + 64; len(v.Text) > limit {
		t.Fatalf("%d bytes of view for %d bytes of input (bound %d)", len(v.Text), len(raw), limit)
	}
	var want any
	if json.Unmarshal(raw, &want) != nil || v.Shortened {
		return
	}
	var got any
	if err := json.Unmarshal([]byte(v.Text), &got); err != nil {
		t.Fatalf("the view of valid JSON is not JSON: %v\ninput %q\nview %q", err, raw, v.Text)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the view changed the value:\ninput %q\nview %q", raw, v.Text)
	}
}

func TestJSONViewKeepsValues(t *testing.T) {
	cases := []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{}}`, `1`, `"x"`, `null`,
		`{"uuid":"u1","n":[1,2.5e3,-0.1,true,false,null],"s":"q\"uote \\ back \u00e9 \u200b","o":{"k":{"k":[{"x":1}]}}}`,
		"{\"raw zero-width\":\"adm\u200bin\",\"bidi\":\"\u202etxt\",\"c1\":\"\u009b\"}",
		` { "spaced" : [ 1 , 2 ] } `,
	}
	for _, c := range cases {
		checkJSONView(t, []byte(c))
	}
	v := DisplayJSON([]byte("{\"a\":\"adm\u200bin\",\"b\":[1,{\"c\":2}]}"))
	want := "{\n  \"a\": \"adm\\u200bin\",\n  \"b\": [\n    1,\n    {\n      \"c\": 2\n    }\n  ]\n}"
	if v.Text != want || v.Shortened {
		t.Errorf("view:\n%s\nwant:\n%s", v.Text, want)
	}
}

func TestJSONViewBounds(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	v := DisplayJSON([]byte(deep))
	if !v.Shortened || !strings.Contains(v.Text, "{…}") || strings.Count(v.Text, "\n") > 2*jsonMaxDepth+2 {
		t.Errorf("deep: shortened %v, %d lines", v.Shortened, strings.Count(v.Text, "\n"))
	}
	long := `{"s":"` + strings.Repeat("é", jsonMaxString) + `","after":1}`
	v = DisplayJSON([]byte(long))
	if !v.Shortened || !strings.Contains(v.Text, "…(16386 bytes in all)\"") || !strings.Contains(v.Text, `"after": 1`) {
		t.Errorf("long string: shortened %v: …%s", v.Shortened, v.Text[len(v.Text)-80:])
	}
	wide := "[" + strings.Repeat(`"abcdefgh",`, 100000) + "1]"
	v = DisplayJSON([]byte(wide))
	if !v.Shortened || len(v.Text) > jsonMaxBytes+jsonMaxString || !strings.HasSuffix(v.Text, "\n…") {
		t.Errorf("wide: shortened %v, %d bytes", v.Shortened, len(v.Text))
	}
	// A cut never splits an escape.
	esc := `{"s":"` + strings.Repeat("a", jsonMaxString-3) + `\u200b\u200b"}`
	if v := DisplayJSON([]byte(esc)); strings.Contains(v.Text, `\u2…`) || strings.Contains(v.Text, `\u…`) {
		t.Errorf("escape split: …%s", v.Text[len(v.Text)-40:])
	}
}

func FuzzDisplayJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"c"}]}`, `[[[[[]]]]]`, `{"a":"\u200b\"\\"}`, `{"a":`, `]]]}}`, `"unterminated`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkJSONView)
}
