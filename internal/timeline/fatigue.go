package timeline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// fatigueState follows the MFA challenges sent to one user.
type fatigueState struct {
	recent []*logevent.Event // challenges within the window, oldest first
	open   *fatigueIncident  // the burst in progress, if any
}

// fatigueIncident is one burst of challenges: at least FatigueCount within
// FatigueWindow with no successful verification between them, extended by
// every challenge that follows the last one within the window, and ended
// by the first successful verification.
type fatigueIncident struct {
	dev      *Deviation
	flow     *flowState    // the flow the deviation is attached to
	st       *fatigueState // the user's
	user     Actor
	sends    []*logevent.Event
	channels map[string]int
	success  *logevent.Event // the first successful verification after the burst began
}

// checkFatigue counts the push, SMS and voice challenges sent to a user
// that no successful MFA verification answered. A success clears the count
// and ends a burst in progress, which it then cites.
func (b *Builder) checkFatigue(e *logevent.Event, p placement, u *userState, fs *flowState) {
	if p.challenge != "" {
		b.fatigueSend(e, p.challenge, u, fs)
		return
	}
	if e.EventType != typeAuthViaMFA || e.Outcome.Failed() {
		return
	}
	st := &u.fatigue
	if inc := st.open; inc != nil && e.Time.Sub(inc.last()) <= b.opts.FatigueWindow {
		inc.success = e
		inc.dev.UUIDs = append(inc.dev.UUIDs, e.UUID)
	}
	st.open, st.recent = nil, st.recent[:0]
}

// fatigueSend counts one challenge sent to u.
func (b *Builder) fatigueSend(e *logevent.Event, channel string, u *userState, fs *flowState) {
	st := &u.fatigue
	window := b.opts.FatigueWindow
	if inc := st.open; inc != nil && e.Time.Sub(inc.last()) <= window {
		inc.add(e, channel)
		return
	}
	st.open = nil
	kept := st.recent[:0]
	for _, old := range st.recent {
		if e.Time.Sub(old.Time) <= window {
			kept = append(kept, old)
		}
	}
	st.recent = append(kept, e)
	if len(st.recent) < b.opts.FatigueCount {
		return
	}
	inc := &fatigueIncident{dev: &Deviation{Kind: MFAFatigue}, flow: fs, st: st, user: u.actor, channels: map[string]int{}}
	for _, sent := range st.recent {
		inc.add(sent, fatigueTypes[sent.EventType])
	}
	st.open, st.recent = inc, nil
	fs.attach(inc.dev)
	fs.open++
	b.fatigues = append(b.fatigues, inc)
}

func (inc *fatigueIncident) add(e *logevent.Event, channel string) {
	inc.sends = append(inc.sends, e)
	inc.channels[channel]++
	inc.dev.UUIDs = append(inc.dev.UUIDs, e.UUID)
}

func (inc *fatigueIncident) last() time.Time { return inc.sends[len(inc.sends)-1].Time }

// finish writes the incident's message.
func (inc *fatigueIncident) finish(opts Options) {
	var channels []string
	for name, n := range inc.channels {
		channels = append(channels, fmt.Sprintf("%s ×%d", name, n))
	}
	sort.Strings(channels)
	span := inc.last().Sub(inc.sends[0].Time).Round(time.Second)
	msg := fmt.Sprintf("%d MFA challenges (%s) sent to %s in %s (threshold: %d within %s); ",
		len(inc.sends), strings.Join(channels, ", "), userText(inc.user), span, opts.FatigueCount, timewindow.Format(opts.FatigueWindow))
	if inc.success != nil {
		msg += "followed by a successful MFA verification at " + stamp(inc.success.Time) + " from " + orNone(inc.success.ClientIP())
	} else {
		msg += "no successful MFA verification followed"
	}
	inc.dev.Message = msg
}

// userText names a user: login, else id.
func userText(a Actor) string {
	switch {
	case a.AlternateID != "":
		return a.AlternateID
	case a.ID != "":
		return a.ID
	}
	return "an unknown user"
}

func orNone(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}

// stamp formats a time as Okta publishes it.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
