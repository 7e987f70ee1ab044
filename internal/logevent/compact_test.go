package logevent

import (
	"slices"
	"testing"
)

// TestCompactKeepsWhatAnalysesRead decodes every public sample and checks
// that its compact copy answers the paths timelines, scopes and detections
// read as the event does, and nothing of what it drops.
func TestCompactKeepsWhatAnalysesRead(t *testing.T) {
	kept := []string{"uuid", "published", "eventType", "displayMessage", "actor.id", "actor.type",
		"actor.alternateId", "client.ipAddress", "client.userAgent.rawUserAgent", "client.geographicalContext.country",
		"securityContext.asNumber", "securityContext.isProxy", "outcome.result", "outcome.reason",
		"authenticationContext.externalSessionId", "target.id", "target.type", "target.displayName",
		"debugContext.debugData.behaviors", "device.name"}
	dropped := []string{"request.ipChain.ip", "transaction.id", "debugContext.debugData.requestUri",
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
