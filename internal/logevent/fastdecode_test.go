package logevent

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	json "github.com/goccy/go-json"
)

// The fast path must decode every event it takes exactly as the general
// decoder (goccy/go-json) does, and give up on every event that decoder
// fails on. These tests compare the two on public samples, synthetic
// events, generated events of every field and hand-written oddities, and
// FuzzFastDecode on whatever the fuzzer makes of them.

// fastResult is the fast path's decoding of raw (trimmed as DecodeInto
// trims it): the LogEvent, whether the fast path took the event, and else
// why not and where.
type fastResult struct {
	event   LogEvent
	handled bool
	reason  string
	at      int
}

func decodeFastly(raw []byte) fastResult {
	d := newFastDecoder()
	var r fastResult
	r.handled = d.decode(&r.event, bytes.TrimSpace(raw))
	r.reason, r.at = d.reason, d.at
	return r
}

// checkFastDecode compares the fast path's decoding of raw with the
// general decoder's, and reports whether the fast path took raw.
func checkFastDecode(t *testing.T, raw []byte) bool {
	t.Helper()
	trimmed := bytes.TrimSpace(raw)
	var fast LogEvent
	handled := decodeFast(&fast, trimmed) // from the pool, whose caches are warm
	var general LogEvent
	err := json.Unmarshal(trimmed, &general)
	if !handled {
		return false
	}
	if err != nil {
		t.Fatalf("%q: the fast path decodes what the general decoder rejects (%v)", raw, err)
	}
	if fe := caseVariants(trimmed); fe != nil {
		t.Fatalf("%q: the fast path decodes what DecodeInto rejects (%v)", raw, fe)
	}
	if diffs := diffLogEvents(fast, general); len(diffs) > 0 {
		t.Fatalf("%q: the fast path decodes differently:\n%s", raw, strings.Join(diffs, "\n"))
	}
	return true
}

// checkDecodeInto checks that DecodeInto, which tries the fast path first,
// decodes raw as the general decoder alone does (as DecodeInto did before
// the fast path), and returns the same error.
func checkDecodeInto(t *testing.T, raw []byte) {
	t.Helper()
	var got Event
	gotErr := DecodeInto(&got, raw)
	want := Event{Raw: raw}
	wantErr := errors.New("not a JSON object")
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '{' {
		if wantErr = decodeGeneral(&want, trimmed); wantErr == nil {
			wantErr = want.validate()
		}
	}
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q: DecodeInto: %v; general decoder: %v", raw, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if !bytes.Equal(got.Raw, raw) || !got.Time.Equal(want.Time) {
		t.Fatalf("%q: DecodeInto: Raw %q, Time %v; general decoder: %v", raw, got.Raw, got.Time, want.Time)
	}
	if diffs := diffLogEvents(got.LogEvent, want.LogEvent); len(diffs) > 0 {
		t.Fatalf("%q: DecodeInto decodes differently:\n%s", raw, strings.Join(diffs, "\n"))
	}
}

// diffLogEvents lists the fields in which a and b differ: fields compare
// as reflect.DeepEqual does, but that a Number's NaN equals NaN (which
// "NaN" decodes to) and Objects compare by their JSON and the map it
// decodes into, not by where the JSON is.
func diffLogEvents(a, b LogEvent) []string {
	var diffs []string
	diffValues("LogEvent", reflect.ValueOf(a), reflect.ValueOf(b), &diffs)
	return diffs
}

func diffValues(path string, a, b reflect.Value, diffs *[]string) {
	differ := func(format string, args ...any) {
		*diffs = append(*diffs, path+": "+fmt.Sprintf(format, args...))
	}
	switch a.Type() {
	case objectType:
		oa, ob := a.Interface().(Object), b.Interface().(Object)
		if !bytes.Equal(oa.raw, ob.raw) || (oa.raw == nil) != (ob.raw == nil) || oa.decoded != ob.decoded {
			differ("Object %q (decoded %v) != %q (decoded %v)", oa.raw, oa.decoded, ob.raw, ob.decoded)
		}
		if ma, mb := decodeObject(oa.raw), decodeObject(ob.raw); !reflect.DeepEqual(ma, mb) {
			differ("Object decodes to %v != %v", ma, mb)
		}
		return
	case numberType:
		na, nb := a.Interface().(Number), b.Interface().(Number)
		if !sameNumber(na, nb) {
			differ("%v != %v", na, nb)
		}
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			diffValues(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), diffs)
		}
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				differ("nil %v != nil %v", a.IsNil(), b.IsNil())
			}
			return
		}
		diffValues(path, a.Elem(), b.Elem(), diffs)
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			differ("%d elements (nil %v) != %d (nil %v)", a.Len(), a.IsNil(), b.Len(), b.IsNil())
			return
		}
		for i := range a.Len() {
			diffValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), diffs)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			differ("%#v != %#v", a.Interface(), b.Interface())
		}
	}
}

func TestDiffLogEventsFindsDifferences(t *testing.T) {
	base := func() LogEvent {
		return LogEvent{UUID: "u", Device: &Device{}, Target: []Target{{ID: "t"}},
			DebugContext: DebugContext{DebugData: Object{raw: []byte(`{"a":1}`)}},
			Client:       Client{GeographicalContext: GeographicalContext{Geolocation: Geolocation{Lat: Number{math.NaN(), true}}}}}
	}
	if diffs := diffLogEvents(base(), base()); len(diffs) > 0 {
		t.Errorf("equal events differ: %v", diffs)
	}
	for _, tt := range []struct {
		name   string
		change func(*LogEvent)
	}{
		{"string", func(e *LogEvent) { e.UUID = "v" }},
		{"nil pointer", func(e *LogEvent) { e.Device = nil }},
		{"pointer's field", func(e *LogEvent) { e.Device.Managed = Bool{true, true} }},
		{"nil slice", func(e *LogEvent) { e.Target = nil }},
		{"empty slice", func(e *LogEvent) { e.Target = []Target{} }},
		{"nil and empty", func(e *LogEvent) { e.Request.IPChain = []IPAddress{} }},
		{"element", func(e *LogEvent) { e.Target[0].ID = "s" }},
		{"Object's JSON", func(e *LogEvent) { e.DebugContext.DebugData = Object{raw: []byte(`{"a": 1}`)} }},
		{"Object's map", func(e *LogEvent) { e.DebugContext.DebugData = Object{raw: []byte(`{"a":2}`)} }},
		{"Object null", func(e *LogEvent) { e.Actor.DetailEntry = Object{raw: []byte(`null`)} }},
		{"NaN", func(e *LogEvent) { e.Client.GeographicalContext.Geolocation.Lat.Value = 1 }},
	} {
		changed := base()
		tt.change(&changed)
		if diffs := diffLogEvents(changed, base()); len(diffs) == 0 {
			t.Errorf("%s: no difference found", tt.name)
		}
	}
}

// fastDecodeTests are events the fast path takes, or gives up on.
var fastDecodeTests = []struct {
	name    string
	json    string
	handled bool
}{
	{"minimal", `{"uuid":"u","published":"2024-05-01T00:00:00Z","eventType":"x"}`, true},
	{"empty", `{}`, true},
	{"null in every kind of field", `{"uuid":null,"actor":null,"device":null,"target":null,"request":{"ipChain":null},
	 "debugContext":{"debugData":null},"securityContext":{"asNumber":null,"isProxy":null},
	 "authenticationContext":{"issuer":null,"authenticationStep":null},"client":{"geographicalContext":{"geolocation":null}},
	 "transaction":{"detail":null,"id":null}}`, true},
	{"nulls in a device", `{"device":{"id":null,"managed":null,"device_integrator":null}}`, true},
	{"empty arrays", `{"target":[],"request":{"ipChain":[]}}`, true},
	{"null elements", `{"target":[null,{"id":"a"},null],"request":{"ipChain":[null]}}`, true},
	{"empty objects", `{"actor":{},"client":{"userAgent":{},"geographicalContext":{"geolocation":{}}},"device":{},
	 "outcome":{},"transaction":{},"debugContext":{},"authenticationContext":{"issuer":{}},"securityContext":{},"request":{}}`, true},
	{"white space everywhere", " {\n\t\"uuid\" :\r \"u\" , \"target\" : [ { \"id\" : \"a\" } , null ] ,\"actor\":{ } ,\n" +
		"\"debugContext\":{\"debugData\" : { \"a\" : [ 1 , 2 ] } } } \n", true},
	{"unicode", `{"client":{"geographicalContext":{"city":"São Paulo","state":"東京都","country":"Россия"}},
	 "actor":{"displayName":"Zoë 🙂 \u0000"},"displayMessage":"` + "\ufffd\u2028\u00a0\ufeff" + `"}`, false},
	{"unicode without escapes", `{"client":{"geographicalContext":{"city":"São Paulo","state":"東京都","country":"Россия"}},
	 "actor":{"displayName":"Zoë 🙂"},"displayMessage":"` + "\ufffd\u2028\u00a0\ufeff\u007f" + `"}`, true},
	{"scalars as strings", `{"securityContext":{"asNumber":"9009","isProxy":"TRUE"},"device":{"managed":"false","jailbreak":"1"},
	 "authenticationContext":{"authenticationStep":" 2 "},"client":{"geographicalContext":{"geolocation":{"lat":"40.5","lon":"x"}}}}`, true},
	{"scalars of other kinds", `{"securityContext":{"asNumber":{"a":1},"isProxy":[true]},"device":{"managed":1,"registered":"\u0074rue"},
	 "client":{"geographicalContext":{"geolocation":{"lat":1e3,"lon":-0.5E-2}}}}`, true},
	{"Objects of every kind", `{"debugContext":{"debugData":"{\"a\":1}"},"actor":{"detailEntry":[1]},
	 "transaction":{"detail":7},"device":{"device_integrator":true},"target":[{"detailEntry":"x"},{"detailEntry":{}}]}`, true},
	{"unknown fields of every kind", `{"a":1,"b":-0.5e+7,"c":"\"\\\/\b\f\n\r\t\u00e9","d":[true,false,null,{}],"e":{"g":{"f":[[]]}},
	 "actor":{"x":1},"target":[{"x":[]}],"request":{"ipChain":[{"x":{},"geographicalContext":{"x":"y","geolocation":{"x":1}}}]}}`, true},
	{"invalid UTF-8 in an unknown field", "{\"x\":\"\xff\"}", true},
	{"invalid UTF-8 in an Object", "{\"debugContext\":{\"debugData\":{\"a\":\"\xed\xa0\x80\"}}}", true},
	// Names in free-form objects are compared in any case (caseVariants):
	// the fast path compares plain ASCII names only.
	{"a name not ASCII in an Object", "{\"debugContext\":{\"debugData\":{\"a\xff\":\"x\"}}}", false},
	{"a name with an escape in an unknown field", `{"e":{"\u00e9":{"f":[[]]}}}`, false},
	{"names differing only in case in an Object", `{"debugContext":{"debugData":{"requestUri":"a","requesturi":"b"}}}`, false},
	{"names differing only in case in an unknown field", `{"x":[{"a":1,"A":2}]}`, false},
	{"unknown names differing only in case", `{"p_row_id":"a","P_ROW_ID":"b"}`, false},
	{"names repeated exactly in an Object", `{"debugContext":{"debugData":{"a":1,"a":2}}}`, true},
	{"control characters escaped in an Object", `{"actor":{"detailEntry":{"a":"\u0000\u001f\t"}}}`, true},
	{"a long string", `{"client":{"userAgent":{"rawUserAgent":"` + strings.Repeat("Mozilla/5.0 ", 40) + `"}}}`, true},
	{"strings at the end of the input", `{"severity":"INFO","version":"0"}`, true},
	{"white space after a colon", `{"actor":{"id": "a","type" :"User"}, "severity":` + "\t\"INFO\"}", true},
	{"fields out of order", `{"target":[{"detailEntry":{},"id":"t"}],"uuid":"u","actor":{"type":"User","id":"a"}}`, true},
	{"a field repeated out of order", `{"actor":{"type":"User","id":"a","type":"Group"}}`, false},
	{"a field repeated in order", `{"actor":{"id":"a","type":"User"},"client":{},"actor":{"id":"b"}}`, false},
	{"a field's name in another case", `{"UUID":"u"}`, false},
	{"a nested field's name in another case", `{"actor":{"ID":"a"}}`, false},
	{"a device's field name in another case", `{"device":{"OS_platform":"a"}}`, false},
	{"an escaped name", `{"\u0075uid":"u"}`, false},
	{"an escaped unknown name", `{"\u0078":"u"}`, false},
	{"a name not ASCII", `{"ſeverity":"x"}`, false},
	{"an unknown name not ASCII", `{"città":"x"}`, false},
	{"a repeated field", `{"uuid":"a","uuid":"b"}`, false},
	{"a repeated struct", `{"actor":{"id":"a"},"actor":{"type":"b"}}`, false},
	{"a repeated array", `{"target":[{"id":"a"}],"target":[]}`, false},
	{"a repeated nested field", `{"target":[{"id":"a","id":"b"}]}`, false},
	{"a repeated null", `{"device":null,"device":null}`, false},
	{"a repeated unknown field", `{"x":1,"x":2}`, true},
	{"an escape in a string", `{"displayMessage":"a \"quote\""}`, false},
	{"a unicode escape in a string", `{"actor":{"displayName":"Zo\u00eb"}}`, false},
	{"invalid UTF-8 in a string", "{\"actor\":{\"displayName\":\"Zo\xeb\"}}", false},
	{"a surrogate in UTF-8", "{\"actor\":{\"displayName\":\"\xed\xa0\x80\"}}", false},
	{"a control character in a string", "{\"uuid\":\"a\tb\"}", false},
	{"a number where a string goes", `{"severity":3}`, false},
	{"a boolean where a string goes", `{"actor":{"alternateId":true}}`, false},
	{"an object where a string goes", `{"client":{"zone":{"id":"z"}}}`, false},
	{"a string where an object goes", `{"client":{"userAgent":"curl/8"}}`, false},
	{"a string where a pointer goes", `{"device":"x"}`, false},
	{"an object where an array goes", `{"target":{"id":"t"}}`, false},
	{"a number in an array of targets", `{"target":[1]}`, false},
	{"an array where an object goes", `{"actor":[]}`, false},
	{"after the object", `{"uuid":"u"} x`, false},
	{"a second object", `{"uuid":"u"}{}`, false},
	{"a closing brace too many", `{"uuid":"u"}}`, false},
	{"a trailing comma", `{"uuid":"u",}`, false},
	{"a trailing comma in an array", `{"target":[{},]}`, false},
	{"a leading comma", `{,"uuid":"u"}`, false},
	{"unclosed", `{"uuid":"u"`, false},
	{"unclosed string", `{"uuid":"u`, false},
	{"not an object", `[{"uuid":"u"}]`, false},
	{"vertical tab inside", "{\"uuid\":\v\"u\"}", false},
	{"deep nesting at the limit", `{"x":` + strings.Repeat("[", maxFastDepth) + strings.Repeat("]", maxFastDepth) + `}`, true},
	{"deep nesting beyond the limit", `{"x":` + strings.Repeat("[", maxFastDepth+1) + strings.Repeat("]", maxFastDepth+1) + `}`, false},
	{"deep nesting in an Object", `{"debugContext":{"debugData":` + strings.Repeat(`{"a":`, maxFastDepth+1) + "1" + strings.Repeat("}", maxFastDepth+1) + `}}`, false},
	{"a leading zero", `{"x":01}`, false},
	{"a bare decimal point", `{"x":1.}`, false},
	{"an exponent without digits", `{"x":1e+}`, false},
	{"a lone minus", `{"x":-}`, false},
	{"a truncated literal", `{"x":tru}`, false},
	{"a bad escape", `{"x":"\q"}`, false},
	{"a short unicode escape", `{"x":"\u12"}`, false},
	{"missing comma in an array", `{"x":[1 2]}`, false},
	{"double comma in an array", `{"x":[1,,2]}`, false},
	{"missing colon", `{"x" 1}`, false},
	{"invalid JSON in an Object", `{"debugContext":{"debugData":{"a":}}}`, false},
	{"NaN", `{"x":NaN}`, false},
	{"a number as a NaN string", `{"securityContext":{"asNumber":"NaN"}}`, true},
}

func TestFastDecode(t *testing.T) {
	for _, tt := range fastDecodeTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkFastDecode(t, []byte(tt.json)); got != tt.handled {
				r := decodeFastly([]byte(tt.json))
				t.Errorf("handled = %v, want %v (%s at %d)", got, tt.handled, r.reason, r.at)
			}
			checkDecodeInto(t, []byte(tt.json))
		})
	}
}

// TestDecodeIntoWhiteSpace checks DecodeInto on events with white space
// around them, which it tries as they are, then trimmed.
func TestDecodeIntoWhiteSpace(t *testing.T) {
	event := `{"uuid":"u","published":"2024-05-01T00:00:00Z","eventType":"x","target":[{"id":"t"}],"actor":{"id":"a"}}`
	for _, raw := range []string{
		event,
		" \t\r\n" + event,
		event + " \t\r\n",
		event + "\v",
		event + "\u00a0",
		"\u0085" + event + "\f",
		event[:len(event)-1] + ",\"x\":\"\\u0041\"}\v", // given up on as it is, then trimmed
		event + "x",
		"\v",
		"",
	} {
		checkDecodeInto(t, []byte(raw))
	}
}

// everyField returns the JSON of a LogEvent with every field set, each
// string to a value of its own, and with the member whose path (dotted,
// elements numbered) is mutated written by mutate.
func everyField(mutated string, mutate func(name, value string) string) string {
	var b strings.Builder
	writeEveryField(&b, logEventType, "", mutated, mutate, false)
	return b.String()
}

// writeEveryField writes the JSON of everyField of type t, its members in
// the order of t's fields, or in reverse.
func writeEveryField(b *strings.Builder, t reflect.Type, path, mutated string, mutate func(name, value string) string, reverse bool) {
	switch {
	case t == objectType:
		fmt.Fprintf(b, `{"path":%q}`, path)
	case t == numberType:
		fmt.Fprintf(b, "%d.5", len(path))
	case t == boolType:
		b.WriteString("true")
	case t.Kind() == reflect.String:
		fmt.Fprintf(b, "%q", path+" ☃")
	case t.Kind() == reflect.Pointer:
		writeEveryField(b, t.Elem(), path, mutated, mutate, reverse)
	case t.Kind() == reflect.Slice:
		b.WriteString("[")
		for i := range 2 {
			if i > 0 {
				b.WriteString(",")
			}
			writeEveryField(b, t.Elem(), fmt.Sprintf("%s.%d", path, i), mutated, mutate, reverse)
		}
		b.WriteString("]")
	case t.Kind() == reflect.Struct:
		b.WriteString("{")
		for n := range t.NumField() {
			if n > 0 {
				b.WriteString(",")
			}
			i := n
			if reverse {
				i = t.NumField() - 1 - n
			}
			name := t.Field(i).Tag.Get("json")
			fieldPath := strings.TrimPrefix(path+"."+name, ".")
			var value strings.Builder
			writeEveryField(&value, t.Field(i).Type, fieldPath, mutated, mutate, reverse)
			if fieldPath == mutated {
				b.WriteString(mutate(name, value.String()))
			} else {
				fmt.Fprintf(b, "%q:%s", name, value.String())
			}
		}
		b.WriteString("}")
	}
}

// fieldPaths returns the paths of every field of the JSON of everyField.
func fieldPaths(t reflect.Type, path string) []string {
	switch t.Kind() {
	case reflect.Pointer:
		return fieldPaths(t.Elem(), path)
	case reflect.Slice:
		return fieldPaths(t.Elem(), path+".1")
	case reflect.Struct:
		if t == objectType || t == numberType || t == boolType {
			return nil
		}
		var paths []string
		for i := range t.NumField() {
			p := strings.TrimPrefix(path+"."+t.Field(i).Tag.Get("json"), ".")
			paths = append(paths, p)
			paths = append(paths, fieldPaths(t.Field(i).Type, p)...)
		}
		return paths
	}
	return nil
}

// TestScanningWords puts every byte at every place of a run of bytes, and
// a second byte after it (a quote or a control character, whose borrows
// may mark bytes after it), across the words that stringRun, indexQuote
// and shortString read, and compares them with byte by byte scans.
func TestScanningWords(t *testing.T) {
	b := make([]byte, 20)
	for c := range 256 {
		for at := range len(b) {
			for second := range len(b) {
				for _, s := range []byte{'"', 0x01, 0x80} {
					for i := range b {
						b[i] = 'a'
					}
					b[second] = s
					b[at] = byte(c)
					for start := range 3 {
						want := start
						for want < len(b) && b[want] >= ' ' && b[want] != '"' && b[want] != '\\' {
							want++
						}
						if got := stringRun(b, start); got != want {
							t.Fatalf("stringRun(%q, %d) = %d, want %d", b, start, got, want)
						}
					}
					quote := bytes.IndexByte(b, '"')
					if got := indexQuote(b); got != quote {
						t.Fatalf("indexQuote(%q) = %d, want %d", b, got, quote)
					}
					quoted := append([]byte{'"'}, b...)
					n, w0, w1, ok := shortString(quoted, 0)
					if wantOK := quote >= 0 && quote <= shortMax && len(quoted) > 2+shortMax; ok != wantOK {
						t.Fatalf("shortString(%q): ok %v", quoted, ok)
					}
					if ok {
						if n != quote {
							t.Fatalf("shortString(%q) = %d bytes, want %d", quoted, n, quote)
						}
						if x0, x1 := stringWords(b[:n]); x0 != w0 || x1 != w1 {
							t.Fatalf("shortString(%q) = words %x %x, stringWords %x %x", quoted, w0, w1, x0, x1)
						}
					}
				}
			}
		}
	}
}

// TestSpaceRun compares spaceRun with a byte by byte scan on runs of every
// kind of white space and length, followed by every byte.
func TestSpaceRun(t *testing.T) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for _, unit := range []string{" ", "\n", "\t", "\r", "\n  ", " \t", "\v", "\f"} {
		for n := range 20 {
			for c := range 256 {
				b := []byte(strings.Repeat(unit, n) + string([]byte{byte(c)}) + "   ")
				for start := range 3 {
					want := start
					for want < len(b) && isSpace(b[want]) {
						want++
					}
					if got := spaceRun(b, start); got != want {
						t.Fatalf("spaceRun(%q, %d) = %d, want %d", b, start, got, want)
					}
				}
			}
		}
	}
}

// TestFieldLists checks that the lists of fields match the fields of the
// structs, and that a struct's fields fit the bits of members.seen.
func TestFieldLists(t *testing.T) {
	for _, tt := range []struct {
		fields *fieldList
		of     any
	}{
		{logEventFields, LogEvent{}}, {actorFields, Actor{}}, {actorFields, Target{}}, {clientFields, Client{}},
		{userAgentFields, UserAgent{}}, {placeFields, GeographicalContext{}}, {geolocationFields, Geolocation{}},
		{deviceFields, Device{}}, {authFields, AuthenticationContext{}}, {issuerFields, Issuer{}},
		{outcomeFields, Outcome{}}, {securityFields, SecurityContext{}}, {debugFields, DebugContext{}},
		{transactionFields, Transaction{}}, {requestFields, Request{}}, {hopFields, IPAddress{}},
	} {
		typ := reflect.TypeOf(tt.of)
		var names []string
		for i := range typ.NumField() {
			names = append(names, typ.Field(i).Tag.Get("json"))
		}
		if got := slices.Sorted(slices.Values(tt.fields.names)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
			t.Errorf("%s: fields %v, want %v", typ.Name(), tt.fields.names, names)
		}
		if len(names) > 32 {
			t.Errorf("%s: %d fields, more than members.seen has bits for", typ.Name(), len(names))
		}
	}
}

// TestFastDecodeEveryField checks the fast path on an event of every field,
// and that it gives up when any one field's name is in another case, is
// repeated, or has a value of the wrong type.
func TestFastDecodeEveryField(t *testing.T) {
	full := everyField("", nil)
	var reversed strings.Builder // in no order the fast path expects
	writeEveryField(&reversed, logEventType, "", "", nil, true)
	for _, raw := range []string{full, reversed.String()} {
		if !checkFastDecode(t, []byte(raw)) {
			r := decodeFastly([]byte(raw))
			t.Fatalf("the fast path gives up on every field set: %s at %d", r.reason, r.at)
		}
	}
	paths := fieldPaths(logEventType, "")
	if len(paths) < 70 {
		t.Fatalf("only %d fields", len(paths))
	}
	mutations := []struct {
		name   string
		mutate func(name, value string) string
	}{
		{"upper case", func(name, value string) string { return fmt.Sprintf("%q:%s", strings.ToUpper(name), value) }},
		{"first letter changed", func(name, value string) string {
			c := name[0] ^ 0x20
			return fmt.Sprintf("%q:%s", string(c)+name[1:], value)
		}},
		{"repeated", func(name, value string) string { return fmt.Sprintf("%q:%s,%q:%s", name, value, name, value) }},
		{"wrong type", func(name, value string) string {
			if value[0] == '"' {
				return fmt.Sprintf("%q:5", name) // a number where a string goes
			}
			return fmt.Sprintf(`%q:"x"`, name) // a string where an object or array goes
		}},
	}
	for _, path := range paths {
		for _, m := range mutations {
			raw := everyField(path, m.mutate)
			if strings.HasPrefix(m.name, "wrong type") && isLenient(path) {
				continue // Number, Bool and Object take any value
			}
			if checkFastDecode(t, []byte(raw)) {
				t.Errorf("%s %s: the fast path does not give up", path, m.name)
			}
		}
	}
}

// isLenient reports whether the field at path takes any JSON value.
func isLenient(path string) bool {
	t := logEventType
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if name == "1" {
			continue
		}
		f, ok := fieldByJSONName(t, name)
		if !ok {
			panic(path)
		}
		t = t.Field(f).Type
	}
	return t == objectType || t == numberType || t == boolType
}

// publicEvents returns the events of the public samples: the files of
// whole events (sampleRecords), the events of the event hook deliveries,
// and the NDJSON and JSON of internal/ingest's tests.
func publicEvents(t testing.TB) map[string][][]byte {
	t.Helper()
	out := sampleRecords(t)
	hooks, err := filepath.Glob("../../testdata/okta-samples/logzio-event-hook/*.json")
	if err != nil || len(hooks) == 0 {
		t.Fatalf("no event hook samples: %v", err)
	}
	for _, f := range hooks {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var delivery struct {
			Data struct{ Events []json.RawMessage }
		}
		if err := json.Unmarshal(data, &delivery); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range delivery.Data.Events {
			out[filepath.Base(f)] = append(out[filepath.Base(f)], e)
		}
	}
	for _, f := range []string{"ndjson-with-rejects.ndjson", "pretty-with-rejects.json", "admin-console-export.want.ndjson"} {
		data, err := os.ReadFile(filepath.Join("../ingest/testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = splitRecords(t, data)
	}
	return out
}

// synthSeeds returns a synthetic event of every event type and shape.
func synthSeeds() [][]byte {
	records, _ := synthRecords()
	seen := map[string]bool{}
	var seeds [][]byte
	for _, r := range records {
		var e LogEvent
		if json.Unmarshal(r, &e) != nil {
			continue
		}
		shape := fmt.Sprint(e.EventType, len(e.Target), e.Device != nil, e.AuthenticationContext.Issuer != nil, e.Outcome.Result)
		if !seen[shape] {
			seen[shape] = true
			seeds = append(seeds, r)
		}
	}
	return seeds
}

// TestFastDecodeTakesEvents checks that the fast path takes every
// synthetic event and nearly every public sample, and decodes them as the
// general decoder does. It logs the samples it gives up on, and why.
func TestFastDecodeTakesEvents(t *testing.T) {
	records, _ := synthRecords()
	for i, r := range records {
		if !checkFastDecode(t, r) {
			res := decodeFastly(r)
			t.Fatalf("synthetic event %d: the fast path gives up: %s at %d: %.200q", i, res.reason, res.at, r[min(res.at, len(r)):])
		}
	}
	total, fallbacks := 0, 0
	reasons := map[string]int{}
	for name, rs := range publicEvents(t) {
		for i, r := range rs {
			total++
			if checkFastDecode(t, r) {
				continue
			}
			fallbacks++
			res := decodeFastly(r)
			reasons[res.reason]++
			from := max(0, res.at-40)
			t.Logf("%s record %d: %s at %d: %q", name, i+1, res.reason, res.at, r[from:min(len(r), res.at+40)])
		}
	}
	t.Logf("%d of %d public sample events fall back to the general decoder: %v", fallbacks, total, reasons)
	if total < 200 || fallbacks > total/20 {
		t.Errorf("%d of %d public sample events fall back", fallbacks, total)
	}
}

// TestFastDecodeAllocations checks that decoding an event again allocates
// only its unique strings (uuid, published, transaction and session ids,
// in one allocation) and its arrays (of targets, of IP addresses).
func TestFastDecodeAllocations(t *testing.T) {
	records, _ := synthRecords()
	raw := records[1]     // two targets, one IP
	d := newFastDecoder() // not the pool's, which the race detector empties at random
	var e LogEvent
	allocs := testing.AllocsPerRun(100, func() {
		e = LogEvent{}
		if !d.decode(&e, raw) {
			t.Fatal("not handled")
		}
	})
	if allocs != 3 {
		t.Errorf("%v allocations per event, want 3", allocs)
	}
}

// TestFastObjectsShareRaw checks that the fast path's Objects hold slices
// of the input, without room to append to (which would write over it).
func TestFastObjectsShareRaw(t *testing.T) {
	raw := []byte(`{"actor":{"detailEntry":{"m":1}},"debugContext":{"debugData": {"d":2} },"x":0}`)
	var e LogEvent
	if !decodeFast(&e, raw) {
		t.Fatal("not handled")
	}
	start, end := uintptr(unsafe.Pointer(&raw[0])), uintptr(unsafe.Pointer(&raw[0]))+uintptr(len(raw))
	for _, o := range []Object{e.Actor.DetailEntry, e.DebugContext.DebugData} {
		p := uintptr(unsafe.Pointer(&o.raw[0]))
		if p < start || p+uintptr(len(o.raw)) > end {
			t.Errorf("%s is a copy", o.raw)
		}
		if cap(o.raw) != len(o.raw) {
			t.Errorf("%s has room for %d more bytes", o.raw, cap(o.raw)-len(o.raw))
		}
	}
}

// TestStringCache checks that the strings a decoder keeps are bounded in
// number and size whatever it reads, and that a string it holds comes back
// without allocating.
func TestStringCache(t *testing.T) {
	d := newFastDecoder()
	read := func(quoted []byte) string { // quoted as JSON, then spaces
		d.b, d.failed = quoted, false
		s, i := d.string(0)
		if d.failed || i != len(bytes.TrimRight(quoted, " ")) {
			t.Fatalf("%s: %s at %d", quoted, d.reason, d.at)
		}
		return s
	}
	held := func() (n, size int) {
		for _, slot := range d.strings.slots {
			if slot.s != "" {
				n++
				size += len(slot.s)
			}
			if len(slot.s) > maxInterned {
				t.Fatalf("holds a string of %d bytes", len(slot.s))
			}
		}
		return n, size
	}
	// Many more distinct values than slots, of every length up to well
	// past maxInterned, alone or followed by more JSON: every one comes
	// back as it went in, and the cache holds at most a string per slot,
	// none too long.
	for i := range 20 * internSlots {
		text := fmt.Sprintf("%d%s", i, strings.Repeat("é", i%maxInterned))
		quoted := `"` + text + `"`
		if i%2 == 0 {
			quoted += strings.Repeat(" ", 20) // room for the words of short strings
		}
		if got := read([]byte(quoted)); got != text {
			t.Fatalf("read %q, want %q", got, text)
		}
	}
	n, size := held()
	if n > internSlots || size > internSlots*maxInterned {
		t.Errorf("holds %d strings of %d bytes", n, size)
	}
	if n < internSlots/2 {
		t.Errorf("holds only %d strings", n) // the hash spreads them
	}
	// A string held comes back without allocating, in both ways of
	// reading it; one too long is not held, nor one the cache must not
	// hold.
	for _, quoted := range []string{`"user.session.start"`, `"User"`, `"User"` + strings.Repeat(" ", 20)} {
		raw := []byte(quoted)
		d.b = raw
		first, _ := d.string(0)
		if allocs := testing.AllocsPerRun(100, func() { d.string(0) }); allocs != 0 {
			t.Errorf("%s: a hit allocates %v times", quoted, allocs)
		}
		if again, _ := d.string(0); unsafe.StringData(again) != unsafe.StringData(first) {
			t.Errorf("%s: a hit makes a new string", quoted)
		}
	}
	long := strings.Repeat("y", maxInterned+1)
	if read([]byte(`"`+long+`"`)) != long {
		t.Error("a long string comes back changed")
	}
	for _, slot := range d.strings.slots {
		if slot.s == long {
			t.Error("holds a string longer than maxInterned")
		}
	}
	for _, invalid := range []string{`"a\nb"`, "\"a\x01\"", "\"\xff\"", "\"a\x01\"" + strings.Repeat(" ", 20)} {
		d.b, d.failed = []byte(invalid), false
		d.string(0)
		if !d.failed {
			t.Errorf("%q: read", invalid)
		}
		for _, slot := range d.strings.slots {
			if strings.HasPrefix(invalid[1:], slot.s) && slot.s != "" {
				t.Errorf("%q: holds %q", invalid, slot.s)
			}
		}
	}
}

// TestFastDecodeConcurrently decodes events from several goroutines at
// once, as DecodeInto's callers do (run with -race).
func TestFastDecodeConcurrently(t *testing.T) {
	records, _ := synthRecords()
	records = records[:2000]
	want := make([]LogEvent, len(records))
	for i, r := range records {
		if err := json.Unmarshal(r, &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan string, 4)
	for w := range 4 {
		go func() {
			var msg string
			for k := range records {
				i := (k + w*len(records)/4) % len(records)
				var e LogEvent
				if !decodeFast(&e, records[i]) {
					msg = fmt.Sprintf("event %d not handled", i)
					break
				}
				if diffs := diffLogEvents(e, want[i]); len(diffs) > 0 {
					msg = fmt.Sprintf("event %d: %v", i, diffs)
					break
				}
			}
			errs <- msg
		}()
	}
	for range 4 {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// FuzzFastDecode checks that the fast path decodes whatever it takes as the
// general decoder does, and takes nothing that decoder fails on.
func FuzzFastDecode(f *testing.F) {
	for _, rs := range publicEvents(f) {
		for _, r := range rs {
			f.Add(r)
		}
	}
	for _, r := range synthSeeds() {
		f.Add(r)
	}
	f.Add([]byte(`"{\"a\":1,\"A\":[2],\"b\u00e9\":{\"c\":3}}"`)) // FuzzDecode's seeds
	for _, tt := range memberTests {
		f.Add([]byte(tt.obj))
		f.Add([]byte(`{"uuid":"u","published":"2024-05-01T00:00:00Z","eventType":"x","debugContext":{"debugData":` + tt.obj + `}}`))
	}
	for _, tt := range fastDecodeTests {
		f.Add([]byte(tt.json))
	}
	for _, tt := range caseVariantTests {
		f.Add([]byte(tt.json))
	}
	f.Add([]byte(everyField("", nil)))
	var reversed strings.Builder
	writeEveryField(&reversed, logEventType, "", "", nil, true)
	f.Add([]byte(reversed.String()))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkFastDecode(t, raw)
		checkDecodeInto(t, raw)
	})
}

func TestIsJSONNumber(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"0", true}, {"-0", true}, {"12", true}, {"1.5", true}, {"-12.25e+3", true}, {"1E-7", true}, {"0e0", true},
		{"", false}, {"-", false}, {"+1", false}, {"01", false}, {"1.", false}, {".5", false},
		{"1e", false}, {"1e+", false}, {"1e+-5", false}, {"1.5x", false}, {" 1", false}, {"NaN", false},
	} {
		if got := IsJSONNumber([]byte(tt.text)); got != tt.want {
			t.Errorf("IsJSONNumber(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
