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
// one incident, the findings of one attack (an MFA push storm is also a
// brute force on the user's MFA, and the sign-in it won may follow a
// recovery). Its top level is the object of the incident's first finding,
// as `detect --format json` writes it, with the alert's own fields; every
// finding of the incident is in Findings.
type Alert struct {
	findingJSON
	// ID is the incident's identity (its first finding's): the same in
	// every alert of it.
	ID string `json:"id"`
	// Watch names the watch that found it.
	Watch string `json:"watch"`
	// Status is "new" for the first alert of an incident an output gets,
	// "updated" for the next ones; Version counts the incident's changes.
	Status  string `json:"status"`
	Version int    `json:"version"`
	// Final is set once no finding of the incident can change.
	Final bool `json:"final"`
	// Detected is when the watch first found it.
	Detected time.Time `json:"detected"`
	// Findings are the incident's findings, the first one first.
	Findings []AlertFinding `json:"findings"`
	// Timeline is the flows the incident's events belong to, in the schema
	// of `timeline --format json`.
	Timeline json.RawMessage `json:"timeline"`
	// FollowUps are the command lines that investigate it further,
	// quoted for a POSIX shell.
	FollowUps []string `json:"followUps"`
}

// AlertFinding is one finding of an alert: its object of `detect --format
// json` and its identity (detect.Finding.ID).
type AlertFinding struct {
	findingJSON
	ID string `json:"id"`
}

// NewAlert is the alert of an incident's findings (the first one heads
// it), with ids their identities, the flows of their events and the
// commands (as arguments, without the program's name) that follow it up;
// the caller sets the alert's own fields.
func NewAlert(findings []detect.Finding, ids []string, flows timeline.Timeline, followUps [][]string) (Alert, error) {
	if len(findings) == 0 || len(ids) != len(findings) {
		return Alert{}, fmt.Errorf("render: an alert needs its findings and their ids")
	}
	tl, err := MarshalTimeline(flows)
	if err != nil {
		return Alert{}, err
	}
	a := Alert{findingJSON: findingJSONOf(findings[0]), ID: ids[0], Timeline: tl, FollowUps: make([]string, 0, len(followUps))}
	for i, f := range findings {
		a.Findings = append(a.Findings, AlertFinding{findingJSON: findingJSONOf(f), ID: ids[i]})
	}
	for _, args := range followUps {
		a.FollowUps = append(a.FollowUps, Command(args))
	}
	return a, nil
}

// SlackText is an alert as a message in Slack's mrkdwn (which Slack's
// incoming webhooks take as {"text": …}, and so do Mattermost's and
// Teams' Slack-compatible ones): severity, title, indicator, what
// happened, when, the incident's other findings and the follow-up
// commands. Everything from events is escaped (Slack).
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
	for _, o := range a.Findings {
		if o.ID == a.ID {
			continue
		}
		fmt.Fprintf(&b, "• also [%s] %s: %s `%s`, %d events\n", Slack(o.Severity), Slack(o.Title), Slack(string(o.Indicator.Kind)), slackCode(o.Indicator.Value), o.Count)
	}
	for _, c := range a.FollowUps {
		fmt.Fprintf(&b, "`%s`\n", slackCode(c))
	}
	fmt.Fprintf(&b, "rule %s · incident %s", Slack(f.Rule), Slack(a.ID))
	return b.String()
}
