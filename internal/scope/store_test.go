package scope

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// searchOnly hides a Searcher's other methods (the store's IPUsers).
type searchOnly struct{ Searcher }

// TestIPUserFinderChangesNothing scopes indicators of a generated log from
// a store, once pivoting through addresses with the store's summary of
// their users and once reading their events: the reports are the same but
// for the queries listed.
func TestIPUserFinderChangesNothing(t *testing.T) {
	events, incidents := samples.Generated(t, synth.Options{Seed: 3, Events: 20000, Incidents: true})
	st, err := store.Open(filepath.Join(t.TempDir(), "scope.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Insert(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	inds := []indicator.Indicator{indicatorOf(indicator.User, busiestUser(events))}
	for _, inc := range incidents {
		inds = append(inds, indicatorOf(indicator.User, inc.UserID), indicatorOf(indicator.IP, inc.AttackerIP), indicatorOf(indicator.Session, inc.SessionIDs[0]))
	}
	mid := events[len(events)/2].Time
	windows := []backend.Window{{Reader: st}, {Reader: st, Since: mid.Add(-2 * time.Hour), Until: mid.Add(2 * time.Hour)}}
	for _, w := range windows {
		for _, ind := range inds {
			for _, depth := range []int{1, 2} {
				withFinder := mustRun(t, w, ind, depth)
				reading := mustRun(t, searchOnly{w}, ind, depth)
				withFinder.Queries, reading.Queries = nil, nil
				if !reflect.DeepEqual(withFinder, reading) {
					t.Errorf("%v depth %d, window %v–%v: reports differ (%d/%d events, %d/%d related)", ind, depth,
						w.Since, w.Until, withFinder.Events, reading.Events, len(withFinder.Related), len(reading.Related))
					for i := range withFinder.Related {
						if !reflect.DeepEqual(withFinder.Related[i], reading.Related[i]) {
							t.Logf("%+v\n%+v", withFinder.Related[i], reading.Related[i])
						}
					}
				}
				if ind == inds[0] && depth == 2 && w.Since.IsZero() && len(withFinder.Related) < 10 {
					t.Errorf("busiest user: %d related users; the test exercises little", len(withFinder.Related))
				}
			}
		}
	}
}

func mustRun(t *testing.T, s Searcher, ind indicator.Indicator, depth int) *Report {
	t.Helper()
	r, err := Run(context.Background(), s, ind, depth)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
