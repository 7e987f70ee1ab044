package sigma

import (
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/logevent"
)

const samplesDir = "../../testdata/okta-samples"

// ruleYAMLText wraps a detection body (indented by four spaces) in a rule.
func ruleYAMLText(detection string) string {
	return "title: Test rule\nid: 00000000-0000-0000-0000-000000000000\nlogsource:\n    product: okta\n    service: okta\ndetection:\n" + detection + "level: medium\n"
}

// mustRule parses a rule from its detection body.
func mustRule(t testing.TB, detection string) *Rule {
	t.Helper()
	r, err := Parse([]byte(ruleYAMLText(detection)))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, detection)
	}
	return r
}

var eventSeq int

// event builds an event from dotted paths and values; "target.*" and
// "request.ipChain.*" paths go into the array's first element. uuid,
// published and eventType get defaults.
func event(t testing.TB, fields map[string]any) *logevent.Event {
	t.Helper()
	eventSeq++
	m := map[string]any{
		"uuid":      "evt-" + strconv.Itoa(eventSeq),
		"published": "2024-05-01T10:00:00.000Z",
		"eventType": "user.session.start",
	}
	for path, v := range fields {
		setPath(m, strings.Split(path, "."), v)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	e, err := logevent.Decode(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return e
}

// arrayPaths are the LogEvent paths that hold arrays of objects.
var arrayPaths = map[string]bool{"target": true, "request.ipChain": true}

// setPath sets a dotted path in m, creating objects (and one-element arrays
// for the LogEvent's arrays) on the way.
func setPath(m map[string]any, steps []string, v any) {
	setPathFrom(m, "", steps, v)
}

func setPathFrom(m map[string]any, prefix string, steps []string, v any) {
	name := steps[0]
	if len(steps) == 1 {
		m[name] = v
		return
	}
	here := joinKey(prefix, name)
	if arrayPaths[here] {
		arr, _ := m[name].([]any)
		if len(arr) == 0 {
			arr = []any{map[string]any{}}
			m[name] = arr
		}
		setPathFrom(arr[0].(map[string]any), here, steps[1:], v)
		return
	}
	child, ok := m[name].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[name] = child
	}
	setPathFrom(child, here, steps[1:], v)
}
