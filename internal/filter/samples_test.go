package filter

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/logevent"
)

// sampleEvents decodes the public sample events under testdata/okta-samples
// that are whole LogEvents (JSON arrays and NDJSON files).
func sampleEvents(t testing.TB) []*logevent.Event {
	t.Helper()
	files, err := filepath.Glob("../../testdata/okta-samples/*/*.*json")
	if err != nil {
		t.Fatal(err)
	}
	var events []*logevent.Event
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var records []json.RawMessage
		if json.Unmarshal(data, &records) != nil {
			records = nil
			for _, line := range bytes.Split(data, []byte("\n")) {
				records = append(records, line)
			}
		}
		for _, r := range records {
			if e, err := logevent.Decode(r); err == nil {
				events = append(events, e)
			}
		}
	}
	if len(events) < 150 {
		t.Fatalf("decoded %d sample events, want at least 150", len(events))
	}
	return events
}
