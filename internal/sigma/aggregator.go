package sigma

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Finding is what a rule reports: for a rule without aggregation, one
// matching event; for a count rule, one burst of events of one group during
// which the count satisfied the threshold.
type Finding struct {
	Rule  *Rule
	Group map[string]string // group-by path → value; nil without group-by
	Count int               // the highest count reached (1 without aggregation)
	Start time.Time         // the first cited event's time
	End   time.Time         // the last cited event's time
	UUIDs []string          // the cited events, in time order
}

// Aggregator evaluates a rule over a stream of events: it runs the rule's
// Matcher on each and, for a count rule, keeps a sliding window per group.
// Feed events in ascending published order. An Aggregator is not safe for
// concurrent use; it keeps no *logevent.Event, so callers may reuse them.
type Aggregator struct {
	rule      *Rule
	agg       *Aggregation
	groupBy   []*logevent.Path
	field     *logevent.Path
	groups    map[string]*window
	latest    time.Time
	lastSweep time.Time
}

// entry is one matching event in a window.
type entry struct {
	at     time.Time
	uuid   string
	values []string // values of the counted field, for count(field)
}

// window is one group's events within the timeframe, and the finding it has
// open while the count satisfies the threshold.
type window struct {
	group    map[string]string
	entries  []entry
	distinct map[string]int // value → entries holding it, for count(field)
	open     *Finding
}

// NewAggregator returns an evaluator of r. It works for any rule: without an
// aggregation, every matching event is a finding of its own.
func NewAggregator(r *Rule) *Aggregator {
	a := &Aggregator{rule: r, agg: r.Aggregation, groups: map[string]*window{}}
	if a.agg != nil {
		for _, g := range a.agg.GroupBy {
			a.groupBy = append(a.groupBy, logevent.CompilePath(g))
		}
		if a.agg.Field != "" {
			a.field = logevent.CompilePath(a.agg.Field)
		}
	}
	return a
}

// Add offers one event and returns the findings it completes: for a rule
// without aggregation, the event itself when it matches; for a count rule,
// the bursts that ended before this event (their window slid past the
// threshold). Call Flush after the last event for the bursts still open.
func (a *Aggregator) Add(e *logevent.Event) []Finding {
	out := a.advance(e.Time)
	if !a.rule.matcher.Match(e) {
		return out
	}
	if a.agg == nil {
		return append(out, Finding{Rule: a.rule, Count: 1, Start: e.Time, End: e.Time, UUIDs: []string{e.UUID}})
	}
	key, group := a.groupOf(e)
	w := a.groups[key]
	if w == nil {
		w = &window{group: group, distinct: map[string]int{}}
		a.groups[key] = w
	}
	w.evict(a.cutoff(), a.field != nil)
	en := entry{at: e.Time, uuid: e.UUID, values: a.fieldValues(e)}
	w.push(en, a.field != nil)
	if f := a.step(w, en); f != nil {
		out = append(out, *f)
	}
	return out
}

// Advance is Add for an event the rule cannot match (a caller that knows,
// from MayMatchEventType, that the event's type rules it out): it moves the
// clock to t and returns the bursts that ended before t, without running
// the rule's matcher.
func (a *Aggregator) Advance(t time.Time) []Finding {
	return a.advance(t)
}

// Counting reports whether the rule counts events in a window, so that the
// clock of Advance matters to it.
func (a *Aggregator) Counting() bool { return a.agg != nil && a.agg.Timeframe > 0 }

// Flush returns the findings still open, and resets the Aggregator.
func (a *Aggregator) Flush() []Finding {
	var out []Finding
	for _, w := range a.groups {
		if w.open != nil {
			out = append(out, *w.open)
		}
	}
	a.groups = map[string]*window{}
	a.latest, a.lastSweep = time.Time{}, time.Time{}
	sortFindings(out)
	return out
}

// step updates w's open finding after en was pushed, and returns the
// finding it closes, if any.
func (a *Aggregator) step(w *window, en entry) *Finding {
	n := w.count(a.field != nil)
	switch {
	case a.agg.holds(n) && w.open == nil:
		w.open = &Finding{Rule: a.rule, Group: w.group, Count: n, Start: w.entries[0].at, End: w.entries[len(w.entries)-1].at}
		for _, e := range w.entries {
			w.open.UUIDs = append(w.open.UUIDs, e.uuid)
		}
	case a.agg.holds(n):
		w.open.UUIDs = append(w.open.UUIDs, en.uuid)
		w.open.End = maxTime(w.open.End, en.at)
		w.open.Count = max(w.open.Count, n)
	case w.open != nil:
		f := w.open
		w.open = nil
		return f
	}
	return nil
}

// advance moves the clock to t and, once per timeframe, closes the findings
// of groups whose window slid below the threshold and forgets idle groups.
func (a *Aggregator) advance(t time.Time) []Finding {
	if t.After(a.latest) {
		a.latest = t
	}
	if a.agg == nil || a.agg.Timeframe <= 0 || a.latest.Sub(a.lastSweep) < a.agg.Timeframe {
		return nil
	}
	a.lastSweep = a.latest
	var out []Finding
	for key, w := range a.groups {
		w.evict(a.cutoff(), a.field != nil)
		if w.open != nil && (len(w.entries) == 0 || !a.agg.holds(w.count(a.field != nil))) {
			out = append(out, *w.open)
			w.open = nil
		}
		if len(w.entries) == 0 && w.open == nil {
			delete(a.groups, key)
		}
	}
	sortFindings(out)
	return out
}

// cutoff is the oldest time still inside the window.
func (a *Aggregator) cutoff() time.Time {
	if a.agg.Timeframe <= 0 {
		return time.Time{}
	}
	return a.latest.Add(-a.agg.Timeframe)
}

// groupOf returns the group key of e and its group-by values. An event
// without a group-by field groups under the empty value; an array field's
// values are joined with ",".
func (a *Aggregator) groupOf(e *logevent.Event) (string, map[string]string) {
	if len(a.groupBy) == 0 {
		return "", nil
	}
	group := make(map[string]string, len(a.groupBy))
	parts := make([]string, len(a.groupBy))
	for i, p := range a.groupBy {
		parts[i] = strings.Join(textValues(p, e), ",")
		group[a.agg.GroupBy[i]] = parts[i]
	}
	return strings.Join(parts, "\x00"), group
}

func (a *Aggregator) fieldValues(e *logevent.Event) []string {
	if a.field == nil {
		return nil
	}
	return textValues(a.field, e)
}

// textValues returns the text of every scalar value p reaches in e.
func textValues(p *logevent.Path, e *logevent.Event) []string {
	var out []string
	for _, v := range p.Values(e) {
		if s, ok := v.Text(); ok {
			out = append(out, s)
		}
	}
	return out
}

// push inserts en in time order.
func (w *window) push(en entry, distinct bool) {
	i := sort.Search(len(w.entries), func(i int) bool { return w.entries[i].at.After(en.at) })
	w.entries = slices.Insert(w.entries, i, en)
	if distinct {
		for _, v := range en.values {
			w.distinct[v]++
		}
	}
}

// evict drops entries older than cutoff.
func (w *window) evict(cutoff time.Time, distinct bool) {
	n := 0
	for n < len(w.entries) && w.entries[n].at.Before(cutoff) {
		if distinct {
			for _, v := range w.entries[n].values {
				if w.distinct[v]--; w.distinct[v] <= 0 {
					delete(w.distinct, v)
				}
			}
		}
		n++
	}
	w.entries = w.entries[n:]
}

// count is the window's value: distinct field values, or events.
func (w *window) count(distinct bool) int {
	if distinct {
		return len(w.distinct)
	}
	return len(w.entries)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if !fs[i].Start.Equal(fs[j].Start) {
			return fs[i].Start.Before(fs[j].Start)
		}
		return groupKey(fs[i].Group) < groupKey(fs[j].Group)
	})
}

func groupKey(g map[string]string) string {
	keys := make([]string, 0, len(g))
	for k, v := range g {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, "\x00")
}

// Open returns the findings of the count rule's groups whose count
// satisfies the threshold now: bursts still growing, which Add or Advance
// will return once they end. A caller that follows a live stream reports
// them early; each keeps its first cited event as it grows. The findings
// are copies, sorted as Flush sorts them.
func (a *Aggregator) Open() []Finding {
	var out []Finding
	for _, w := range a.groups {
		if w.open != nil {
			f := *w.open
			f.UUIDs = slices.Clone(f.UUIDs)
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out
}
