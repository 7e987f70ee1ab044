package watch

import (
	"context"
	"fmt"
	"slices"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/render"
)

// An alert is an incident: the findings of one attack. One push storm is
// an MFA fatigue finding, a brute force on the user's MFA, and, if the user
// recovered their account that morning, a recovery takeover when the
// attacker gets in: three rules, one attack, one alert. A finding joins an
// incident when it cites one of the incident's events, or is about the
// same indicator at the same time (its span within a join window of the
// incident's). The incident is alerted when its first finding appears,
// and again when a finding joins it or grows.

// book keeps what the watch alerted: every incident it stored, and the
// findings they hold, as long as the engine may show them again (open, or
// final and within the replay of a restart).
type book struct {
	w         *Watcher
	incidents map[string]*incident // by ID: its first finding's
	findings  map[string]*member   // by finding ID
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

// incident is one alert's findings.
type incident struct {
	id      string
	stored  backend.StoredFinding // as stored last
	members []*member             // the first one heads the alert
	pending bool                  // changed since its last alert
}

// member is one finding of an incident.
type member struct {
	id     string
	inc    *incident
	latest detect.Finding  // as the engine showed it last
	cited  map[string]bool // the events its last alert cited
	count  int             // and its count
	final  bool
	// last is the time of its latest cited event: a finding's End spans
	// the events of its flow, and a recovery takeover cites events of
	// later flows (the attacker's sign-ins).
	last time.Time
}

func newBook(w *Watcher) *book {
	return &book{w: w, incidents: map[string]*incident{}, findings: map[string]*member{}, alias: map[string]string{}, suppressed: map[string]bool{}}
}

// load reads the stored incidents a replay may show again: those that end
// at or after since.
func (b *book) load(ctx context.Context, since time.Time) error {
	b.replaying = true
	b.byUUID = map[string]string{}
	err := b.w.store.Findings(ctx, b.w.opts.Name, since, func(sf backend.StoredFinding) error {
		var a render.Alert
		if err := json.Unmarshal(sf.Body, &a); err != nil {
			return fmt.Errorf("watch: stored incident %s: %w", sf.ID, err)
		}
		inc := &incident{id: sf.ID, stored: sf}
		for _, af := range a.Findings {
			f := detect.Finding{
				Rule: af.Rule, Indicator: indicator.Indicator{Kind: af.Indicator.Kind, Value: af.Indicator.Value},
				Start: af.Start, End: af.End, Count: af.Count, UUIDs: af.UUIDs,
			}
			m := &member{id: af.ID, inc: inc, latest: f, cited: set(af.UUIDs), count: af.Count, final: sf.Final, last: sf.End}
			inc.members = append(inc.members, m)
			b.findings[m.id] = m
			for _, u := range af.UUIDs {
				b.byUUID[u] = m.id
			}
		}
		if len(inc.members) > 0 {
			b.incidents[inc.id] = inc
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("watch: loading the incidents: %w", err)
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

// take records one finding. A new one opens an incident, alerted at once,
// or joins one, which is alerted again at once; one that grew has its
// incident alerted again unless its last alert is more recent than
// UpdateEvery (flushUpdates alerts it later); an incident whose findings
// are all final is stored as final.
func (b *book) take(ctx context.Context, f detect.Finding, final, replay bool) error {
	id := f.ID()
	if a, ok := b.alias[id]; ok {
		id = a
	}
	m := b.findings[id]
	if m == nil {
		if b.suppressed[id] {
			return nil
		}
		if replay {
			other := b.overlap(f)
			if other == "" {
				b.suppressed[id] = true
				return nil
			}
			b.alias[id], id, m = other, other, b.findings[other]
		}
	}
	if m == nil {
		m = &member{id: id, latest: f, final: final, last: b.lastCited(f, time.Time{})}
		b.findings[id] = m
		if inc := b.join(m); inc != nil {
			m.inc = inc
			inc.members = append(inc.members, m)
			return b.alert(ctx, inc, "updated")
		}
		m.inc = &incident{id: id, members: []*member{m}}
		b.incidents[id] = m.inc
		return b.alert(ctx, m.inc, "new")
	}
	inc := m.inc
	m.latest = f
	m.final = m.final || final
	m.last = b.lastCited(f, m.last)
	if f.Count > m.count || !subset(f.UUIDs, m.cited) {
		inc.pending = true
	}
	switch {
	case inc.pending && b.updateDue(inc):
		return b.alert(ctx, inc, "updated")
	case inc.final() && !inc.stored.Final && !inc.pending:
		return b.store(ctx, inc, inc.stored.Version, statusOf(inc.stored))
	}
	return nil
}

// join returns the incident a new finding belongs to: one that cites one
// of its events, or is about the same indicator at the same time (their
// spans, to their latest cited events, within a join window).
func (b *book) join(n *member) *incident {
	join := b.w.opts.Detect.Thresholds.Timeline.WithDefaults().JoinWindow
	f := n.latest
	for _, inc := range b.incidents {
		for _, m := range inc.members {
			l := m.latest
			near := l.Indicator == f.Indicator && !f.Start.After(m.last.Add(join)) && !l.Start.After(n.last.Add(join))
			if near || slices.ContainsFunc(f.UUIDs, func(u string) bool { return m.cited[u] || slices.Contains(l.UUIDs, u) }) {
				return inc
			}
		}
	}
	return nil
}

// lastCited is the time of the latest event f cites, as far as the events
// just read tell (else its End), and no earlier than since.
func (b *book) lastCited(f detect.Finding, since time.Time) time.Time {
	last := since
	if f.End.After(last) {
		last = f.End
	}
	for _, u := range f.UUIDs {
		if t, ok := b.w.batch[u]; ok && t.After(last) {
			last = t
		}
	}
	return last
}

// overlap returns the stored finding of f's rule and indicator that cites
// one of its events, during a replay.
func (b *book) overlap(f detect.Finding) string {
	for _, u := range f.UUIDs {
		id, ok := b.byUUID[u]
		if !ok {
			continue
		}
		if m := b.findings[id]; m != nil && m.latest.Rule == f.Rule && m.latest.Indicator == f.Indicator {
			return id
		}
	}
	return ""
}

// final reports whether every finding of the incident is final.
func (inc *incident) final() bool {
	for _, m := range inc.members {
		if !m.final {
			return false
		}
	}
	return true
}

// span is the time span of the incident's findings.
func (inc *incident) span() (start, end time.Time) {
	for i, m := range inc.members {
		if i == 0 || m.latest.Start.Before(start) {
			start = m.latest.Start
		}
		if m.latest.End.After(end) {
			end = m.latest.End
		}
	}
	return start, end
}

// updateDue reports whether an incident that changed may be alerted again
// now.
func (b *book) updateDue(inc *incident) bool {
	every := b.w.opts.UpdateEvery
	return every < 0 || b.w.opts.Now().Sub(inc.stored.Updated) >= every
}

// flushUpdates alerts the incidents that changed and whose UpdateEvery has
// passed since their last alert.
func (b *book) flushUpdates(ctx context.Context) error {
	for _, inc := range b.incidents {
		if inc.pending && b.updateDue(inc) {
			if err := b.alert(ctx, inc, "updated"); err != nil {
				return err
			}
		}
	}
	return nil
}

// alert stores the next version of an incident, due to every output.
func (b *book) alert(ctx context.Context, inc *incident, status string) error {
	if err := b.store(ctx, inc, inc.stored.Version+1, status); err != nil {
		return err
	}
	for _, m := range inc.members {
		m.cited, m.count = set(m.latest.UUIDs), m.latest.Count
	}
	inc.pending = false
	b.w.notify()
	return nil
}

// store writes a version of the incident with its alert.
func (b *book) store(ctx context.Context, inc *incident, version int, status string) error {
	now := b.w.opts.Now().UTC()
	detected := inc.stored.Detected
	if detected.IsZero() {
		detected = now
	}
	final := inc.final()
	a, err := b.w.alertOf(ctx, inc, status, version, final, detected)
	if err != nil {
		return fmt.Errorf("watch: an alert: %w", err)
	}
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("watch: encoding an alert: %w", err)
	}
	head := inc.members[0].latest
	start, end := inc.span()
	sf := backend.StoredFinding{
		Watch: b.w.opts.Name, ID: inc.id, Rule: head.Rule, IndicatorKind: string(head.Indicator.Kind), IndicatorValue: head.Indicator.Value,
		Start: start, End: end, Version: version, Final: final, Detected: detected, Updated: now, Body: body,
	}
	if version == inc.stored.Version {
		sf.Updated = inc.stored.Updated // not a new alert
	}
	if err := b.w.store.PutFinding(ctx, sf, b.w.outputNames()); err != nil {
		return fmt.Errorf("watch: storing an incident: %w", err)
	}
	inc.stored = sf
	return nil
}

// prune forgets the final incidents that ended more than Replay before the
// clock: no replay shows their findings again.
func (b *book) prune() {
	horizon := b.w.state.Clock.Add(-b.w.opts.Replay)
	for id, inc := range b.incidents {
		if _, end := inc.span(); inc.final() && !inc.pending && end.Before(horizon) {
			delete(b.incidents, id)
			for _, m := range inc.members {
				delete(b.findings, m.id)
			}
		}
	}
	for from, to := range b.alias {
		if b.findings[to] == nil {
			delete(b.alias, from)
		}
	}
}

// statusOf is the status an incident was last alerted with.
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
