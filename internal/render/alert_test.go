package render

import (
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/timeline"
)

func hostileAlert(t *testing.T) Alert {
	t.Helper()
	f := detect.Finding{
		Rule: "oktascope-mfa-fatigue", Title: "MFA push fatigue", Severity: "high", Source: "builtin",
		Indicator: indicator.Indicator{Kind: indicator.User, Value: "<!channel> `x` <https://evil.example|click>"},
		Start:     time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 3, 9, 5, 0, 0, time.UTC),
		Count: 7, Message: "pushes from 203.0.113.9 & <b>more</b>\u202e\n*bold*", UUIDs: []string{"u1", "u2"},
		FollowUp: []string{"timeline", "--user", "x"},
	}
	other := f
	other.Rule, other.Title, other.Severity, other.Count = "oktascope-brute-force", "Brute force <!everyone>", "medium", 12
	a, err := NewAlert([]detect.Finding{f, other}, []string{"abc", "def"}, timeline.Timeline{}, [][]string{{"timeline", "--user", "<!here>"}})
	if err != nil {
		t.Fatal(err)
	}
	a.Status, a.Version = "updated", 3
	return a
}

// TestAlertJSON: an alert is the finding's object of detect --format json
// with the alert's fields.
func TestAlertJSON(t *testing.T) {
	a := hostileAlert(t)
	body, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rule", "title", "severity", "source", "indicator", "start", "end", "count", "message", "uuids", "followUp",
		"id", "watch", "status", "version", "final", "detected", "findings", "timeline", "followUps"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, body)
		}
	}
	if m["followUp"] != "oktascope timeline --user x" || m["followUps"].([]any)[0] != "oktascope timeline --user '<!here>'" {
		t.Errorf("follow-ups: %v %v", m["followUp"], m["followUps"])
	}
	var back Alert
	if err := json.Unmarshal(body, &back); err != nil || back.Rule != a.Rule || len(back.UUIDs) != 2 || back.Indicator.Value != a.Indicator.Value ||
		len(back.Findings) != 2 || back.Findings[1].ID != "def" || back.Findings[1].Rule != "oktascope-brute-force" || back.ID != "abc" {
		t.Errorf("read back: %+v (%v)", back, err)
	}
	if _, err := NewAlert(nil, nil, timeline.Timeline{}, nil); err == nil {
		t.Error("an alert without findings")
	}
}

// TestSlackTextEscapes: what comes from events cannot make a link, a
// mention or break a code span in Slack.
func TestSlackTextEscapes(t *testing.T) {
	text := SlackText(hostileAlert(t))
	for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<https://", "\u202e", " & ", "`x`"} {
		if strings.Contains(text, bad) {
			t.Errorf("the message holds %q unescaped:\n%s", bad, text)
		}
	}
	for _, want := range []string{"Updated (change 3)", "[high] MFA push fatigue", "&lt;!channel&gt;", "7 events", "oktascope timeline", "incident abc",
		"also [medium] Brute force &lt;!everyone&gt;"} {
		if !strings.Contains(text, want) {
			t.Errorf("the message lacks %q:\n%s", want, text)
		}
	}
}
