package detect

import (
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/sigma"
)

// sprayRuleID is the built-in rule that spray counts for.
const sprayRuleID = "oktascope-password-spraying"

// spray is the password-spraying rule (rules/password_spraying.yml: failed
// sign-ins of many distinct users from one IP address within a window),
// counting only the failures of users who did not sign in successfully
// from that address within the window before or after the failure.
//
// Behind a shared address (an office's NAT, a VPN egress) many users
// mistype a password and sign in a few seconds later: counted as they
// are, a busy office's typos look like a spray. A user who gets in from
// the address has shown that the failure was theirs; a spray's victims
// (the attacker does not know their passwords) do not sign in from the
// attacker's address. So each failure waits for the window to pass before
// it goes, if still unanswered, to the rule's count, and the findings come
// a window late, which a run over a store does not notice.
type spray struct {
	rule    *sigma.Rule
	agg     *sigma.Aggregator
	window  time.Duration
	pending []*sprayFailure              // failures waiting for the window to pass, in order
	waiting map[sprayKey][]*sprayFailure // the same, by address and user
	success map[sprayKey]time.Time       // latest successful sign-in by address and user
	swept   time.Time                    // when success was last swept of old entries
}

type sprayKey struct{ ip, user string }

type sprayFailure struct {
	ev       *logevent.Event
	key      sprayKey
	answered bool // the user signed in from the address within the window
}

func newSpray(r *sigma.Rule) *spray {
	window := time.Duration(0)
	if r.Aggregation != nil {
		window = r.Aggregation.Timeframe
	}
	return &spray{
		rule: r, agg: sigma.NewAggregator(r), window: window,
		waiting: map[sprayKey][]*sprayFailure{}, success: map[sprayKey]time.Time{},
	}
}

// add offers one event and returns the findings it completes.
func (s *spray) add(ev *logevent.Event) []sigma.Finding {
	out := s.decide(ev.Time)
	if ev.EventType != "user.session.start" {
		return out
	}
	key := sprayKey{ip: ev.Client.IPAddress, user: ev.Actor.AlternateID}
	switch {
	case ev.Outcome.Result == "SUCCESS":
		s.success[key] = ev.Time
		for _, f := range s.waiting[key] {
			f.answered = true
		}
	case s.rule.Matcher().Match(ev):
		if last, ok := s.success[key]; ok && ev.Time.Sub(last) <= s.window {
			return out // answered already
		}
		f := &sprayFailure{ev: ev, key: key}
		s.pending = append(s.pending, f)
		s.waiting[key] = append(s.waiting[key], f)
	}
	if ev.Time.Sub(s.swept) > s.window {
		s.swept = ev.Time
		for k, t := range s.success {
			if ev.Time.Sub(t) > s.window {
				delete(s.success, k)
			}
		}
	}
	return out
}

// decide passes to the count the failures whose window ended before now
// without an answer.
func (s *spray) decide(now time.Time) []sigma.Finding {
	var out []sigma.Finding
	n := 0
	for ; n < len(s.pending) && now.Sub(s.pending[n].ev.Time) > s.window; n++ {
		out = append(out, s.settle(s.pending[n])...)
	}
	if n > 0 {
		clear(s.pending[:n])
		s.pending = s.pending[n:]
	}
	return out
}

// settle counts a failure whose window has passed, unless it was answered.
func (s *spray) settle(f *sprayFailure) []sigma.Finding {
	if w := s.waiting[f.key]; len(w) > 1 {
		s.waiting[f.key] = w[1:]
	} else {
		delete(s.waiting, f.key)
	}
	if f.answered {
		return nil
	}
	return s.agg.Add(f.ev)
}

// flush settles every failure still waiting (no event can answer it any
// more) and returns the findings still open.
func (s *spray) flush() []sigma.Finding {
	var out []sigma.Finding
	for _, f := range s.pending {
		out = append(out, s.settle(f)...)
	}
	s.pending = nil
	return append(out, s.agg.Flush()...)
}
