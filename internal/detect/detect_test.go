package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/sigma"
	"github.com/oktascope/oktascope/internal/synth"
)

func runEngine(t *testing.T, opts Options, events []*logevent.Event) []Finding {
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		e.Add(ev)
	}
	return e.Finish()
}

func generated(t *testing.T, opts synth.Options) ([]*logevent.Event, []synth.Incident) {
	t.Helper()
	g := synth.New(opts)
	var events []*logevent.Event
	for raw, ok := g.Next(); ok; raw, ok = g.Next() {
		ev, err := logevent.Decode(append([]byte(nil), raw...))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	return events, g.Incidents()
}

func findingsOf(findings []Finding, rule string) []Finding {
	var out []Finding
	for _, f := range findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestBuiltinFindsPlantedIncidents(t *testing.T) {
	events, incidents := generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true})
	findings := runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events)
	want := map[synth.IncidentKind]string{
		synth.MFAPushFatigue:        "oktascope-mfa-fatigue",
		synth.SessionHijack:         "oktascope-session-hijack",
		synth.PasswordResetTakeover: "oktascope-recovery-takeover",
	}
	for _, inc := range incidents {
		rule := want[inc.Kind]
		found := false
		for _, f := range findingsOf(findings, rule) {
			if f.Indicator.Value == inc.UserLogin || slices.Contains(inc.SessionIDs, f.Indicator.Value) {
				found = found || citesAny(f, inc.AttackerEventUUIDs)
			}
		}
		if !found {
			t.Errorf("%s against %s: no %s finding citing the attacker's events", inc.Kind, inc.UserLogin, rule)
		}
	}
}

func citesAny(f Finding, uuids []string) bool {
	for _, u := range uuids {
		if slices.Contains(f.UUIDs, u) {
			return true
		}
	}
	return false
}

func TestBuiltinQuietOnBenignTraffic(t *testing.T) {
	events, _ := generated(t, synth.Options{Seed: 9, Users: 80, Events: 20000})
	findings := runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events)
	for _, rule := range []string{"oktascope-mfa-fatigue", "oktascope-session-hijack", "oktascope-recovery-takeover", "oktascope-password-spraying", "oktascope-distributed-brute-force"} {
		if got := findingsOf(findings, rule); len(got) > 0 {
			t.Errorf("%s fired %d times on benign traffic, first: %+v", rule, len(got), got[0])
		}
	}
}

// failure builds a failed sign-in.
func failure(t *testing.T, n int, at time.Time, user, ip string) *logevent.Event {
	raw := fmt.Sprintf(`{"uuid":"f%d","published":%q,"eventType":"user.session.start",
	 "actor":{"id":"00u%d","type":"User","alternateId":%q},"client":{"ipAddress":%q},
	 "outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"}}`, n, at.Format(time.RFC3339Nano), n, user, ip)
	ev, err := logevent.Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestSprayingAndBruteForce(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	th := DefaultThresholds()
	tests := []struct {
		name      string
		users     int
		ips       int
		spacing   time.Duration
		rule      string
		wantCount int
	}{
		{"spray: many users from one IP", th.SprayUsers, 1, time.Minute, "oktascope-password-spraying", 1},
		{"spray below the threshold", th.SprayUsers - 1, 1, time.Minute, "oktascope-password-spraying", 0},
		{"spray spread beyond the window", th.SprayUsers, 1, th.SprayWindow, "oktascope-password-spraying", 0},
		{"one user from many IPs", 1, th.SprayIPs, time.Minute, "oktascope-distributed-brute-force", 1},
		{"brute force: many failures for one user", 1, 1, 30 * time.Second, "oktascope-brute-force", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []*logevent.Event
			n := max(tt.users, tt.ips, th.BruteFailures)
			if tt.users > 1 || tt.ips > 1 {
				n = max(tt.users, tt.ips)
			}
			for i := range n {
				user := fmt.Sprintf("user%d@acme.example", i%tt.users)
				ip := fmt.Sprintf("203.0.113.%d", 10+i%tt.ips)
				events = append(events, failure(t, i, start.Add(time.Duration(i)*tt.spacing), user, ip))
			}
			got := findingsOf(runEngine(t, Options{Builtin: true, Thresholds: th}, events), tt.rule)
			if len(got) != tt.wantCount {
				t.Fatalf("%s: %d findings, want %d: %+v", tt.rule, len(got), tt.wantCount, got)
			}
			if tt.wantCount > 0 && len(got[0].UUIDs) < min(th.SprayUsers, th.SprayIPs) {
				t.Errorf("finding cites %d events", len(got[0].UUIDs))
			}
		})
	}
}

func TestPublishedRulesRun(t *testing.T) {
	rules, errs := sigma.LoadDir("../../testdata/okta-samples/sigma-okta")
	if len(errs) > 0 || len(rules) != 23 {
		t.Fatalf("loaded %d Sigma rules, errors %v", len(rules), errs)
	}
	okta, errs := oktarules.LoadQueries("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if len(errs) > 0 || len(okta) != 37 {
		t.Fatalf("loaded %d Okta rules, errors %v", len(okta), errs)
	}
	proxy := `{"uuid":"p1","published":"2024-05-01T10:00:00Z","eventType":"user.session.start",
	 "actor":{"id":"00uP","type":"User","alternateId":"p@acme.example"},"securityContext":{"isProxy":true},"outcome":{"result":"SUCCESS"}}`
	ev, err := logevent.Decode([]byte(proxy))
	if err != nil {
		t.Fatal(err)
	}
	findings := runEngine(t, Options{Sigma: rules, Okta: okta}, []*logevent.Event{ev})
	ids := map[string]bool{}
	for _, f := range findings {
		ids[f.Rule] = true
		if f.Indicator.Value != "p@acme.example" || !slices.Equal(f.UUIDs, []string{"p1"}) {
			t.Errorf("finding %s: indicator %v, uuids %v", f.Rule, f.Indicator, f.UUIDs)
		}
	}
	if !ids["bde30855-5c53-4c18-ae90-1ff79ebc9578"] {
		t.Errorf("the Sigma proxy rule did not fire; findings: %v", ids)
	}
}
