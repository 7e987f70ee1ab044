package samples

import (
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// Generated decodes every event of a generated org log (internal/synth)
// and returns them with the incidents planted in it.
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
	return events, g.Incidents()
}
