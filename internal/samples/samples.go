// Package samples gives tests the public sample Okta events bundled under
// testdata/okta-samples (sources and licences in its README).
package samples

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Dir is the directory of the bundled samples.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "okta-samples")
}

// Events decodes the sample files that hold whole LogEvents (JSON arrays
// and NDJSON), skipping the records that do not decode.
func Events(tb testing.TB) []*logevent.Event {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(), "*", "*.*json"))
	if err != nil {
		tb.Fatal(err)
	}
	var events []*logevent.Event
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range records(data) {
			if e, err := logevent.Decode(r); err == nil {
				events = append(events, e)
			}
		}
	}
	if len(events) < 150 {
		tb.Fatalf("decoded %d sample events, want at least 150", len(events))
	}
	return events
}

// records splits a JSON array, or else NDJSON lines.
func records(data []byte) [][]byte {
	var array []json.RawMessage
	if json.Unmarshal(data, &array) == nil {
		out := make([][]byte, len(array))
		for i, r := range array {
			out[i] = r
		}
		return out
	}
	return bytes.Split(data, []byte("\n"))
}

// ReadFile decodes every record of a file of events: NDJSON or a JSON
// array. A record that does not decode, or a file without any, fails the
// test.
func ReadFile(tb testing.TB, path string) []*logevent.Event {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var events []*logevent.Event
	for i, r := range records(bytes.TrimSpace(data)) {
		e, err := logevent.Decode(r)
		if err != nil {
			tb.Fatalf("%s: record %d: %v", path, i+1, err)
		}
		events = append(events, e)
	}
	if len(events) == 0 {
		tb.Fatalf("%s: no events", path)
	}
	return events
}
