package watch

import (
	"context"
	"fmt"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/render"
)

// book keeps what the watch alerted: every finding it has stored, by ID,
// as long as the engine may show it again (open, or final and within the
// replay of a restart).
type book struct {
	w     *Watcher
	known map[string]*entry
	// During a replay: the events the stored findings cite, so that a
	// finding the replay shows under another identity (its first events
	// fell before the replay's start) is recognised as the one stored.
	byUUID    map[string]string
	replaying bool
	// alias maps such identities to the stored one.
	alias map[string]string
	// suppressed are findings a replay showed that match no stored one:
	// made by the replay's missing history (the events before its start),
	// not by the events; they are never alerted.
	suppressed map[string]bool
}

// entry is one finding the watch stored.
type entry struct {
	stored backend.StoredFinding // as stored last
	latest detect.Finding        // as the engine showed it last
	cited  map[string]bool       // the events its last alert cited
	count  int                   // and its count
	// pending is set when it grew since its last alert (which UpdateEvery
	// holds back); final when the engine said it can no longer change.
	pending, final bool
}

func newBook(w *Watcher) *book {
	return &book{w: w, known: map[string]*entry{}, alias: map[string]string{}, suppressed: map[string]bool{}}
}

// load reads the stored findings a replay may show again: those that end
// at or after since.
func (b *book) load(ctx context.Context, since time.Time) error {
	b.replaying = true
	b.byUUID = map[string]string{}
	err := b.w.store.Findings(ctx, b.w.opts.Name, since, func(sf backend.StoredFinding) error {
		var a render.Alert
		if err := json.Unmarshal(sf.Body, &a); err != nil {
			return fmt.Errorf("watch: stored finding %s: %w", sf.ID, err)
		}
		f := detect.Finding{
			Rule: a.Rule, Indicator: indicator.Indicator{Kind: a.Indicator.Kind, Value: a.Indicator.Value},
			Start: a.Start, End: a.End, Count: a.Count, UUIDs: a.UUIDs,
		}
		e := &entry{stored: sf, latest: f, count: a.Count, final: sf.Final, cited: set(a.UUIDs)}
		b.known[sf.ID] = e
		for _, u := range a.UUIDs {
			b.byUUID[u] = sf.ID
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("watch: loading the findings: %w", err)
	}
	return nil
}

// replayDone ends the replay.
func (b *book) replayDone() {
	b.replaying, b.byUUID = false, nil
}

// record takes what the engine drained: open findings as they stand, and
// final ones.
func (b *book) record(ctx context.Context, final, open []detect.Finding, replay bool) error {
	for _, f := range open {
		if err := b.take(ctx, f, false, replay); err != nil {
			return err
		}
	}
	for _, f := range final {
		if err := b.take(ctx, f, true, replay); err != nil {
			return err
		}
	}
	b.prune()
	return nil
}

// take records one finding: a new one is alerted at once; one that grew
// is alerted again unless its last alert is more recent than UpdateEvery
// (flushUpdates alerts it later); a final one is stored as final.
func (b *book) take(ctx context.Context, f detect.Finding, final, replay bool) error {
	id := f.ID()
	if a, ok := b.alias[id]; ok {
		id = a
	}
	e := b.known[id]
	if e == nil {
		if b.suppressed[id] {
			return nil
		}
		if replay {
			other := b.overlap(f)
			if other == "" {
				b.suppressed[id] = true
				return nil
			}
			b.alias[id], id, e = other, other, b.known[other]
		}
	}
	if e == nil {
		e = &entry{latest: f, final: final}
		b.known[id] = e
		return b.alert(ctx, id, e, "new")
	}
	e.latest = f
	e.final = e.final || final
	if f.Count > e.count || !subset(f.UUIDs, e.cited) {
		e.pending = true
	}
	switch {
	case e.pending && b.updateDue(e):
		return b.alert(ctx, id, e, "updated")
	case e.final && !e.stored.Final && !e.pending:
		return b.store(ctx, id, e, e.stored.Version, statusOf(e.stored))
	}
	return nil
}

// overlap returns the stored finding of f's rule and indicator that cites
// one of its events, during a replay.
func (b *book) overlap(f detect.Finding) string {
	for _, u := range f.UUIDs {
		id, ok := b.byUUID[u]
		if !ok {
			continue
		}
		if e := b.known[id]; e != nil && e.latest.Rule == f.Rule && e.latest.Indicator == f.Indicator {
			return id
		}
	}
	return ""
}

// updateDue reports whether a finding that grew may be alerted again now.
func (b *book) updateDue(e *entry) bool {
	every := b.w.opts.UpdateEvery
	return every < 0 || b.w.opts.Now().Sub(e.stored.Updated) >= every
}

// flushUpdates alerts the findings that grew and whose UpdateEvery has
// passed since their last alert.
func (b *book) flushUpdates(ctx context.Context) error {
	for id, e := range b.known {
		if e.pending && b.updateDue(e) {
			if err := b.alert(ctx, id, e, "updated"); err != nil {
				return err
			}
		}
	}
	return nil
}

// alert stores the next version of a finding, due to every output.
func (b *book) alert(ctx context.Context, id string, e *entry, status string) error {
	if err := b.store(ctx, id, e, e.stored.Version+1, status); err != nil {
		return err
	}
	e.cited, e.count, e.pending = set(e.latest.UUIDs), e.latest.Count, false
	b.w.notify()
	return nil
}

// store writes a version of the finding with its alert.
func (b *book) store(ctx context.Context, id string, e *entry, version int, status string) error {
	now := b.w.opts.Now().UTC()
	detected := e.stored.Detected
	if detected.IsZero() {
		detected = now
	}
	a, err := b.w.alertOf(ctx, e.latest, id, status, version, e.final, detected)
	if err != nil {
		return fmt.Errorf("watch: an alert: %w", err)
	}
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("watch: encoding an alert: %w", err)
	}
	f := e.latest
	sf := backend.StoredFinding{
		Watch: b.w.opts.Name, ID: id, Rule: f.Rule, IndicatorKind: string(f.Indicator.Kind), IndicatorValue: f.Indicator.Value,
		Start: f.Start, End: f.End, Version: version, Final: e.final, Detected: detected, Updated: now, Body: body,
	}
	if version == e.stored.Version {
		sf.Updated = e.stored.Updated // not a new alert
	}
	if err := b.w.store.PutFinding(ctx, sf, b.w.outputNames()); err != nil {
		return fmt.Errorf("watch: storing a finding: %w", err)
	}
	e.stored = sf
	return nil
}

// prune forgets the final findings that ended more than Replay before the
// clock: no replay shows them again.
func (b *book) prune() {
	horizon := b.w.state.Clock.Add(-b.w.opts.Replay)
	for id, e := range b.known {
		if e.final && !e.pending && e.latest.End.Before(horizon) {
			delete(b.known, id)
		}
	}
	for from, to := range b.alias {
		if b.known[to] == nil {
			delete(b.alias, from)
		}
	}
}

// statusOf is the status a stored finding was last alerted with.
func statusOf(sf backend.StoredFinding) string {
	if sf.Version > 1 {
		return "updated"
	}
	return "new"
}

func set(uuids []string) map[string]bool {
	m := make(map[string]bool, len(uuids))
	for _, u := range uuids {
		m[u] = true
	}
	return m
}

// subset reports whether every uuid is in s.
func subset(uuids []string, s map[string]bool) bool {
	for _, u := range uuids {
		if !s[u] {
			return false
		}
	}
	return true
}
