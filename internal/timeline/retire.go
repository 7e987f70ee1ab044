package timeline

import (
	"slices"
	"sort"
	"time"
)

// A Builder fed a long log (oktascope detect streams a whole store through
// one) would otherwise keep every event until Finish. Retire lets it forget
// what no later event can change: a flow is finished once no event can
// join it (its last event is more than JoinWindow old), no recovery watch
// follows it (RecoveryWindow after a password reset or unlock) and none of
// its deviations can still grow (an MFA fatigue burst FatigueWindow after
// its last challenge; a session_hijack while its session lives). Retiring
// changes nothing in the flows and deviations found, with one bound: a
// session idle for longer than the horizon (the longest of the three
// windows, 24 hours by default) is forgotten, so events that bring its id
// back start it afresh (Okta's default idle timeout is 2 hours: such a
// session has expired).

// Horizon is how long a streaming Builder (one that calls Retire) remembers
// an idle session: the longest of JoinWindow, FatigueWindow and
// RecoveryWindow.
func (o Options) Horizon() time.Duration {
	o = o.WithDefaults()
	return max(o.JoinWindow, o.FatigueWindow, o.RecoveryWindow)
}

// Retire finishes the flows that no event published at or after now can
// join or change, and returns them as Finish would (kinds settled,
// deviations final), in order of their first event. The Builder then
// forgets them and their events: Finish returns only the flows not retired.
// now must not be later than the next event's published time.
//
// Sessions idle for longer than Options.Horizon are forgotten at the same
// time, and so are the per-user records no later event can use, so that a
// Builder retired as it goes holds the events of the active window, not of
// the whole log.
func (b *Builder) Retire(now time.Time) []Flow { return b.retire(now, false) }

// RetireAttacks is Retire for a caller that wants only the attack patterns
// (oktascope detect): it returns only the retired flows that hold an
// mfa_fatigue, session_hijack, recovery_takeover or impossible_travel
// deviation, and spares publishing the others, which it drops all the same.
func (b *Builder) RetireAttacks(now time.Time) []Flow { return b.retire(now, true) }

func (b *Builder) retire(now time.Time, attacksOnly bool) []Flow {
	if b.done != nil {
		return nil
	}
	b.retireFatigues(now)
	b.retireSessions(now)
	if now.Sub(b.swept) >= b.opts.JoinWindow {
		b.swept = now
		b.pruneUsers(now)
	}
	var out []Flow
	retired := b.retired
	for b.due.ready(now) {
		fs := b.due.pop()
		if !fs.retirable(now, b.opts) {
			b.due.push(fs.retirableAfter(now, b.opts), fs)
			continue
		}
		if w := fs.watch; w != nil {
			w.finish(b.opts)
		}
		if !attacksOnly || len(fs.devs) > 0 {
			out = append(out, fs.publish())
		}
		fs.detach()
		if fs.authnKey != "" && b.authn[fs.authnKey] == fs {
			delete(b.authn, fs.authnKey)
		}
		fs.retired = true
		b.retired++
	}
	if b.retired == retired {
		return nil
	}
	if b.retired > len(b.flows)/2 {
		b.flows = slices.DeleteFunc(b.flows, func(fs *flowState) bool { return fs.retired })
		b.retired = 0
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// retirable reports whether no event at or after now can join fs or change
// its deviations.
func (fs *flowState) retirable(now time.Time, o Options) bool {
	idle := now.Sub(fs.last)
	switch {
	case fs.open > 0, idle <= o.JoinWindow:
		return false
	case fs.watched && idle <= o.RecoveryWindow:
		return false
	}
	return true
}

// retirableAfter is when fs may next be retirable: JoinWindow (or the
// recovery window) after its last event; a flow whose deviations still
// grow is looked at again a JoinWindow later.
func (fs *flowState) retirableAfter(now time.Time, o Options) time.Time {
	switch {
	case fs.open > 0:
		return now.Add(o.JoinWindow)
	case fs.watched:
		return fs.last.Add(max(o.JoinWindow, o.RecoveryWindow))
	}
	return fs.last.Add(o.JoinWindow)
}

// detach drops the references of the user's and the track's state to a
// retired flow: they only ever reach it within JoinWindow of its last event.
// A flow in a track is never the user's latest recovery or factor change.
func (fs *flowState) detach() {
	if tr := fs.mfaTrack; tr != nil && tr.current == fs {
		tr.current = nil
	}
	if tr := fs.track; tr != nil {
		if tr.current == fs {
			tr.current = nil
		}
		return
	}
	if u := fs.user; u != nil {
		if u.recovery == fs {
			u.recovery = nil
		}
		if u.changes == fs {
			u.changes = nil
		}
	}
}

// retireFatigues finishes the MFA fatigue bursts that can no longer grow:
// answered by a successful verification, or FatigueWindow past their last
// challenge.
func (b *Builder) retireFatigues(now time.Time) {
	kept := b.fatigues[:0]
	for _, inc := range b.fatigues {
		if inc.success == nil && now.Sub(inc.last()) <= b.opts.FatigueWindow {
			kept = append(kept, inc)
			continue
		}
		inc.finish(b.opts)
		inc.flow.open--
		if inc.st.open == inc {
			inc.st.open = nil
		}
	}
	clear(b.fatigues[len(kept):])
	b.fatigues = kept
}

// retireSessions forgets the sessions idle for longer than the horizon;
// their session_hijack deviations are final.
func (b *Builder) retireSessions(now time.Time) {
	horizon := b.opts.Horizon()
	for b.idle.ready(now) {
		s := b.idle.pop()
		if idle := s.last.Add(horizon); !now.After(idle) {
			b.idle.push(idle, s)
			continue
		}
		for _, fs := range s.hijack.holders {
			fs.open--
		}
		s.hijack.holders = nil
		s.gone = true
		if b.sessions[s.id] == s {
			delete(b.sessions, s.id)
		}
	}
}

// pruneUsers drops from each user's record what no later event can use:
// challenges older than the fatigue window, expired recovery watches, a
// latest session that was forgotten.
func (b *Builder) pruneUsers(now time.Time) {
	for _, u := range b.users {
		st := &u.fatigue
		n := 0
		for n < len(st.recent) && now.Sub(st.recent[n].Time) > b.opts.FatigueWindow {
			n++
		}
		if n > 0 {
			st.recent = slices.Clone(st.recent[n:])
		}
		if expiry := max(b.opts.RecoveryWindow, b.opts.JoinWindow); now.Sub(u.watchFloor) > expiry {
			u.watched = slices.DeleteFunc(u.watched, func(rf *flowState) bool { return now.Sub(rf.last) > expiry })
		}
		if s := u.lastSession; s != nil && s.gone {
			u.lastSession = nil
		}
	}
}
