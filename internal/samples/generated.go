package samples

import (
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// Generated decodes every event of a generated org log (internal/synth)
// and returns them with the incidents planted in it: with opts.Incidents,
// one of each kind (CheckIncidents), or the test fails.
func Generated(tb testing.TB, opts synth.Options) ([]*logevent.Event, []synth.Incident) {
	tb.Helper()
	g := synth.New(opts)
	var events []*logevent.Event
	for line, ok := g.Next(); ok; line, ok = g.Next() {
		e, err := logevent.Decode(append([]byte(nil), line...))
		if err != nil {
			tb.Fatalf("generated event does not decode: %v", err)
		}
		events = append(events, e)
	}
	if opts.Incidents || opts.Travel {
		checkKinds(tb, g.Incidents(), synth.PlantedKinds(opts))
	}
	return events, g.Incidents()
}

// CheckIncidents fails the test unless the incidents are one of each kind
// synth plants (synth.IncidentKinds), so that a test looping over them
// cannot pass on none.
func CheckIncidents(tb testing.TB, incidents []synth.Incident) {
	tb.Helper()
	checkKinds(tb, incidents, synth.IncidentKinds())
}

// checkKinds fails the test unless the incidents are one of each of kinds.
func checkKinds(tb testing.TB, incidents []synth.Incident, kinds []synth.IncidentKind) {
	tb.Helper()
	got := map[synth.IncidentKind]int{}
	for _, inc := range incidents {
		got[inc.Kind]++
	}
	ok := len(incidents) == len(kinds) && len(kinds) > 0
	for _, k := range kinds {
		ok = ok && got[k] == 1
	}
	if !ok {
		tb.Fatalf("incidents planted: %v; want one of each of %v", got, kinds)
	}
}

// BusiestOfficeIP is the office address (synth's 192.0.2.0/24) the most
// users act from in events: the widest scope of a generated log.
func BusiestOfficeIP(tb testing.TB, events []*logevent.Event) string {
	tb.Helper()
	users := map[string]map[string]bool{}
	best := ""
	for _, e := range events {
		a, ok := e.ActingUser()
		ip := e.ClientIP()
		if !ok || !strings.HasPrefix(ip, "192.0.2.") {
			continue
		}
		if users[ip] == nil {
			users[ip] = map[string]bool{}
		}
		users[ip][a.Key()] = true
		if best == "" || len(users[ip]) > len(users[best]) {
			best = ip
		}
	}
	if best == "" {
		tb.Fatal("no user acts from an office address")
	}
	return best
}
