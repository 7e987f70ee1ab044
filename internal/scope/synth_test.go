package scope

import (
	"context"
	"slices"
	"testing"

	"github.com/oktascope/oktascope/internal/scope/scopetest"

	"github.com/oktascope/oktascope/internal/indicator"

	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// TestSynthIncidents scopes each planted incident of a generated log from
// its victim, its session and its attacker's address: the deviation of the
// incident is in the report, and the attacker's address leads to the
// victim.
func TestSynthIncidents(t *testing.T) {
	events, incidents := samples.Generated(t, synth.Options{Seed: 11, Events: 8000, Incidents: true})
	want := map[synth.IncidentKind]timeline.DeviationKind{
		synth.MFAPushFatigue:        timeline.MFAFatigue,
		synth.PasswordResetTakeover: timeline.RecoveryTakeover,
		synth.SessionHijack:         timeline.SessionHijack,
	}
	s := &scopetest.Searcher{Events: events}
	for _, inc := range incidents {
		for _, ind := range []indicator.Indicator{indicatorOf(indicator.User, inc.UserID), indicatorOf(indicator.Session, inc.SessionIDs[0]), indicatorOf(indicator.IP, inc.AttackerIP)} {
			r, err := Run(context.Background(), s, ind, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(r.Deviations, func(d Deviation) bool { return d.Kind == want[inc.Kind] }) {
				t.Errorf("%s, scope of %v: no %s deviation in %+v", inc.Kind, ind, want[inc.Kind], r.Deviations)
			}
			all := append(slices.Clone(r.Users), r.Related...)
			if !slices.ContainsFunc(all, func(u UserSummary) bool { return u.ID == inc.UserID }) {
				t.Errorf("%s, scope of %v: victim %s not among the users", inc.Kind, ind, inc.UserLogin)
			}
			if len(r.Queries) > 4 {
				t.Errorf("%s, scope of %v: %d searches", inc.Kind, ind, len(r.Queries))
			}
		}
	}
}
