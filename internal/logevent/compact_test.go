package logevent

import (
	"slices"
	"testing"
)

// TestCompactKeepsWhatAnalysesRead decodes every public sample and checks
// that its compact copy answers the paths timelines, scopes and detections
// read as the event does, and nothing of what it drops; and that the event
// trimmed in place answers every path as the copy.
func TestCompactKeepsWhatAnalysesRead(t *testing.T) {
	kept := []string{"uuid", "published", "eventType", "displayMessage", "actor.id", "actor.type",
		"actor.alternateId", "client.ipAddress", "client.userAgent.rawUserAgent", "client.geographicalContext.country",
		"securityContext.asNumber", "securityContext.isProxy", "outcome.result", "outcome.reason",
		"authenticationContext.externalSessionId", "target.id", "target.type", "target.displayName",
		"debugContext.debugData.behaviors", "debugContext.debugData.authnRequestId",
		"debugContext.debugData.requestUri", "transaction.id", "transaction.type", "device.name"}
	dropped := []string{"request.ipChain.ip", "debugContext.debugData.threatSuspected", "debugContext.debugData.url",
		"actor.detailEntry.methodTypeUsed", "target.detailEntry.signOnModeType"}
	n, droppedSeen := 0, 0
	for file, records := range sampleRecords(t) {
		for i, raw := range records {
			e, err := Decode(raw)
			if err != nil {
				continue // TestDecodeSamples covers rejects
			}
			c := e.Compact()
			n++
			if c.Raw != nil {
				t.Fatalf("%s #%d: compact copy keeps the raw JSON", file, i)
			}
			for _, p := range kept {
				if got, want := pathStrings(c, p), pathStrings(e, p); !slices.Equal(got, want) {
					t.Errorf("%s #%d: %s = %q in the copy, %q in the event", file, i, p, got, want)
				}
			}
			for _, p := range dropped {
				if len(pathStrings(e, p)) > 0 {
					droppedSeen++
				}
				if got := pathStrings(c, p); len(got) > 0 {
					t.Errorf("%s #%d: %s = %q kept", file, i, p, got)
				}
			}
			trimmed, _ := Decode(raw)
			trimmed.Trim()
			if trimmed.Raw != nil {
				t.Fatalf("%s #%d: trimmed event keeps the raw JSON", file, i)
			}
			for _, p := range slices.Concat(kept, dropped) {
				if got, want := pathStrings(trimmed, p), pathStrings(c, p); !slices.Equal(got, want) {
					t.Errorf("%s #%d: %s = %q trimmed, %q in the copy", file, i, p, got, want)
				}
			}
			if len(c.Target) > 0 {
				c.Target[0].ID = "changed"
				if len(e.Target) > 0 && e.Target[0].ID == "changed" {
					t.Fatalf("%s #%d: the copy shares its targets with the event", file, i)
				}
			}
		}
	}
	if n < 50 || droppedSeen == 0 {
		t.Fatalf("%d events, %d dropped values present: the samples exercise little", n, droppedSeen)
	}
}

func pathStrings(e *Event, path string) []string {
	var out []string
	for _, v := range CompilePath(path).Values(e) {
		out = append(out, valueString(v))
	}
	return out
}

func TestObjectDecodesOnUse(t *testing.T) {
	tests := []struct {
		name, json, key string
		want            any
		found           bool
		len             int
	}{
		{"object", `{"behaviors":"{New IP=POSITIVE}","requestId":"r1"}`, "behaviors", "{New IP=POSITIVE}", true, 2},
		{"absent key", `{"requestId":"r1"}`, "behaviors", nil, false, 1},
		{"escaped key", `{"\u0062ehaviors":"x"}`, "behaviors", "x", true, 1},
		{"object in a string", `"{\"behaviors\":\"x\"}"`, "behaviors", "x", true, 1},
		{"not an object", `[1,2]`, "behaviors", nil, false, 0},
		{"null", `null`, "behaviors", nil, false, 0},
		{"exact case only", `{"Behaviors":"x"}`, "behaviors", nil, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Object
			if err := o.UnmarshalJSON([]byte(tt.json)); err != nil {
				t.Fatal(err)
			}
			got, found := o.Get(tt.key)
			if found != tt.found || got != tt.want {
				t.Errorf("Get(%q) = %v, %v; want %v, %v", tt.key, got, found, tt.want, tt.found)
			}
			if n := o.Len(); n != tt.len {
				t.Errorf("Len = %d, want %d", n, tt.len)
			}
			out, err := o.MarshalJSON()
			if err != nil || (tt.len == 0) != (string(out) == "null") {
				t.Errorf("MarshalJSON = %s, %v", out, err)
			}
		})
	}
}

// TestPathsIntoUndecodedObjects checks paths into debugData against the
// same paths once the object is decoded, and that the paths the object's
// JSON answers leave it undecoded.
func TestPathsIntoUndecodedObjects(t *testing.T) {
	for _, tt := range []struct {
		json, path string
		undecoded  bool // the lookup leaves debugData undecoded
	}{
		{`{"debugContext":{"debugData":{"requestUri":"/a"}}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":{"RequestURI":"/a"}}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":{"r\u0065questUri":"/a"}}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":{"requeſtUri":"/a"}}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":{"risk":"x"}}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":"{\"requestUri\":\"/a\"}"}}`, "debugContext.debugData.requestUri", true},
		{`{"debugContext":{"debugData":{"a":1,"b":2,"a":3}}}`, "debugContext.debugData.a", true},
		{`{"debugContext":{"debugData":{"A":1,"A":2}}}`, "debugContext.debugData.a", true},
		{`{"debugContext":{"debugData":{"a":{"B":[1,{"c":"x"}]}}}}`, "debugContext.debugData.a.b.c", true},
		{`{"debugContext":{"debugData":{"a":{"B":[1,{"c":"x"}]}}}}`, "debugContext.debugData.a.b.1.c", true},
		{`{"debugContext":{"debugData":{"a":"\u00e9"}}}`, "debugContext.debugData.a", true},
		{`{"debugContext":{"debugData":{"a":1e3}}}`, "debugContext.debugData.a", false},
	} {
		lazy, err := Decode([]byte(`{"uuid":"u","published":"2024-05-01T00:00:00Z","eventType":"x",` + tt.json[1:]))
		if err != nil {
			t.Fatal(err)
		}
		eager, _ := Decode(lazy.Raw)
		eager.DebugContext.DebugData.Map()
		if got, want := pathStrings(lazy, tt.path), pathStrings(eager, tt.path); !slices.Equal(got, want) {
			t.Errorf("%s: %s = %q undecoded, %q decoded", tt.json, tt.path, got, want)
		}
		if lazy.DebugContext.DebugData.decoded == tt.undecoded {
			t.Errorf("%s: %s decoded debugData: %v", tt.json, tt.path, lazy.DebugContext.DebugData.decoded)
		}
	}
}
