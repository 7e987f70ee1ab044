package render

import (
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Alert is the JSON object of an alert of oktascope watch (docs/watch.md):
// the finding's object, as `detect --format json` writes it, with the
// alert's own fields.
type Alert struct {
	findingJSON
	// ID is the finding's identity (detect.Finding.ID): the same in every
	// alert of it.
	ID string `json:"id"`
	// Watch names the watch that found it.
	Watch string `json:"watch"`
	// Status is "new" for the first alert of a finding an output gets,
	// "updated" for the next ones; Version counts the finding's changes.
	Status  string `json:"status"`
	Version int    `json:"version"`
	// Final is set once the finding can no longer change.
	Final bool `json:"final"`
	// Detected is when the watch first found it.
	Detected time.Time `json:"detected"`
	// Timeline is the flows the finding's events belong to, in the schema
	// of `timeline --format json`.
	Timeline json.RawMessage `json:"timeline"`
	// FollowUps are the command lines that investigate it further,
	// quoted for a POSIX shell.
	FollowUps []string `json:"followUps"`
}

// NewAlert is the alert of a finding, with the flows of its events and the
// commands (as arguments, without the program's name) that follow it up;
// the caller sets the alert's own fields.
func NewAlert(f detect.Finding, flows timeline.Timeline, followUps [][]string) (Alert, error) {
	tl, err := MarshalTimeline(flows)
	if err != nil {
		return Alert{}, err
	}
	a := Alert{findingJSON: findingJSONOf(f), Timeline: tl, FollowUps: make([]string, 0, len(followUps))}
	for _, args := range followUps {
		a.FollowUps = append(a.FollowUps, Command(args))
	}
	return a, nil
}

// SlackText is an alert as a message in Slack's mrkdwn (which Slack's
// incoming webhooks take as {"text": …}, and so do Mattermost's and
// Teams' Slack-compatible ones): severity, title, indicator, what
// happened, when, and the follow-up commands. Everything from events is
// escaped (Slack).
func SlackText(a Alert) string {
	f := a.findingJSON
	var b strings.Builder
	status := "New"
	if a.Status == "updated" {
		status = fmt.Sprintf("Updated (change %d)", a.Version)
	}
	fmt.Fprintf(&b, "*%s: [%s] %s*\n", status, Slack(f.Severity), Slack(f.Title))
	fmt.Fprintf(&b, "%s `%s` · %d events · %s – %s UTC\n", Slack(string(f.Indicator.Kind)), slackCode(f.Indicator.Value), f.Count,
		f.Start.UTC().Format("2006-01-02 15:04:05"), f.End.UTC().Format("15:04:05"))
	if f.Message != "" {
		fmt.Fprintf(&b, "%s\n", Slack(f.Message))
	}
	for _, c := range a.FollowUps {
		fmt.Fprintf(&b, "`%s`\n", slackCode(c))
	}
	fmt.Fprintf(&b, "rule %s · finding %s", Slack(f.Rule), Slack(a.ID))
	return b.String()
}
