package watch

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
)

// alertOf builds the alert of an incident (render.Alert: the findings'
// JSON objects, their flows, the follow-ups, and the alert's fields).
func (w *Watcher) alertOf(ctx context.Context, inc *incident, status string, version int, final bool, detected time.Time) (render.Alert, error) {
	findings := make([]detect.Finding, len(inc.members))
	ids := make([]string, len(inc.members))
	cited := map[string]bool{}
	for i, m := range inc.members {
		findings[i], ids[i] = m.latest, m.id
		for _, u := range m.latest.UUIDs {
			cited[u] = true
		}
	}
	since, until := w.window(inc.span())
	a, err := render.NewAlert(findings, ids, w.flowsOf(ctx, findings[0], cited, since, until), followUps(findings, since, until))
	if err != nil {
		return render.Alert{}, err
	}
	a.Watch, a.Status, a.Version, a.Final, a.Detected = w.opts.Name, status, version, final, detected
	return a, nil
}

// window is the time span whose events make the timeline of an incident
// that spans [start, end]: from a join window before (the flows' earlier
// steps) to a minute after, a day at most.
func (w *Watcher) window(start, end time.Time) (since, until time.Time) {
	join := w.opts.Detect.Thresholds.Timeline.WithDefaults().JoinWindow
	since, until = start.Add(-join), end.Add(time.Minute)
	if until.Sub(since) > 24*time.Hour {
		since = until.Add(-24 * time.Hour)
	}
	return since.UTC().Truncate(time.Second), until.UTC().Truncate(time.Second).Add(time.Second)
}

// flowsOf reads the events of the finding's indicator in the window and
// returns the flows that hold one of the cited events. A failure to read
// leaves them out: the alert matters more.
func (w *Watcher) flowsOf(ctx context.Context, f detect.Finding, cited map[string]bool, since, until time.Time) timeline.Timeline {
	expr, err := w.indicatorFilter(ctx, f)
	if err != nil {
		w.opts.Logf("watch %s: no timeline for an alert about %s: %v", w.opts.Name, render.Terminal(f.Indicator.String()), err)
		return timeline.Timeline{}
	}
	b := timeline.NewBuilder(w.opts.Detect.Thresholds.Timeline)
	q := backend.Query{Filter: expr, Since: since, Until: until, Limit: w.opts.TimelineEvents}
	err = w.store.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		b.Add(e)
		return nil
	})
	if err != nil {
		w.opts.Logf("watch %s: the timeline of an alert could not be read: %v", w.opts.Name, err)
		return timeline.Timeline{}
	}
	t := b.Finish()
	t.Flows = slices.DeleteFunc(t.Flows, func(fl timeline.Flow) bool {
		return !slices.ContainsFunc(fl.Steps, func(s timeline.Step) bool { return cited[s.Event.UUID] })
	})
	return t
}

// indicatorFilter selects the events of a finding's indicator (a login
// resolved to the user's id, as everywhere: indicator.Filter); for an
// indicator of another kind (a count rule grouped by some other field),
// the events it cites.
func (w *Watcher) indicatorFilter(ctx context.Context, f detect.Finding) (filter.Expr, error) {
	ind := f.Indicator
	if !ind.Kind.Valid() {
		if len(f.UUIDs) == 0 || len(f.UUIDs) > 100 {
			return nil, errors.New("an indicator of no kind, citing no or too many events")
		}
		terms := make([]filter.Expr, len(f.UUIDs))
		for i, u := range f.UUIDs {
			terms[i] = filter.Equal("uuid", u)
		}
		return &filter.Or{Terms: terms}, nil
	}
	if ind.Kind == indicator.User {
		id, err := indicator.UserID(ctx, w.store, ind.Value)
		if err != nil {
			return nil, err
		}
		ind.Value = id
	}
	return ind.Filter()
}

// followUps are the commands that investigate an incident: the timeline
// and the scope of its first finding's indicator over the alert's window,
// then the timeline of each other indicator its findings name.
func followUps(findings []detect.Finding, since, until time.Time) [][]string {
	span := []string{"--since", since.Format(time.RFC3339), "--until", until.Format(time.RFC3339)}
	var out [][]string
	seen := map[indicator.Indicator]bool{}
	for i, f := range findings {
		ind := f.Indicator
		switch {
		case seen[ind]:
			continue
		case !ind.Kind.Valid():
			if f.FollowUp != nil {
				out = append(out, f.FollowUp)
			}
		default:
			target := append([]string{"--" + string(ind.Kind), ind.Value}, span...)
			out = append(out, append([]string{"timeline"}, target...))
			if i == 0 {
				out = append(out, append([]string{"scope"}, target...))
			}
		}
		seen[ind] = true
	}
	return out
}
