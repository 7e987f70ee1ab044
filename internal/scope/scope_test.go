package scope

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/scope/scopetest"

	"github.com/oktascope/oktascope/internal/indicator"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// relatedIDs returns "id@depth followed? via" for the related users.
func relatedIDs(r *Report) []string {
	var out []string
	for _, u := range r.Related {
		var via []string
		for _, l := range u.Via {
			via = append(via, string(l.Kind)+":"+l.Value)
		}
		f := ""
		if u.Followed {
			f = " followed"
		}
		out = append(out, u.ID+"@"+string(rune('0'+u.Depth))+f+" "+strings.Join(via, ","))
	}
	return out
}

func userIDs(users []UserSummary) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.ID)
	}
	return out
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		ind        indicator.Indicator
		depth      int
		searches   int
		users      []string
		related    []string
		sessions   []string
		ips        []string
		events     int
		deviations []timeline.DeviationKind
	}{
		{
			name: "user, depth 1", ind: indicatorOf(indicator.User, alice.id), depth: 1, searches: 2,
			users:    []string{alice.id},
			related:  []string{"00ubob@1 ip:192.0.2.10", "00umal@1 ip:198.51.100.20"},
			sessions: []string{"102A1", "102A2", "102ADM"},
			ips:      []string{"192.0.2.10", "198.18.0.10", "192.0.2.80", "198.51.100.20"},
			events:   11, deviations: []timeline.DeviationKind{timeline.SessionHijack, timeline.Denied},
		},
		{
			// A user indicator holds an id: callers resolve a login first
			// (indicator.Resolve); scope never matches alternateId with it.
			name: "an unresolved login matches nothing", ind: indicatorOf(indicator.User, alice.login), depth: 1, searches: 1,
		},
		{
			name: "user, depth 2 follows bob and mallory and finds dave", ind: indicatorOf(indicator.User, alice.id), depth: 2, searches: 4,
			users:    []string{alice.id},
			related:  []string{"00ubob@1 followed ip:192.0.2.10", "00umal@1 followed ip:198.51.100.20", "00udave@2 ip:198.18.1.20"},
			sessions: []string{"102A1", "102M1", "102A2", "102B1", "102B2", "102ADM"},
			ips:      []string{"192.0.2.10", "198.18.0.10", "198.51.100.20", "198.18.1.20", "192.0.2.80"},
			events:   20, deviations: []timeline.DeviationKind{timeline.SessionHijack, timeline.Denied},
		},
		{
			name: "ip, depth 1: its users and their sessions", ind: indicatorOf(indicator.IP, office.ip), depth: 1, searches: 2,
			users:    []string{alice.id, bob.id},
			sessions: []string{"102A2", "102B1"},
			ips:      []string{"192.0.2.10"},
			events:   8, deviations: []timeline.DeviationKind{timeline.Denied},
		},
		{
			name: "ip, depth 2: its users' events too", ind: indicatorOf(indicator.IP, office.ip), depth: 2, searches: 4,
			users:    []string{alice.id, bob.id},
			related:  []string{"00udave@2 ip:198.18.1.20", "00umal@2 ip:198.51.100.20"},
			sessions: []string{"102A1", "102A2", "102B1", "102B2", "102ADM"},
			ips:      []string{"192.0.2.10", "198.18.0.10", "198.18.1.20", "192.0.2.80", "198.51.100.20"},
			events:   17, deviations: []timeline.DeviationKind{timeline.SessionHijack, timeline.Denied},
		},
		{
			name: "session, depth 1: the hijacked session", ind: indicatorOf(indicator.Session, "102A1"), depth: 1, searches: 2,
			users:    []string{alice.id},
			related:  []string{"00umal@1 ip:198.51.100.20"},
			sessions: []string{"102A1"},
			ips:      []string{"198.18.0.10", "198.51.100.20"},
			events:   5, deviations: []timeline.DeviationKind{timeline.SessionHijack},
		},
		{
			name: "unknown value", ind: indicatorOf(indicator.IP, "203.0.113.99"), depth: 2, searches: 1,
		},
		{
			name: "a value cannot change the filter", ind: indicatorOf(indicator.User, `x" or eventType pr or actor.id eq "y`), depth: 1, searches: 1,
		},
	}
	if len(tests) != 8 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scopetest.Searcher{Events: org(t)}
			r, err := Run(context.Background(), s, tt.ind, tt.depth)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Queries) != tt.searches || len(r.Queries) != tt.searches {
				t.Errorf("%d searches (%d in report), want %d: %q", len(s.Queries), len(r.Queries), tt.searches, s.Queries)
			}
			check := func(what string, got, want []string) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("users", userIDs(r.Users), tt.users)
			check("related", relatedIDs(r), tt.related)
			var sessions, ips []string
			for _, x := range r.Sessions {
				sessions = append(sessions, x.ID)
			}
			for _, x := range r.IPs {
				ips = append(ips, x.Address)
			}
			check("sessions", sessions, tt.sessions)
			check("ips", ips, tt.ips)
			if r.Events != tt.events {
				t.Errorf("events = %d, want %d", r.Events, tt.events)
			}
			var kinds []timeline.DeviationKind
			for _, d := range r.Deviations {
				kinds = append(kinds, d.Kind)
			}
			if !reflect.DeepEqual(kinds, tt.deviations) {
				t.Errorf("deviations = %v, want %v", kinds, tt.deviations)
			}
		})
	}
}

// TestDetails checks the summaries of a user's scope.
func TestDetails(t *testing.T) {
	r, err := Run(context.Background(), &scopetest.Searcher{Events: org(t)}, indicatorOf(indicator.User, alice.id), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Users[0]; got.AlternateID != alice.login || got.DisplayName != alice.name || got.Events != 11 {
		t.Errorf("user = %+v", got)
	}
	ip := r.IPs[slices.IndexFunc(r.IPs, func(x IPSummary) bool { return x.Address == attacker.ip })]
	want := IPSummary{Address: attacker.ip, City: "Amsterdam", State: "CA", Country: "Netherlands", ASN: 9009,
		ASOrg: "m247 europe srl", ISP: "m247 europe srl isp", IsProxy: true, Zone: "null", Events: 1,
		First: ip.First, Last: ip.Last, Users: []string{alice.login}}
	if !reflect.DeepEqual(ip, want) {
		t.Errorf("attacker IP = %+v\nwant %+v", ip, want)
	}
	if s := r.Sessions[0]; s.ID != "102A1" || s.Events != 5 || !slices.Equal(s.IPs, []string{home.ip, attacker.ip}) || len(s.UserAgents) != 2 {
		t.Errorf("session = %+v", s)
	}
	apps := map[string]AppSummary{}
	for _, a := range r.Apps {
		apps[a.AlternateID] = a
	}
	if apps["salesforce"].Granted != 1 || apps["aws"].Denied != 1 || apps["github"].Name != "github app" {
		t.Errorf("apps = %+v", r.Apps)
	}
	if len(r.Devices) != 1 || r.Devices[0].Name != "iPhone 15" || !r.Devices[0].Registered {
		t.Errorf("devices = %+v", r.Devices)
	}
	if len(r.UserAgents) != 4 {
		t.Errorf("user agents = %+v", r.UserAgents)
	}
	if r.EventTypes[0] != (Count{"user.authentication.sso", 2}) && r.EventTypes[0].Count < 2 {
		t.Errorf("event types = %+v", r.EventTypes)
	}
	if r.Outcomes[0] != (Count{"SUCCESS", 11}) {
		t.Errorf("outcomes = %+v", r.Outcomes)
	}
	if r.FirstSeen.IsZero() || !r.LastSeen.After(r.FirstSeen) {
		t.Errorf("first %v last %v", r.FirstSeen, r.LastSeen)
	}
	hijack := r.Deviations[0]
	if hijack.Session != "102A1" || hijack.User != alice.login || hijack.FlowKind != timeline.KindAppSignin {
		t.Errorf("hijack = %+v", hijack)
	}
}

// TestBatchesAndLimits checks batching and the follow limit.
func TestBatchesAndLimits(t *testing.T) {
	s := &scopetest.Searcher{Events: org(t)}
	r, err := RunOptions(context.Background(), s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, BatchSize: 2, MaxFollow: 1})
	if err != nil {
		t.Fatal(err)
	}
	// indicator 1; pivot: alice's 3 IPs and 2 sessions (not the administrator's)
	// = 5 links → 3 searches; follow 1 user (bob: as connected as mallory, with
	// more events seen) → 1; pivot of his 2 new sessions and 1 new IP → 2.
	if len(s.Queries) != 7 {
		t.Errorf("%d searches: %q", len(s.Queries), s.Queries)
	}
	if r.NotFollowed != 1 {
		t.Errorf("not followed = %d", r.NotFollowed)
	}
	for _, q := range s.Queries {
		q, _, _ = strings.Cut(q, " and not ") // the users already read
		if strings.Count(q, " eq ") > 4 {
			t.Errorf("batch too large: %s", q)
		}
	}
}

// TestErrors checks validation, searcher errors and cancellation.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	for _, ind := range []indicator.Indicator{{Kind: "host", Value: "x"}, indicatorOf(indicator.User, " ")} {
		if _, err := Run(ctx, &scopetest.Searcher{}, ind, 1); err == nil {
			t.Errorf("%v: no error", ind)
		}
	}
	boom := errors.New("boom")
	if _, err := Run(ctx, failing{boom}, indicatorOf(indicator.IP, "1.2.3.4"), 1); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Run(cancelled, &scopetest.Searcher{Events: org(t)}, indicatorOf(indicator.User, alice.id), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

type failing struct{ err error }

func (f failing) Search(context.Context, filter.Expr, func(*logevent.Event) error) error {
	return f.err
}

// TestSharedLinksAreNotFollowed checks that users reached only through an
// address or session with more than MaxShared users are listed, not
// followed, and that the report names those links.
func TestSharedLinksAreNotFollowed(t *testing.T) {
	ctx := context.Background()
	s := &scopetest.Searcher{Events: org(t)}
	open, err := RunOptions(ctx, s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, MaxShared: -1})
	if err != nil {
		t.Fatal(err)
	}
	narrow, err := RunOptions(ctx, s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, MaxShared: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(open.Shared) != 0 || !slices.ContainsFunc(open.Related, func(u UserSummary) bool { return u.Followed }) {
		t.Fatalf("no limit: shared %v, related %+v", open.Shared, open.Related)
	}
	for _, u := range narrow.Related {
		if u.Followed {
			t.Errorf("%s followed through links of two users", u.ID)
		}
	}
	office := SharedLink{ipLink(office.ip), 2} // alice and bob
	if !slices.Contains(narrow.Shared, office) {
		t.Errorf("shared = %v, want %v among them", narrow.Shared, office)
	}
	if narrow.Events >= open.Events || len(narrow.Related) == 0 {
		t.Errorf("events %d (no limit: %d), related %d", narrow.Events, open.Events, len(narrow.Related))
	}
}

// TestMaxEventsCaps checks that a scope stops reading events at
// Options.MaxEvents, runs no search after, and says so in its report.
func TestMaxEventsCaps(t *testing.T) {
	ctx := context.Background()
	events := org(t)
	full, err := RunOptions(ctx, &scopetest.Searcher{Events: events}, indicatorOf(indicator.User, alice.id), Options{Depth: 2, MaxEvents: -1})
	if err != nil {
		t.Fatal(err)
	}
	if full.CappedAt != 0 || full.Events < 10 {
		t.Fatalf("uncapped report: %d events, capped at %d", full.Events, full.CappedAt)
	}
	s := &scopetest.Searcher{Events: events}
	capped, err := RunOptions(ctx, s, indicatorOf(indicator.User, alice.id), Options{Depth: 2, MaxEvents: 3})
	if err != nil {
		t.Fatal(err)
	}
	if capped.Events != 3 || capped.CappedAt != 3 {
		t.Errorf("capped report: %d events, capped at %d; want 3, 3", capped.Events, capped.CappedAt)
	}
	if len(s.Queries) != 1 || len(capped.Queries) != 1 {
		t.Errorf("searches after the cap: %d run, %d reported; want 1", len(s.Queries), len(capped.Queries))
	}
}
