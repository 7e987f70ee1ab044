package logevent

import (
	std "encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

const head = `"uuid":"u1","published":"2024-05-01T10:00:00Z"`

// caseVariantTests are events whose names differ only in case somewhere:
// Decode must reject each, naming the two names.
var caseVariantTests = []struct {
	name, json string
	field      string // the FieldError's Field
	names      [2]string
}{
	{"an event type in two cases", `{` + head + `,"eventType":"system.api_token.create","eventtype":"user.session.start"}`,
		"eventType", [2]string{"eventType", "eventtype"}},
	{"in the other order", `{` + head + `,"eventtype":"user.session.start","eventType":"system.api_token.create"}`,
		"eventtype", [2]string{"eventtype", "eventType"}},
	{"both in other cases", `{` + head + `,"EVENTTYPE":"a","eventtype":"b"}`, "EVENTTYPE", [2]string{"EVENTTYPE", "eventtype"}},
	{"in the actor", `{` + head + `,"eventType":"x","actor":{"id":"00u1","ID":"00u2"}}`, "actor.id", [2]string{"id", "ID"}},
	{"in debugData", `{` + head + `,"eventType":"x","debugContext":{"debugData":{"requestUri":"/a","requesturi":"/b"}}}`,
		"debugContext.debugData.requestUri", [2]string{"requestUri", "requesturi"}},
	{"in a target's detailEntry", `{` + head + `,"eventType":"x","target":[{"id":"a"},{"id":"b","detailEntry":{"methodTypeUsed":"x","MethodTypeUsed":"y"}}]}`,
		"target.1.detailEntry.methodTypeUsed", [2]string{"methodTypeUsed", "MethodTypeUsed"}},
	{"in debugData held as a JSON string", `{` + head + `,"eventType":"x","debugContext":{"debugData":"{\"behaviors\":\"a\",\"BEHAVIORS\":\"b\"}"}}`,
		"debugContext.debugData (a JSON string).behaviors", [2]string{"behaviors", "BEHAVIORS"}},
	{"in unknown fields", `{` + head + `,"eventType":"x","p_row_id":"a","P_Row_Id":"b"}`, "p_row_id", [2]string{"p_row_id", "P_Row_Id"}},
	{"deep in arrays of an unknown field", `{` + head + `,"eventType":"x","x":[[{"a":{"k":1,"K":2}}]]}`, "x.0.0.a.k", [2]string{"k", "K"}},
	{"Kelvin sign", `{` + head + `,"eventType":"x","x":{"k":1,"\u212a":2}}`, "x.k", [2]string{"k", "\u212a"}},
	{"long s", `{` + head + `,"eventType":"x","publiſhed":"2024-05-02T10:00:00Z"}`, "published", [2]string{"published", "publiſhed"}},
	{"escaped name", `{` + head + `,"eventType":"x","event\u0074ype":"y","actor":{}}`, "eventType", [2]string{"eventType", "eventtype"}},
	{"with escapes elsewhere (the general decoder)", `{` + head + `,"displayMessage":"a\nb","eventType":"x","EventType":"y"}`,
		"eventType", [2]string{"eventType", "EventType"}},
}

func TestDecodeRejectsCaseVariants(t *testing.T) {
	if len(caseVariantTests) == 0 {
		t.Fatal("no cases")
	}
	for _, tt := range caseVariantTests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.json)
			if !std.Valid(raw) {
				t.Fatalf("not JSON: %s", raw)
			}
			e, err := Decode(raw)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode = %+v, %v; want a *FieldError", e, err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Reason, `"`+tt.names[0]+`" and "`+tt.names[1]+`" differ only in case`) {
				t.Errorf("error %q; want field %q naming %q and %q", err, tt.field, tt.names[0], tt.names[1])
			}
			if strings.Contains(tt.field, "JSON string") {
				return // DecodeInto checks it after either decoder; the oracle does not read strings
			}
			if r := decodeFastly(raw); r.handled {
				t.Error("the fast path took the event")
			}
			if !oracleCaseVariants(raw) {
				t.Error("the oracle finds no names differing only in case")
			}
		})
	}
}

// TestDecodeExactDuplicatesLastWins decodes members named exactly alike:
// the last one counts, as jq, Python and encoding/json read them.
func TestDecodeExactDuplicatesLastWins(t *testing.T) {
	e, err := Decode([]byte(`{` + head + `,"eventType":"system.api_token.create","eventType":"user.session.start",` +
		`"debugContext":{"debugData":{"requestUri":"/a","requestUri":"/b"}},"x":1,"x":2,"event\u0054ype":"user.session.end"}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.EventType != "user.session.end" {
		t.Errorf("eventType %q, want the last one", e.EventType)
	}
	for path, want := range map[string]string{"debugContext.debugData.requestUri": "/b", "x": "2"} {
		if got := pathStrings(e, path); len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

// oracleCaseVariants reports whether the JSON raw (valid, as
// encoding/json reads it) has an object with two names that differ only in
// case: caseVariants written again with encoding/json's tokens, for
// FuzzDecode's differential.
func oracleCaseVariants(raw []byte) bool {
	dec := std.NewDecoder(strings.NewReader(string(raw)))
	type frame struct {
		object  bool
		names   []string
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.wantKey {
			for _, n := range top.names {
				if n != s && strings.EqualFold(n, s) {
					return true
				}
			}
			top.names = append(top.names, s)
			top.wantKey = false
			continue
		}
		if top != nil && top.object {
			top.wantKey = true // a value ends (or starts) here
		}
		switch tok {
		case std.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true})
		case std.Delim('['):
			stack = append(stack, &frame{})
		case std.Delim('}'), std.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = true
			}
		}
	}
}
