package watch

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Alert is what the outputs receive, one JSON object per alert: the
// finding in the schema of `detect --format json`, and the alert's own
// fields.
type Alert struct {
	detect.Finding
	// ID is the finding's identity: the same in every alert of it.
	ID string `json:"id"`
	// Watch names the watch that found it.
	Watch string `json:"watch"`
	// Status is "new" for the first alert of a finding, "updated" for the
	// alerts of it as it grows; Version counts them.
	Status  string `json:"status"`
	Version int    `json:"version"`
	// Final is set once the finding can no longer change.
	Final bool `json:"final"`
	// Detected is when the watch first found it.
	Detected time.Time `json:"detected"`
	// Timeline holds the flows of the article that the finding's events
	// belong to, in the schema of `timeline --format json`: the events of
	// its indicator around its time span, put into flows, keeping the
	// flows that hold a cited event.
	Timeline json.RawMessage `json:"timeline"`
	// FollowUps are the commands that investigate it further.
	FollowUps []string `json:"followUps"`
}

// alertOf builds the alert of a finding.
func (w *Watcher) alertOf(ctx context.Context, f detect.Finding, id, status string, version int, final bool, detected time.Time) Alert {
	since, until := w.window(f)
	a := Alert{
		Finding: f, ID: id, Watch: w.opts.Name, Status: status, Version: version, Final: final,
		Detected: detected, FollowUps: followUps(f, since, until),
	}
	a.Timeline = w.flowsOf(ctx, f, since, until)
	return a
}

// window is the time span whose events make the timeline of a finding:
// from a join window before its first event (the flow's earlier steps) to
// a minute after its last, a day at most.
func (w *Watcher) window(f detect.Finding) (since, until time.Time) {
	join := w.opts.Detect.Thresholds.Timeline.WithDefaults().JoinWindow
	since, until = f.Start.Add(-join), f.End.Add(time.Minute)
	if until.Sub(since) > 24*time.Hour {
		since = until.Add(-24 * time.Hour)
	}
	return since.UTC().Truncate(time.Second), until.UTC().Truncate(time.Second).Add(time.Second)
}

// flowsOf reads the events of the finding's indicator in the window and
// returns, as JSON, the flows that hold one of its events. A failure to
// read leaves the timeline empty: the alert matters more.
func (w *Watcher) flowsOf(ctx context.Context, f detect.Finding, since, until time.Time) json.RawMessage {
	empty := json.RawMessage(`{"flows":[]}`)
	expr := indicatorFilter(f)
	if expr == nil {
		return empty
	}
	b := timeline.NewBuilder(w.opts.Detect.Thresholds.Timeline)
	q := backend.Query{Filter: expr, Since: since, Until: until, Limit: w.opts.TimelineEvents}
	err := w.store.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		b.Add(e)
		return nil
	})
	if err != nil {
		w.opts.Logf("watch %s: the timeline of an alert could not be read: %v", w.opts.Name, err)
		return empty
	}
	t := b.Finish()
	cited := set(f.UUIDs)
	t.Flows = slices.DeleteFunc(t.Flows, func(fl timeline.Flow) bool {
		return !slices.ContainsFunc(fl.Steps, func(s timeline.Step) bool { return cited[s.Event.UUID] })
	})
	raw, err := json.Marshal(t)
	if err != nil {
		return empty
	}
	return raw
}

// indicatorFilter selects the events of a finding's indicator; for an
// indicator of another kind (a count rule grouped by some other field),
// the events it cites.
func indicatorFilter(f detect.Finding) filter.Expr {
	v := filter.Quote(f.Indicator.Value)
	var text string
	switch f.Indicator.Kind {
	case "user":
		text = "actor.alternateId eq " + v + " or actor.id eq " + v + " or target.alternateId eq " + v + " or target.id eq " + v
	case "ip":
		text = "client.ipAddress eq " + v
	case "session":
		text = "authenticationContext.externalSessionId eq " + v
	default:
		if len(f.UUIDs) == 0 || len(f.UUIDs) > 100 {
			return nil
		}
		for i, u := range f.UUIDs {
			if i > 0 {
				text += " or "
			}
			text += "uuid eq " + filter.Quote(u)
		}
	}
	expr, err := filter.Parse(text)
	if err != nil {
		return nil
	}
	return expr
}

// followUps are the commands that investigate a finding: its timeline and
// its scope over the alert's window.
func followUps(f detect.Finding, since, until time.Time) []string {
	out := []string{}
	switch f.Indicator.Kind {
	case "user", "ip", "session":
	default:
		if f.FollowUp != "" {
			out = append(out, f.FollowUp)
		}
		return out
	}
	span := " --since " + since.Format(time.RFC3339) + " --until " + until.Format(time.RFC3339)
	target := " --" + f.Indicator.Kind + " " + render.ShellQuote(f.Indicator.Value)
	return append(out, "oktascope timeline"+target+span, "oktascope scope"+target+span)
}
