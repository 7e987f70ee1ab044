package logevent

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
	b.SetBytes(int64(size))
	var e Event
	for b.Loop() {
		for _, r := range records {
			if err := DecodeInto(&e, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzDecode checks that no input panics the decoder or a path lookup.
func FuzzDecode(f *testing.F) {
	for _, rs := range sampleRecords(f) {
		for _, r := range rs {
			f.Add(r)
		}
	}
	paths := []*Path{CompilePath("target.detailEntry.x"), CompilePath("unknown.a.0.b"), CompilePath("securityContext.isProxy")}
	objectPaths := []string{"debugContext.debugData.behaviors", "debugContext.debugData.requestUri", "actor.detailEntry.methodTypeUsed"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Decode(raw)
		if err != nil {
			return
		}
		for _, p := range paths {
			p.Values(e)
		}
		// Paths into objects not decoded yet answer as once decoded.
		eager, err := Decode(raw)
		if err != nil {
			t.Fatalf("decodes once, not twice: %v", err)
		}
		eager.DebugContext.DebugData.Map()
		eager.Actor.DetailEntry.Map()
		for _, p := range objectPaths {
			if got, want := pathStrings(e, p), pathStrings(eager, p); !slices.Equal(got, want) {
				t.Errorf("%s = %q undecoded, %q decoded", p, got, want)
			}
		}
	})
}
