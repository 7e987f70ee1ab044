package logevent

import (
	"bytes"
	std "encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sampleRecords returns the raw records of the public sample files that are
// NDJSON or JSON arrays of whole events, split without decoding.
func sampleRecords(t testing.TB) map[string][][]byte {
	t.Helper()
	files, err := filepath.Glob("../../testdata/okta-samples/*/*.*json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]byte{}
	for _, f := range files {
		if strings.Contains(f, "logzio-event-hook") {
			continue // deliveries wrap events; internal/ingest unwraps them
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = splitRecords(t, data)
	}
	return out
}

// splitRecords splits a JSON array of objects or NDJSON into records.
func splitRecords(t testing.TB, data []byte) [][]byte {
	trimmed := bytes.TrimSpace(data)
	if trimmed[0] != '[' {
		var lines [][]byte
		for _, l := range bytes.Split(trimmed, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines = append(lines, l)
			}
		}
		return lines
	}
	var records [][]byte
	depth, start, inString := 0, 0, false
	for i := 1; i < len(trimmed)-1; i++ {
		c := trimmed[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			if depth == 0 {
				start = i
			}
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				records = append(records, trimmed[start:i+1])
			}
		}
	}
	return records
}

func TestDecodeSamples(t *testing.T) {
	wantRejected := map[string]int{"panther-okta-test-events.ndjson": 25}
	for name, records := range sampleRecords(t) {
		rejected := 0
		for i, r := range records {
			e, err := Decode(r)
			if err != nil {
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Errorf("%s record %d: error %v is not a FieldError", name, i+1, err)
				}
				rejected++
				continue
			}
			if !bytes.Equal(e.Raw, r) {
				t.Errorf("%s record %d: Raw differs from the input", name, i+1)
			}
			if e.Time.IsZero() || e.UUID == "" || e.EventType == "" {
				t.Errorf("%s record %d: missing core fields: %+v", name, i+1, e.LogEvent)
			}
		}
		if rejected != wantRejected[name] {
			t.Errorf("%s: %d records rejected, want %d", name, rejected, wantRejected[name])
		}
	}
}

func TestDecodeOddValues(t *testing.T) {
	raw := `{"uuid":"1","published":"2022-03-22 14:21:53.225","eventType":"x",
	 "client":{"ipAddress":"null","geographicalContext":{"geolocation":{"lat":"40.5","lon":null}}},
	 "securityContext":{"asNumber":"9009","isProxy":"TRUE"},
	 "device":{"managed":"false","device_integrator":"{\"WSC\":{\"a\":1}}"},
	 "authenticationContext":{"authenticationStep":null,"issuer":null},
	 "debugContext":{"debugData":"not an object"},
	 "unknownField":{"deep":[1,2]}}`
	e, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"space-separated time is UTC", e.Time, time.Date(2022, 3, 22, 14, 21, 53, 225e6, time.UTC)},
		{"the string null stays a string", e.Client.IPAddress, "null"},
		{"number as string", e.Client.GeographicalContext.Geolocation.Lat, Number{Value: 40.5, Valid: true}},
		{"null number", e.Client.GeographicalContext.Geolocation.Lon, Number{}},
		{"asNumber as string", e.SecurityContext.AsNumber, Number{Value: 9009, Valid: true}},
		{"boolean as upper-case string", e.SecurityContext.IsProxy, Bool{Value: true, Valid: true}},
		{"boolean false as string", e.Device.Managed, Bool{Value: false, Valid: true}},
		{"object held as a JSON string", e.Device.DeviceIntegrator.Map()["WSC"], map[string]any{"a": 1.0}},
		{"non-object debugData is ignored", e.DebugContext.DebugData.Len(), 0},
		{"null step", e.AuthenticationContext.AuthenticationStep.Valid, false},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func equal(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		return ta.Equal(b.(time.Time))
	}
	return reflect.DeepEqual(a, b)
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`[1,2]`, "not a JSON object"},
		{`"x"`, "not a JSON object"},
		{``, "not a JSON object"},
		{`{"uuid":"1","published":"2024-01-01T00:00:00Z"`, "invalid JSON"},
		{`{"published":"2024-01-01T00:00:00Z","eventType":"x"}`, "uuid: missing"},
		{`{"uuid":"1","published":"2024-01-01T00:00:00Z"}`, "eventType: missing"},
		{`{"uuid":"1","eventType":"x"}`, "published: missing"},
		{`{"uuid":"1","eventType":"x","published":"redacted"}`, `published: not a time: "redacted"`},
		{`{"uuid":"1","eventType":"x","published":"2024-13-01T00:00:00Z"}`, `published: not a time`},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.raw))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%s): got %v, want an error containing %q", tt.raw, err, tt.want)
		}
	}
}

func TestDecodeCoercesWrongTypes(t *testing.T) {
	raw := `{"uuid":"1","eventType":"x","published":"2024-01-01T00:00:00Z","severity":3,
	 "actor":{"id":5,"alternateId":true,"detailEntry":{"a":1}},"target":{"id":"t1"},
	 "client":{"zone":{"id":"z1"},"userAgent":"curl/8"},"outcome":{"result":"SUCCESS","reason":["a","b"]}}`
	e, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"number as string", e.Severity, "3"},
		{"nested number as string", e.Actor.ID, "5"},
		{"boolean as string", e.Actor.AlternateID, "true"},
		{"object where a string belongs", e.Client.Zone, `{"id":"z1"}`},
		{"array where a string belongs", e.Outcome.Reason, `["a","b"]`},
		{"single target object", e.Target[0].ID, "t1"},
		{"scalar where an object belongs is dropped", e.Client.UserAgent.RawUserAgent, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if string(e.Raw) != raw {
		t.Error("Raw changed")
	}
}

// numberBefore and boolBefore are Number's and Bool's decoders as they were
// before they parsed in place: the reference the new ones must equal.
func numberBefore(b []byte) Number {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return Number{}
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unquoted)
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return Number{Value: v, Valid: true}
	}
	return Number{}
}

func boolBefore(b []byte) Bool {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if parsed, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
		return Bool{Value: parsed, Valid: true}
	}
	return Bool{}
}

// checkScalars checks that b decodes as a Number and as a Bool as before.
func checkScalars(t *testing.T, b []byte) {
	t.Helper()
	var n Number
	if err := n.UnmarshalJSON(b); err != nil || !sameNumber(n, numberBefore(b)) {
		t.Errorf("Number from %q = %v, %v; want %v", b, n, err, numberBefore(b))
	}
	var v Bool
	if err := v.UnmarshalJSON(b); err != nil || v != boolBefore(b) {
		t.Errorf("Bool from %q = %v, %v; want %v", b, v, err, boolBefore(b))
	}
}

// sameNumber is equality, NaN equal to itself.
func sameNumber(a, b Number) bool {
	return a == b || a.Valid && b.Valid && math.IsNaN(a.Value) && math.IsNaN(b.Value)
}

func TestScalarsDecodeAsBefore(t *testing.T) {
	for _, in := range []string{
		`12`, ` -1.5e3 `, `0`, `1`, `37.7697`, `1e400`, `-0`, `0x10`, `1_0`, `inf`, `null`, `nul`, `true`, `false`,
		`"40.5"`, `" 7 "`, `"\t7"`, `"\u0031"`, `"\u00a012"`, "\"\u00a012\"", `'1'`, "`2`", `"0x1_0p0"`, `"NaN"`,
		`"-Inf"`, `"null"`, `"1e400"`, `""`, `"`, `"\/"`, "\"\x7f1\"", "\"1\x7f\"", "\"1\n\"", "\"1\t\"", `"1"2"`,
		`"TRUE"`, `"True"`, `"tRuE"`, `"1"`, `"0"`, `"f"`, `"F"`, `"T"`, `"falſe"`, "\"\u212a\"", `""true""`, `"true`,
		`" true"`, `"yes"`, `{}`, `[1]`, ``, `   `,
	} {
		checkScalars(t, []byte(in))
	}
}

func TestScalarsDecodeWithoutAllocating(t *testing.T) {
	var n Number
	var v Bool
	for _, tt := range []struct {
		in        string
		unmarshal func([]byte) error
	}{
		{`37.7697`, n.UnmarshalJSON},
		{`"9009"`, n.UnmarshalJSON},
		{`null`, n.UnmarshalJSON},
		{`true`, v.UnmarshalJSON},
		{`"TRUE"`, v.UnmarshalJSON},
		{`null`, v.UnmarshalJSON},
	} {
		b := []byte(tt.in)
		if allocs := testing.AllocsPerRun(100, func() { tt.unmarshal(b) }); allocs > 0 {
			t.Errorf("%s: %v allocations", tt.in, allocs)
		}
	}
}

// TestObjectsOutliveTheDecoder checks that Objects, which keep the bytes
// their UnmarshalJSON is given, do not refer to a decoder's buffer, which
// the next decoding writes over. The general decoder hands them copies,
// which do not refer to the input of Decode either; the fast path hands
// them slices of the input (which Decode's caller must not reuse; see
// TestFastObjectsShareRaw).
func TestObjectsOutliveTheDecoder(t *testing.T) {
	for _, tt := range []struct {
		name, extra string
		fast        bool
	}{
		{"fast path", "", true},
		{"general decoder", `"displayMessage":"an \"escape\"",`, false},
	} {
		event := func(data string) []byte {
			return []byte(`{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"x",` + tt.extra +
				`"actor":{"detailEntry":{"m":"` + data + `"}},"debugContext":{"debugData":{"d":"` + data + `"}}}`)
		}
		if got := decodeFastly(event("first")).handled; got != tt.fast {
			t.Fatalf("%s: the fast path takes the event: %v", tt.name, got)
		}
		e, err := Decode(event("first"))
		if err != nil {
			t.Fatal(err)
		}
		if !tt.fast {
			copy(e.Raw, bytes.Repeat([]byte{' '}, len(e.Raw)))
		}
		if _, err := Decode(event("other")); err != nil {
			t.Fatal(err)
		}
		if got := e.Actor.DetailEntry.Map()["m"]; got != "first" {
			t.Errorf("%s: actor.detailEntry.m = %v, want first", tt.name, got)
		}
		if got := e.DebugContext.DebugData.Map()["d"]; got != "first" {
			t.Errorf("%s: debugContext.debugData.d = %v, want first", tt.name, got)
		}
	}
}

func TestPathValues(t *testing.T) {
	raw := `{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"x",
	 "actor":{"id":"00uA","displayName":""},
	 "target":[{"id":"t1","detailEntry":{"methodTypeUsed":"push"}},{"id":"t2"},{"id":""}],
	 "request":{"ipChain":[{"ip":"1.1.1.1"},{"ip":"2.2.2.2"}]},
	 "securityContext":{"isProxy":false,"asNumber":7},
	 "debugContext":{"debugData":{"list":["a","b"],"nested":{"Key":"v"}}},
	 "extra":{"Key":[{"x":1},{"x":2}]}}`
	e, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string
	}{
		{"actor.id", "00uA"},
		{"ACTOR.ID", "00uA"},
		{"actor.displayName", ""},
		{"target.id", "t1 t2"},
		{"target.1.id", "t2"},
		{"target.9.id", ""},
		{"target.detailEntry.methodTypeUsed", "push"},
		{"request.ipChain.ip", "1.1.1.1 2.2.2.2"},
		{"securityContext.isProxy", "false"},
		{"securityContext.asNumber", "7"},
		{"debugContext.debugData.list", "a b"},
		{"debugContext.debugData.nested.key", "v"},
		{"extra.key.x", "1 2"},
		{"extra.key.1.x", "2"},
		{"actor.id.more", ""},
		{"nothing", ""},
		{"actor", "{}"},
		{"device", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range CompilePath(tt.path).Values(e) {
			got = append(got, valueString(v))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: got %q, want %q", tt.path, got, tt.want)
		}
	}
}

func valueString(v Value) string {
	switch v.Kind {
	case KindString:
		return v.Str
	case KindObject:
		return "{}"
	}
	if v.Kind == KindNumber {
		return fmt.Sprint(v.Num)
	}
	return fmt.Sprint(v.Bool)
}

// BenchmarkDecode measures decoding throughput over the public samples.
func BenchmarkDecode(b *testing.B) {
	var records [][]byte
	size := 0
	for _, rs := range sampleRecords(b) {
		for _, r := range rs {
			if _, err := Decode(r); err == nil {
				records = append(records, r)
				size += len(r)
			}
		}
	}
	benchmarkDecode(b, records, size)
}

// FuzzDecode checks that no input panics the decoder or a path lookup, and
// that lookups into objects not decoded yet answer as once decoded.
func FuzzDecode(f *testing.F) {
	for _, rs := range sampleRecords(f) {
		for _, r := range rs {
			f.Add(r)
		}
	}
	f.Add([]byte(`"{\"a\":1,\"A\":[2],\"b\u00e9\":{\"c\":3}}"`)) // an object in a string
	for _, tt := range memberTests {
		f.Add([]byte(tt.obj))
		f.Add([]byte(`{"uuid":"u","published":"2024-05-01T00:00:00Z","eventType":"x","debugContext":{"debugData":` + tt.obj + `}}`))
	}
	for _, tt := range caseVariantTests {
		f.Add([]byte(tt.json))
	}
	paths := []*Path{CompilePath("target.detailEntry.x"), CompilePath("unknown.a.0.b"), CompilePath("securityContext.isProxy")}
	objectPaths := []string{"debugContext.debugData.behaviors", "debugContext.debugData.requestUri",
		"debugContext.debugData.REQUESTURI", "debugContext.debugData.a.b", "actor.detailEntry.methodTypeUsed"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkScalars(t, raw)
		checkObject(t, raw)
		e, err := Decode(raw)
		checkCaseVariants(t, raw, err)
		if err != nil {
			return
		}
		for _, p := range paths {
			p.Values(e)
		}
		checkObject(t, e.DebugContext.DebugData.raw)
		checkObject(t, e.Actor.DetailEntry.raw)
		eager, err := Decode(raw)
		if err != nil {
			t.Fatalf("decodes once, not twice: %v", err)
		}
		objects := map[string]map[string]any{"debugData": eager.DebugContext.DebugData.Map(), "detailEntry": eager.Actor.DetailEntry.Map()}
		for name, m := range objects {
			// A decoded event's objects never leave a lookup to pick among
			// names in other cases (which findMember declines).
			for a := range m {
				for b := range m {
					if a != b && strings.EqualFold(a, b) {
						t.Fatalf("%q: decoded, but its %s has %q and %q", raw, name, a, b)
					}
				}
			}
		}
		for _, p := range objectPaths {
			if got, want := pathStrings(e, p), pathStrings(eager, p); !slices.Equal(got, want) {
				t.Errorf("%s = %q undecoded, %q decoded", p, got, want)
			}
		}
		var want map[string]any
		for _, key := range keptDebugData {
			if v, found := eager.DebugContext.DebugData.Get(key); found {
				if want == nil {
					want = map[string]any{}
				}
				want[key] = v
			}
		}
		if got := e.Compact().DebugContext.DebugData.Map(); !reflect.DeepEqual(got, want) {
			t.Errorf("compact debugData = %#v, want %#v", got, want)
		}
	})
}

// checkCaseVariants checks Decode's verdict on raw (err) against an
// independent reading of it (oracleCaseVariants): an event that has names
// differing only in case is rejected for it, and one that has none is not
// (but for names in the JSON string an Object may hold, which the oracle
// does not read).
func checkCaseVariants(t *testing.T, raw []byte, err error) {
	t.Helper()
	rejected := err != nil && strings.Contains(err.Error(), "differ only in case") && !strings.Contains(err.Error(), "(a JSON string)")
	if !std.Valid(raw) {
		return
	}
	if variants := oracleCaseVariants(raw); variants && err == nil || !variants && rejected {
		t.Fatalf("%q: Decode: %v; names that differ only in case: %v", raw, err, variants)
	}
}

// checkObject checks that Get and paths into an Object of raw, not decoded
// yet, answer as the map raw decodes into does, for a few names and every
// name of the map, in its own case and in others.
func checkObject(t *testing.T, raw []byte) {
	t.Helper()
	m := decodeObject(raw)
	names := []string{"a", "A", "behaviors", "requestUri", "k", "K", "\u212a", "s", "ſ", "é", ""}
	for name := range m {
		names = append(names, name, strings.ToUpper(name), strings.ToLower(name))
	}
	lazy := Object{raw: raw} // one Object for every lookup, as an event has
	for _, name := range names {
		got, found := lazy.Get(name)
		if want, wantFound := m[name]; found != wantFound || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Get(%q) = %#v, %v undecoded, %#v, %v decoded", raw, name, got, found, want, wantFound)
		}
		if foldsAmbiguously(m, name) {
			continue
		}
		for _, path := range [][]string{{name}, {name, "a"}, {name, "0"}} {
			first := Object{raw: raw}
			if got, want := objectValues(&first, path), mapValues(m, path); !slices.Equal(got, want) {
				t.Errorf("%s: path %q = %v undecoded, %v decoded", raw, path, got, want)
			}
			if got, want := objectValues(&lazy, path), mapValues(m, path); !slices.Equal(got, want) {
				t.Errorf("%s: path %q = %v after lookups, %v decoded", raw, path, got, want)
			}
		}
	}
}

// foldsAmbiguously reports whether m has no member named key but several
// whose names equal key in any case, of which lookupFold picks any.
func foldsAmbiguously(m map[string]any, key string) bool {
	if _, ok := m[key]; ok {
		return false
	}
	n := 0
	for k := range m {
		if strings.EqualFold(k, key) {
			n++
		}
	}
	return n > 1
}

func objectValues(o *Object, names []string) []Value {
	var out []Value
	o.anyPath(names, func(v Value) bool { out = append(out, v); return false })
	return out
}

func mapValues(m map[string]any, names []string) []Value {
	var out []Value
	anyGeneric(m, names, func(v Value) bool { out = append(out, v); return false })
	return out
}
