package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// An engine made with Options.Live follows a stream that has no end: the
// events of a live org as they land (oktascope watch). It reports findings
// as they appear and as they grow (Drain), not at Finish, and it keeps its
// state bounded over days: the timeline retires finished flows as in any
// run, count rules forget idle groups, and the per-event findings of an
// indicator idle for longer than the horizon (24 hours by default) are
// closed, so that a later match starts a new finding.

// maxLiveCited bounds the events a live per-event finding cites: a rule
// that matches all day for one user (a scripted agent polling) keeps
// counting its matches, not listing them.
const maxLiveCited = 1000

// liveState is what a live engine keeps besides a batch engine's.
type liveState struct {
	horizon time.Duration
	dirty   map[groupKey]bool // per-event findings that changed since the last Drain
	swept   time.Time         // when idle per-event findings were last closed
}

func newLiveState(t Thresholds) *liveState {
	return &liveState{horizon: t.Timeline.Horizon(), dirty: map[groupKey]bool{}}
}

// cite notes that the per-event finding of key changed, and reports
// whether it may cite one more event.
func (l *liveState) cite(key groupKey, f *Finding) bool {
	l.dirty[key] = true
	return len(f.UUIDs) < maxLiveCited
}

// closeIdle closes, once a minute of event time, the per-event findings
// whose last match is older than the horizon: they are final.
func (e *Engine) closeIdle(now time.Time) {
	l := e.live
	if now.Sub(l.swept) < retireEvery {
		return
	}
	l.swept = now
	for key, f := range e.grouped {
		if now.Sub(f.End) > l.horizon {
			e.findings = append(e.findings, withFollowUp(*f))
			delete(e.grouped, key)
			delete(l.dirty, key)
		}
	}
}

// Drain returns what a live engine found since the last call: final, the
// findings that can no longer change (each returned once, then forgotten
// by the engine); open, the findings that may still grow, as they stand
// (attack patterns in flows not yet retired, count bursts above their
// threshold, and the per-event findings that matched since the last call).
// A finding keeps its rule, indicator and first cited event as it grows,
// open after open and into its final form: that is its identity. It
// needs Options.Live; Finish then returns only what Drain has not.
func (e *Engine) Drain() (final, open []Finding) {
	final, e.findings = e.findings, nil
	if e.live != nil {
		for key := range e.live.dirty {
			if f, ok := e.grouped[key]; ok {
				g := *f
				g.UUIDs = slices.Clone(f.UUIDs)
				open = append(open, withFollowUp(g))
			}
		}
		clear(e.live.dirty)
	}
	for _, run := range e.aggregators {
		if run.rule.Aggregation == nil {
			continue
		}
		for _, f := range run.agg.Open() {
			open = append(open, countFinding(run.source, f))
		}
	}
	if e.timeline != nil {
		open = append(open, timelineFindings(e.timeline.OpenAttacks())...)
	}
	return final, open
}

// ID is a finding's identity as Drain keeps it: its rule, indicator and
// first cited event, hashed into 32 hex digits. A finding that grows keeps
// its ID; a new burst, session or recovery gets a new one.
func (f Finding) ID() string {
	first := ""
	if len(f.UUIDs) > 0 {
		first = f.UUIDs[0]
	}
	h := sha256.New()
	for _, part := range []string{f.Rule, string(f.Indicator.Kind), f.Indicator.Value, first} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
