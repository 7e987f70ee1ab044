package render

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/samples"

	"github.com/oktascope/oktascope/internal/golden"
	"github.com/oktascope/oktascope/internal/timeline"
)

// scenario is a timeline with every flow kind and every deviation kind
// (testdata/timeline-scenario.ndjson: internal/timeline's test fixture).
func scenario(t testing.TB) timeline.Timeline {
	return timeline.Build(slices.Values(samples.ReadFile(t, filepath.Join("testdata", "timeline-scenario.ndjson"))), timeline.Options{})
}

// writeTimeline writes tl in format f.
func writeTimeline(t testing.TB, f Format, tl timeline.Timeline, width int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTimeline(&buf, f, tl, Options{Width: width}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestTimelineJSONGolden pins the JSON schema of docs/timeline.md
// (testdata/timeline.json;
// go test -update rewrites it).
func TestTimelineJSONGolden(t *testing.T) {
	golden.Check(t, filepath.Join("testdata", "timeline.json"), []byte(writeTimeline(t, JSON, scenario(t), 0)))
}

// TestTimelineJSONSchema checks the keys of every object against the schema.
func TestTimelineJSONSchema(t *testing.T) {
	raw, err := MarshalTimeline(scenario(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	golden.Keys(t, "timeline", doc, "flows")
	kinds := map[string]bool{}
	devKinds := map[string]bool{}
	for _, f := range doc["flows"].([]any) {
		flow := f.(map[string]any)
		golden.Keys(t, "flow", flow, "kind", "session", "engine", "transactions", "actor", "start", "end", "complete", "steps", "deviations")
		golden.Keys(t, "actor", flow["actor"].(map[string]any), "id", "alternateId")
		kinds[flow["kind"].(string)] = true
		if _, ok := flow["complete"].(bool); !ok {
			t.Errorf("complete is %T", flow["complete"])
		}
		for _, s := range flow["steps"].([]any) {
			golden.Keys(t, "step", s.(map[string]any), "uuid", "published", "eventType", "step", "description", "outcome", "ip")
		}
		for _, d := range flow["deviations"].([]any) {
			dev := d.(map[string]any)
			golden.Keys(t, "deviation", dev, "kind", "message", "uuids")
			devKinds[dev["kind"].(string)] = true
		}
	}
	for _, k := range []timeline.Kind{timeline.KindSignin, timeline.KindAppSignin, timeline.KindMFA, timeline.KindSSPR,
		timeline.KindSSU, timeline.KindLogout, timeline.KindMFAChange, timeline.KindOther} {
		if !kinds[string(k)] {
			t.Errorf("scenario lacks a %s flow", k)
		}
	}
	for _, k := range timeline.DeviationKinds {
		if !devKinds[string(k)] {
			t.Errorf("scenario lacks a %s deviation", k)
		}
	}
}

// TestTimelineEmptyJSON checks that no flow gives an empty array, not null.
func TestTimelineEmptyJSON(t *testing.T) {
	if got := strings.TrimSpace(writeTimeline(t, JSON, timeline.Timeline{}, 0)); got != `{
  "flows": []
}` {
		t.Errorf("empty timeline = %s", got)
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
)

// hostile is a timeline whose user and client carry markup and terminal
// escapes (testdata/timeline-hostile.ndjson).
func hostile(t testing.TB) timeline.Timeline {
	return timeline.Build(slices.Values(samples.ReadFile(t, filepath.Join("testdata", "timeline-hostile.ndjson"))), timeline.Options{})
}

// TestTimelineHTMLEscapes checks that markup in event fields is escaped.
func TestTimelineHTMLEscapes(t *testing.T) {
	out := withoutPictures(t, writeTimeline(t, HTML, hostile(t), 0), "lanes", "map")
	for _, bad := range []string{xssScript, "<script", "<img", "onerror=alert(1)>", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML holds %q unescaped", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "Content-Security-Policy"} {
		if !strings.Contains(out, good) {
			t.Errorf("HTML lacks %q", good)
		}
	}
	if strings.Contains(strings.ToLower(out), "<script") || strings.Contains(out, " src=") && strings.Contains(out, "<img") {
		t.Error("HTML holds active content")
	}
}

// TestTimelineTextEscapes checks that terminal control sequences from events are
// escaped and that lines respect the width.
func TestTimelineTextEscapes(t *testing.T) {
	out := writeTimeline(t, Text, hostile(t), 100)
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("text holds raw control characters:\n%q", out)
	}
	if !strings.Contains(out, `\x1b`) {
		t.Errorf("text lacks the escaped ESC:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line of %d runes: %q", n, line)
		}
	}
}

// TestTimelineText checks the terminal view of the scenario.
func TestTimelineText(t *testing.T) {
	out := writeTimeline(t, Text, scenario(t), 0)
	for _, want := range []string{
		"SIGNIN · session 102S1 · Identity Engine · Alice Adams <alice@acme.example> (00ualice) · 2025-03-03 09:00:00 → 2025-03-03 09:00:05 UTC · complete",
		"SIGNIN · session 102C1 · Classic Engine · Bob Brown <bob@acme.example> (00ubob) · 2025-03-03 11:30:00 → 2025-03-03 11:30:15 UTC · complete",
		"OTHER · API transaction trsA1 (and 1 more) · Bob Brown <bob@acme.example> (00ubob)",
		"09:00:02  3/4 MFA events: Okta Verify push sent",
		"198.18.0.10",
		"San Francisco, United States",
		"! session_hijack: client changed inside session 102S1",
		"! mfa_fatigue: 5 MFA challenges",
		"! recovery_takeover:",
		"events: ev-",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + out)
	}
}
