package detect

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/samples"
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

// decodeAll decodes events (keeping raws: callers must not reuse them).
func decodeAll(tb testing.TB, raws [][]byte) []*logevent.Event {
	tb.Helper()
	events := make([]*logevent.Event, 0, len(raws))
	for _, raw := range raws {
		ev, err := logevent.Decode(raw)
		if err != nil {
			tb.Fatal(err)
		}
		events = append(events, ev)
	}
	return events
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
	events, incidents := samples.Generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true})
	findings := runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events)
	want := map[synth.IncidentKind]string{
		synth.MFAPushFatigue:        "oktascope-mfa-fatigue",
		synth.SessionHijack:         "oktascope-session-hijack",
		synth.PasswordResetTakeover: "oktascope-recovery-takeover",
	}
	if len(incidents) != len(want) {
		t.Fatalf("%d incidents planted, want %d (one of each kind)", len(incidents), len(want))
	}
	detected := 0
	for _, inc := range incidents {
		rule, ok := want[inc.Kind]
		if !ok {
			t.Errorf("incident %s: no rule expected to find it", inc.Kind)
			continue
		}
		found := false
		for _, f := range findingsOf(findings, rule) {
			if f.Indicator.Value == inc.UserLogin || slices.Contains(inc.SessionIDs, f.Indicator.Value) {
				found = found || citesAny(f, inc.AttackerEventUUIDs)
			}
		}
		if !found {
			t.Errorf("%s against %s: no %s finding citing the attacker's events", inc.Kind, inc.UserLogin, rule)
			continue
		}
		detected++
	}
	if detected != len(want) {
		t.Errorf("%d of %d incidents detected", detected, len(want))
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

// TestBuiltinQuietOnBenignTraffic runs every built-in detection over 100k
// events of benign generated traffic (no incident planted), of an org as
// the article describes it and of a Classic Engine org: none fires.
func TestBuiltinQuietOnBenignTraffic(t *testing.T) {
	for _, classic := range []bool{false, true} {
		events, _ := samples.Generated(t, synth.Options{Seed: 9, Users: 200, Events: 100000, Classic: classic})
		if len(events) < 99000 {
			t.Fatalf("only %d events", len(events))
		}
		for _, f := range runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events) {
			t.Errorf("classic %v: %s fired on benign traffic: %s, %d events, %s", classic, f.Rule, f.Indicator.Value, f.Count, f.Message)
		}
	}
}

// TestBuiltinFindsImpossibleTravel plants the impossible-travel incident in
// orgs of both engines: the built-in finds it, citing the victim's sign-in
// and the attacker's.
func TestBuiltinFindsImpossibleTravel(t *testing.T) {
	for _, classic := range []bool{false, true} {
		events, incidents := samples.Generated(t, synth.Options{Seed: 6, Users: 60, Events: 15000, Travel: true, Classic: classic})
		if len(incidents) != 1 || incidents[0].Kind != synth.ImpossibleTravel {
			t.Fatalf("incidents %+v", incidents)
		}
		inc := incidents[0]
		byUUID := map[string]*logevent.Event{}
		for _, e := range events {
			byUUID[e.UUID] = e
		}
		findings := findingsOf(runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events), "oktascope-impossible-travel")
		found := false
		for _, f := range findings {
			if f.Indicator != (indicator.Indicator{Kind: indicator.User, Value: inc.UserLogin}) || len(f.UUIDs) != 2 {
				t.Fatalf("classic %v: finding %+v", classic, f)
			}
			// The victim's sign-in before the attacker's (the planted one at
			// home, or a later one of the victim's own), then the attacker's.
			from := byUUID[f.UUIDs[0]]
			found = found || (from.EventType == "user.session.start" && from.Actor.ID == inc.UserID && from.ClientIP() != inc.AttackerIP &&
				slices.Contains(inc.AttackerEventUUIDs, f.UUIDs[1]))
		}
		if !found {
			t.Errorf("classic %v: no impossible travel finding citing the planted sign-ins: %+v", classic, findings)
		}
	}
}

// failure builds a failed sign-in.
func failure(t *testing.T, n int, at time.Time, user, ip string) *logevent.Event {
	t.Helper()
	return signin(t, fmt.Sprintf("f%d", n), at, user, ip, "FAILURE")
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

// signin builds a user.session.start with the given outcome.
func signin(t *testing.T, id string, at time.Time, user, ip, result string) *logevent.Event {
	t.Helper()
	raw := fmt.Sprintf(`{"uuid":%q,"published":%q,"eventType":"user.session.start",
	 "actor":{"id":"00u-%s","type":"User","alternateId":%q},"client":{"ipAddress":%q},
	 "outcome":{"result":%q}}`, id, at.Format(time.RFC3339Nano), user, user, ip, result)
	ev, err := logevent.Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestSprayDiscountsUsersWhoSignIn checks that password spraying counts the
// failures of users who do not sign in from the address within the window,
// and only those.
func TestSprayDiscountsUsersWhoSignIn(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	const office, attacker, home = "192.0.2.40", "203.0.113.66", "198.51.100.7"
	th := DefaultThresholds()
	type attempt struct {
		user    int
		at      time.Duration
		ip      string
		success bool
	}
	tests := []struct {
		name      string
		attempts  []attempt
		wantCited []int // users whose failures the finding cites; nil: no finding
	}{
		{"office typos: every user gets in seconds later", func() []attempt {
			var out []attempt
			for u := range 8 {
				at := time.Duration(u) * time.Minute
				out = append(out, attempt{u, at, office, false}, attempt{u, at + 10*time.Second, office, true})
			}
			return out
		}(), nil},
		{"users signed in from the address before failing", func() []attempt {
			var out []attempt
			for u := range 8 {
				out = append(out, attempt{u, 0, office, true}, attempt{u, 20*time.Minute + time.Duration(u)*time.Second, office, false})
			}
			return out
		}(), nil},
		{"a spray in which one guess succeeds", func() []attempt {
			var out []attempt
			for u := range 6 {
				out = append(out, attempt{u, time.Duration(u) * time.Minute, attacker, false})
			}
			return append(out, attempt{5, 6 * time.Minute, attacker, true})
		}(), []int{0, 1, 2, 3, 4}},
		{"victims signing in from elsewhere do not answer", func() []attempt {
			var out []attempt
			for u := range 5 {
				out = append(out, attempt{u, time.Duration(u) * time.Minute, attacker, false}, attempt{u, 10 * time.Minute, home, true})
			}
			return out
		}(), []int{0, 1, 2, 3, 4}},
		{"a sign-in after the window does not answer", func() []attempt {
			var out []attempt
			for u := range 5 {
				out = append(out, attempt{u, time.Duration(u) * time.Minute, office, false})
			}
			return append(out, attempt{0, th.SprayWindow + 5*time.Minute, office, true})
		}(), []int{0, 1, 2, 3, 4}},
		{"four unanswered failures among office typos", func() []attempt {
			var out []attempt
			for u := range 10 {
				at := time.Duration(u) * time.Minute
				out = append(out, attempt{u, at, office, false})
				if u >= 4 {
					out = append(out, attempt{u, at + 30*time.Second, office, true})
				}
			}
			return out
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slices.SortStableFunc(tt.attempts, func(a, b attempt) int { return int(a.at - b.at) })
			var events []*logevent.Event
			want := map[string]bool{}
			for i, a := range tt.attempts {
				result, id := "FAILURE", fmt.Sprintf("e%d", i)
				if a.success {
					result = "SUCCESS"
				} else if slices.Contains(tt.wantCited, a.user) {
					want[id] = true
				}
				events = append(events, signin(t, id, start.Add(a.at), fmt.Sprintf("user%d@acme.example", a.user), a.ip, result))
			}
			got := findingsOf(runEngine(t, Options{Builtin: true, Thresholds: th}, events), sprayRuleID)
			switch {
			case tt.wantCited == nil && len(got) > 0:
				t.Fatalf("%d findings, want none: %+v", len(got), got)
			case tt.wantCited == nil:
				return
			case len(got) != 1:
				t.Fatalf("%d findings, want 1: %+v", len(got), got)
			}
			cited := map[string]bool{}
			for _, u := range got[0].UUIDs {
				cited[u] = true
			}
			if !maps.Equal(cited, want) {
				t.Errorf("cites %v, want %v", got[0].UUIDs, slices.Sorted(maps.Keys(want)))
			}
		})
	}
}

// TestDispatchLosesNothing runs the public rules over generated traffic and
// checks that the engine, which runs on each event only the rules its type
// does not rule out, cites exactly the events each rule matches when run
// on every event.
func TestDispatchLosesNothing(t *testing.T) {
	rules, errs := sigma.LoadDir("../../testdata/okta-samples/sigma-okta")
	okta, oktaErrs := oktarules.LoadQueries("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if len(errs)+len(oktaErrs) > 0 || len(rules) != 23 || len(okta) != 37 {
		t.Fatalf("loaded %d Sigma and %d Okta rules (want 23 and 37): %v %v", len(rules), len(okta), errs, oktaErrs)
	}
	events, _ := samples.Generated(t, synth.Options{Seed: 3, Users: 60, Events: 15000, Incidents: true})
	want := map[string][]string{} // rule → cited uuids, every rule run on every event
	for _, r := range rules {
		agg := sigma.NewAggregator(r)
		var found []sigma.Finding
		for _, ev := range events {
			found = append(found, agg.Add(ev)...)
		}
		for _, f := range append(found, agg.Flush()...) {
			want[r.ID] = append(want[r.ID], f.UUIDs...)
		}
	}
	for _, r := range okta {
		m := filter.Compile(r.Filter)
		for _, ev := range events {
			if m.Match(ev) {
				want[r.ID] = append(want[r.ID], ev.UUID)
			}
		}
	}
	got := map[string][]string{}
	for _, f := range runEngine(t, Options{Sigma: rules, Okta: okta}, events) {
		got[f.Rule] = append(got[f.Rule], f.UUIDs...)
	}
	for _, m := range []map[string][]string{want, got} {
		for rule := range m {
			slices.Sort(m[rule])
		}
	}
	t.Logf("%d of %d rules match some of %d events", len(want), len(rules)+len(okta), len(events))
	if len(want) < 5 {
		t.Fatalf("only %d rules matched anything: the comparison says little", len(want))
	}
	for rule, uuids := range want {
		if !slices.Equal(got[rule], uuids) {
			t.Errorf("%s: engine cites %d events, the rule matches %d", rule, len(got[rule]), len(uuids))
		}
	}
	for rule := range got {
		if _, ok := want[rule]; !ok {
			t.Errorf("%s: engine finding, but the rule matches nothing", rule)
		}
	}
}

// TestBuiltinPerEventRules checks the built-ins that judge single events:
// a sign-in through a proxy, a scripted user agent, and admin console
// access from an IP address the admin had not used before.
func TestBuiltinPerEventRules(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	event := func(n int, typ, user, ip, extra string) *logevent.Event {
		raw := fmt.Sprintf(`{"uuid":"e%d","published":%q,"eventType":%q,
		 "actor":{"id":"00u-%s","type":"User","alternateId":"%s@acme.example"},
		 "client":{"ipAddress":%q%s},"outcome":{"result":"SUCCESS"}}`,
			n, start.Add(time.Duration(n)*time.Minute).Format(time.RFC3339), typ, user, user, ip, extra)
		ev, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	const (
		start_, admin = "user.session.start", "user.session.access_admin_app"
		proxy         = `},"securityContext":{"isProxy":true`
		curl          = `,"userAgent":{"rawUserAgent":"curl/8.5.0"}`
		browser       = `,"userAgent":{"rawUserAgent":"Mozilla/5.0 (X11; Linux x86_64)"}`
	)
	tests := []struct {
		name   string
		events [][4]string // type, user, ip, extra JSON
		rule   string
		want   []string // uuids of the findings' events
	}{
		{"proxy sign-in", [][4]string{{start_, "ann", "192.0.2.1", proxy}}, "oktascope-proxy-signin", []string{"e0"}},
		{"no proxy", [][4]string{{start_, "ann", "192.0.2.1", ""}}, "oktascope-proxy-signin", nil},
		{"scripted agent", [][4]string{{start_, "ann", "192.0.2.1", curl}}, "oktascope-suspicious-user-agent", []string{"e0"}},
		{"browser", [][4]string{{start_, "ann", "192.0.2.1", browser}}, "oktascope-suspicious-user-agent", nil},
		{"admin from a new IP", [][4]string{
			{start_, "ann", "192.0.2.1", ""}, {admin, "ann", "192.0.2.1", ""}, {admin, "ann", "203.0.113.9", ""},
		}, "oktascope-admin-console-new-ip", []string{"e2"}},
		{"admin without history", [][4]string{{admin, "ann", "203.0.113.9", ""}}, "oktascope-admin-console-new-ip", nil},
		{"admin from a known IP", [][4]string{
			{start_, "ann", "192.0.2.1", ""}, {start_, "ann", "203.0.113.9", ""}, {admin, "ann", "203.0.113.9", ""},
		}, "oktascope-admin-console-new-ip", nil},
		{"another user's IP is new to this admin", [][4]string{
			{start_, "bob", "203.0.113.9", ""}, {start_, "ann", "192.0.2.1", ""}, {admin, "ann", "203.0.113.9", ""},
		}, "oktascope-admin-console-new-ip", []string{"e2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []*logevent.Event
			for i, e := range tt.events {
				events = append(events, event(i, e[0], e[1], e[2], e[3]))
			}
			var got []string
			for _, f := range findingsOf(runEngine(t, Options{Builtin: true, Thresholds: DefaultThresholds()}, events), tt.rule) {
				got = append(got, f.UUIDs...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s cites %v, want %v", tt.rule, got, tt.want)
			}
		})
	}
}

// TestGroupByManyFieldsIsStable runs a Sigma count rule grouped by two
// fields many times: the findings are the same every time, and name the
// user (groupPriority), whatever the order of the group-by.
func TestGroupByManyFieldsIsStable(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	orders := []string{"client.ipAddress, actor.alternateId", "actor.alternateId, client.ipAddress"}
	const runs = 50
	for _, groupBy := range orders {
		rule, err := sigma.Parse([]byte(`title: failures by user and address
id: test-user-ip
logsource: {product: okta, service: okta}
detection:
  selection:
    eventType: user.session.start
    outcome.result: FAILURE
  condition: selection | count() by ` + groupBy + ` >= 3
level: medium
`))
		if err != nil {
			t.Fatal(err)
		}
		var first []Finding
		for run := range runs {
			var events []*logevent.Event
			for i, who := range []struct{ user, ip string }{{"alice@acme.example", "198.51.100.1"}, {"bob@acme.example", "198.51.100.2"}} {
				for n := range 3 {
					events = append(events, failure(t, 10*i+n, start.Add(time.Duration(10*i+n)*time.Second), who.user, who.ip))
				}
			}
			findings := runEngine(t, Options{Sigma: []*sigma.Rule{rule}}, events)
			if len(findings) != 2 {
				t.Fatalf("by %s, run %d: %d findings, want 2", groupBy, run, len(findings))
			}
			for _, f := range findings {
				if f.Indicator.Kind != indicator.User || !strings.HasSuffix(f.Indicator.Value, "@acme.example") {
					t.Fatalf("by %s, run %d: indicator %v, want the user", groupBy, run, f.Indicator)
				}
			}
			if run == 0 {
				first = findings
			} else if !reflect.DeepEqual(findings, first) {
				t.Fatalf("by %s: run %d differs from run 0:\n%+v\n%+v", groupBy, run, findings, first)
			}
		}
	}
}

func TestGroupIndicator(t *testing.T) {
	tests := []struct {
		name    string
		groupBy []string
		want    indicator.Indicator
	}{
		{"an address alone", []string{"client.ipAddress"}, indicator.Indicator{Kind: indicator.IP, Value: "v:client.ipAddress"}},
		{"a user before an address", []string{"client.ipAddress", "actor.alternateId"}, indicator.Indicator{Kind: indicator.User, Value: "v:actor.alternateId"}},
		{"a login before an id", []string{"actor.id", "actor.alternateId"}, indicator.Indicator{Kind: indicator.User, Value: "v:actor.alternateId"}},
		{"a session before a user", []string{"actor.id", "authenticationContext.externalSessionId"}, indicator.Indicator{Kind: indicator.Session, Value: "v:authenticationContext.externalSessionId"}},
		{"paths in any case", []string{"Client.IPAddress"}, indicator.Indicator{Kind: indicator.IP, Value: "v:Client.IPAddress"}},
		{"another field: the first, by path", []string{"target.id", "eventType"}, indicator.Indicator{Kind: "target.id", Value: "v:target.id"}},
		{"no group-by", nil, indicator.Indicator{}},
	}
	if len(tests) != 7 {
		t.Fatalf("%d cases", len(tests))
	}
	for _, tt := range tests {
		group := map[string]string{}
		for _, p := range tt.groupBy {
			group[p] = "v:" + p
		}
		if got := groupIndicator(tt.groupBy, group); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
