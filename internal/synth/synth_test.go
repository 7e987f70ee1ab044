package synth

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	json "github.com/goccy/go-json"
)

// articleEventTypes are the event types the Okta article names.
var articleEventTypes = []string{
	"user.session.start", "policy.evaluate_sign_on", "user.authentication.verify",
	"application.policy.sign_on.deny_access", "user.authentication.sso",
	"user.authentication.auth_via_mfa", "user.mfa.factor.activate",
	"system.push.send_factor_verify_push", "system.email.send_factor_verify_message",
	"system.sms.send_factor_verify_message", "system.sms.send_phone_verification_message",
	"system.voice.send_mfa_challenge_call", "system.voice.send_phone_verification_call",
	"system.email.password_reset.sent_message", "system.sms.send_password_reset_message",
	"system.voice.send_password_reset_call", "user.account.reset_password",
	"user.account.update_password", "system.email.account_unlock.sent_message",
	"system.sms.send_account_unlock_message", "system.voice.send_account_unlock_call",
	"user.account.unlock_token", "user.account.unlock", "user.session.end",
	"user.authentication.slo", "user.mfa.factor.deactivate", "user.mfa.factor.reset_all",
	"user.mfa.factor.suspend", "user.mfa.factor.unsuspend", "user.mfa.factor.update",
}

// mfaEventTypes are the article's "Multifactor authentication" events.
var mfaEventTypes = []string{
	"user.authentication.auth_via_mfa", "user.mfa.factor.activate",
	"system.push.send_factor_verify_push", "system.email.send_factor_verify_message",
	"system.sms.send_factor_verify_message", "system.sms.send_phone_verification_message",
	"system.voice.send_mfa_challenge_call", "system.voice.send_phone_verification_call",
}

// logEvent holds the fields the tests inspect.
type logEvent struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Version   string `json:"version"`
	Severity  string `json:"severity"`
	Actor     struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		AlternateID string `json:"alternateId"`
	} `json:"actor"`
	Client struct {
		IPAddress *string `json:"ipAddress"`
		UserAgent *struct {
			RawUserAgent string `json:"rawUserAgent"`
		} `json:"userAgent"`
		GeographicalContext *struct {
			Country     string `json:"country"`
			Geolocation struct {
				Lat, Lon float64
			} `json:"geolocation"`
		} `json:"geographicalContext"`
	} `json:"client"`
	Transaction struct {
		ID string `json:"id"`
	} `json:"transaction"`
	AuthenticationContext struct {
		ExternalSessionID string `json:"externalSessionId"`
	} `json:"authenticationContext"`
	Outcome struct {
		Result string  `json:"result"`
		Reason *string `json:"reason"`
	} `json:"outcome"`
	SecurityContext struct {
		AsNumber *int `json:"asNumber"`
	} `json:"securityContext"`
	DebugContext struct {
		DebugData map[string]string `json:"debugData"`
	} `json:"debugContext"`
	Target []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"target"`
	line int
}

func (e *logEvent) ip() string {
	if e.Client.IPAddress == nil {
		return ""
	}
	return *e.Client.IPAddress
}

func (e *logEvent) userAgent() string {
	if e.Client.UserAgent == nil {
		return ""
	}
	return e.Client.UserAgent.RawUserAgent
}

// userID is the user the event is about: the actor, or for Okta System
// actors the first target.
func (e *logEvent) userID() string {
	if e.Actor.Type == "SystemPrincipal" && len(e.Target) > 0 {
		return e.Target[0].ID
	}
	return e.Actor.ID
}

func (e *logEvent) inSession() bool {
	id := e.AuthenticationContext.ExternalSessionID
	return strings.HasPrefix(id, "102") || strings.HasPrefix(id, "idx")
}

// run is a generated log: its raw lines, its parsed events and ground truth.
type run struct {
	opts      Options
	lines     [][]byte
	events    []logEvent
	incidents []Incident
	planted   map[string]bool // uuids of incident events
}

func generate(t testing.TB, opts Options) *run {
	t.Helper()
	g := New(opts)
	r := &run{opts: g.Options(), incidents: g.Incidents(), planted: map[string]bool{}}
	for line, ok := g.Next(); ok; line, ok = g.Next() {
		r.lines = append(r.lines, bytes.Clone(line))
	}
	r.events = make([]logEvent, len(r.lines))
	for i, line := range r.lines {
		if err := json.Unmarshal(line, &r.events[i]); err != nil {
			t.Fatalf("line %d is not valid JSON: %v\n%s", i+1, err, line)
		}
		r.events[i].line = i + 1
	}
	for _, inc := range r.incidents {
		for _, id := range inc.EventUUIDs {
			r.planted[id] = true
		}
	}
	return r
}

// benign returns the events no incident planted.
func (r *run) benign() []*logEvent {
	var out []*logEvent
	for i := range r.events {
		if !r.planted[r.events[i].UUID] {
			out = append(out, &r.events[i])
		}
	}
	return out
}

var (
	sharedRunOnce sync.Once
	sharedRun     *run
)

// standardRun is a 20,000-event log with incidents, shared by the tests.
func standardRun(t *testing.T) *run {
	sharedRunOnce.Do(func() { sharedRun = generate(t, Options{Seed: 1, Events: 20000, Incidents: true}) })
	return sharedRun
}

func digest(t *testing.T, opts Options) [32]byte {
	h := sha256.New()
	if _, err := New(opts).WriteTo(h); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

func TestSameOptionsGiveIdenticalOutput(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"defaults", Options{}},
		{"seed 42 with incidents", Options{Seed: 42, Events: 5000, Incidents: true}},
		{"dense hour", Options{Seed: 7, Events: 20000, Duration: time.Hour}},
		{"custom start", Options{Seed: 3, Events: 3000, Start: time.Date(2024, 6, 1, 12, 30, 0, 0, time.FixedZone("x", 3600))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := digest(t, tc.opts), digest(t, tc.opts); a != b {
				t.Fatal("two runs with the same options differ")
			}
		})
	}
	t.Run("another seed differs", func(t *testing.T) {
		if digest(t, Options{Seed: 1, Events: 2000}) == digest(t, Options{Seed: 2, Events: 2000}) {
			t.Fatal("seeds 1 and 2 give the same output")
		}
	})
}

var (
	uuidPattern      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	publishedPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	sessionPattern   = regexp.MustCompile(`^(102|idx|trs)[A-Za-z0-9_-]{22}$|^unknown$`)
	userIDPattern    = regexp.MustCompile(`^00u[A-Za-z0-9]{17}$`)
)

// apiKeyOrder is the key order of LogEvents returned by /api/v1/logs.
var apiKeyOrder = []string{
	"actor", "client", "device", "authenticationContext", "displayMessage", "eventType",
	"outcome", "published", "securityContext", "severity", "debugContext",
	"legacyEventType", "transaction", "uuid", "version", "request", "target",
}

func TestEveryLineIsAnOktaLogEvent(t *testing.T) {
	r := standardRun(t)
	seen := map[string]bool{}
	for i := range r.events {
		e := &r.events[i]
		checks := []struct {
			ok   bool
			what string
		}{
			{uuidPattern.MatchString(e.UUID), "uuid is a version 1 UUID"},
			{!seen[e.UUID], "uuid is unique"},
			{publishedPattern.MatchString(e.Published), "published is RFC 3339 UTC with milliseconds"},
			{e.EventType != "", "eventType is set"},
			{e.Version == "0", `version is "0"`},
			{e.Severity == "INFO" || e.Severity == "WARN", "severity is INFO or WARN"},
			{sessionPattern.MatchString(e.AuthenticationContext.ExternalSessionID), "externalSessionId has Okta's shape"},
			{e.DebugContext.DebugData["requestId"] != "", "debugData has a requestId"},
			{e.Actor.Type != "User" || userIDPattern.MatchString(e.Actor.ID), "user actors have 00u ids"},
		}
		for _, c := range checks {
			if !c.ok {
				t.Fatalf("line %d: %s: %s", e.line, c.what, r.lines[i])
			}
		}
		seen[e.UUID] = true
	}
}

func TestKeysAreInOktaAPIOrder(t *testing.T) {
	r := standardRun(t)
	for i, line := range r.lines[:2000] {
		dec := json.NewDecoder(bytes.NewReader(line))
		var keys []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, key.(string))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(keys, apiKeyOrder) {
			t.Fatalf("line %d keys %v, want %v", i+1, keys, apiKeyOrder)
		}
	}
}

func TestPublishedIsNonDecreasingAndWithinTheWindow(t *testing.T) {
	cases := []Options{
		{Seed: 1, Events: 20000, Incidents: true},
		{Seed: 5, Events: 20000, Duration: time.Hour, Incidents: true},
		{Seed: 9, Events: 3000, Duration: 7 * 24 * time.Hour, Incidents: true},
	}
	for _, opts := range cases {
		t.Run(fmt.Sprint(opts.Duration), func(t *testing.T) {
			r := generate(t, opts)
			start, end := r.opts.Start, r.opts.Start.Add(r.opts.Duration)
			var previous time.Time
			for _, e := range r.events {
				at, err := time.Parse(time.RFC3339Nano, e.Published)
				if err != nil {
					t.Fatal(err)
				}
				if at.Before(previous) {
					t.Fatalf("line %d: published %s before the previous event", e.line, e.Published)
				}
				if at.Before(start) || !at.Before(end) {
					t.Fatalf("line %d: published %s outside [%s, %s)", e.line, e.Published, start, end)
				}
				previous = at
			}
		})
	}
}

func TestEventCountIsNearTheTarget(t *testing.T) {
	cases := []struct {
		events   int
		duration time.Duration
	}{
		{2000, 24 * time.Hour}, {20000, 24 * time.Hour}, {50000, time.Hour}, {10000, 7 * 24 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d in %s", tc.events, tc.duration), func(t *testing.T) {
			g := New(Options{Seed: 11, Events: tc.events, Duration: tc.duration})
			n := 0
			for _, ok := g.Next(); ok; _, ok = g.Next() {
				n++
			}
			if diff := float64(n-tc.events) / float64(tc.events); diff < -0.1 || diff > 0.1 {
				t.Fatalf("got %d events, want %d ±10%%", n, tc.events)
			}
		})
	}
}

func TestEveryArticleEventTypeAppears(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := New(Options{Seed: seed, Events: 20000})
			counts := map[string]int{}
			for line, ok := g.Next(); ok; line, ok = g.Next() {
				var e struct {
					EventType string `json:"eventType"`
				}
				if err := json.Unmarshal(line, &e); err != nil {
					t.Fatal(err)
				}
				counts[e.EventType]++
			}
			for _, want := range articleEventTypes {
				if counts[want] == 0 {
					t.Errorf("no %s in 20,000 events", want)
				}
			}
		})
	}
}

// sessionChecker follows one benign session through the article's sequences.
type sessionChecker struct {
	types        []string
	ips, agents  map[string]bool
	pushes       int
	mfaFailures  int
	phase        int // 0 before start, 1 signing in, 2 in session, 3 ended
	sawMFA       bool
	policyResult string
	verifying    bool // MFA verification events awaiting an app sign-in
}

func (c *sessionChecker) step(e *logEvent) error {
	c.ips[e.ip()], c.agents[e.userAgent()] = true, true
	if e.EventType == "system.push.send_factor_verify_push" {
		c.pushes++
	}
	if e.EventType == "user.authentication.auth_via_mfa" && e.Outcome.Result == "FAILURE" {
		c.mfaFailures++
	}
	if !slices.Contains(articleEventTypes, e.EventType) {
		return nil
	}
	c.types = append(c.types, e.EventType)
	switch c.phase {
	case 0:
		return c.expectStart(e)
	case 1:
		return c.signingIn(e)
	case 2:
		return c.inSession(e)
	}
	return fmt.Errorf("%s after user.session.end", e.EventType)
}

func (c *sessionChecker) expectStart(e *logEvent) error {
	if e.EventType != "user.session.start" || e.Outcome.Result != "SUCCESS" {
		return fmt.Errorf("session begins with %s %s", e.EventType, e.Outcome.Result)
	}
	c.phase = 1
	return nil
}

func (c *sessionChecker) signingIn(e *logEvent) error {
	n := len(c.types)
	switch {
	case n == 2:
		if e.EventType != "policy.evaluate_sign_on" {
			return fmt.Errorf("user.session.start followed by %s", e.EventType)
		}
		c.policyResult = e.Outcome.Result
	case slices.Contains(mfaEventTypes, e.EventType):
		c.sawMFA = true
	case e.EventType == "user.authentication.verify":
		if want := map[bool]string{true: "CHALLENGE", false: "ALLOW"}[c.sawMFA]; c.policyResult != want {
			return fmt.Errorf("policy %s but MFA events: %v", c.policyResult, c.sawMFA)
		}
		c.phase = 2
	default:
		return fmt.Errorf("%s between policy.evaluate_sign_on and user.authentication.verify", e.EventType)
	}
	return nil
}

func (c *sessionChecker) inSession(e *logEvent) error {
	switch e.EventType {
	case "user.authentication.sso":
		c.verifying = false
		return nil
	case "user.authentication.auth_via_mfa", "system.push.send_factor_verify_push", "system.email.send_factor_verify_message",
		"system.sms.send_factor_verify_message", "system.voice.send_phone_verification_call":
		c.verifying = true
		return nil
	}
	if c.verifying {
		return fmt.Errorf("MFA verification followed by %s, not user.authentication.sso", e.EventType)
	}
	switch e.EventType {
	case "user.session.end":
		c.phase = 3
	case "user.session.start", "policy.evaluate_sign_on", "user.authentication.verify":
		return fmt.Errorf("second %s in one session", e.EventType)
	}
	return nil
}

func TestBenignSessionsFollowTheArticleSequences(t *testing.T) {
	r := standardRun(t)
	sessions := map[string]*sessionChecker{}
	for _, e := range r.benign() {
		if !e.inSession() {
			continue
		}
		id := e.AuthenticationContext.ExternalSessionID
		c := sessions[id]
		if c == nil {
			c = &sessionChecker{ips: map[string]bool{}, agents: map[string]bool{}}
			sessions[id] = c
		}
		if err := c.step(e); err != nil {
			t.Fatalf("session %s line %d: %v (so far %v)", id, e.line, err, c.types)
		}
	}
	if len(sessions) < 1000 {
		t.Fatalf("only %d sessions", len(sessions))
	}
	for id, c := range sessions {
		switch {
		case c.phase < 2:
			t.Errorf("session %s never completed its sign-in: %v", id, c.types)
		case len(c.ips) != 1 || len(c.agents) != 1:
			t.Errorf("session %s used %d IPs and %d user agents", id, len(c.ips), len(c.agents))
		case c.pushes > 2:
			t.Errorf("session %s sent %d pushes", id, c.pushes)
		case c.mfaFailures > 1:
			t.Errorf("session %s has %d failed MFA attempts", id, c.mfaFailures)
		}
	}
}

// recoverySequences are the article's SSPR and SSU sequences after their
// first step, keyed by that step.
var recoverySequences = map[string][]string{
	"system.email.password_reset.sent_message": {"user.account.reset_password", "user.account.update_password"},
	"system.sms.send_password_reset_message":   {"user.account.reset_password", "user.account.update_password"},
	"system.voice.send_password_reset_call":    {"user.account.reset_password", "user.account.update_password"},
	"system.email.account_unlock.sent_message": {"user.account.unlock_token", "user.account.unlock"},
	"system.sms.send_account_unlock_message":   {"user.account.unlock_token", "user.account.unlock"},
	"system.voice.send_account_unlock_call":    {"user.account.unlock_token", "user.account.unlock"},
}

// recoveryState is one user's recovery in progress.
type recoveryState struct {
	remaining []string // steps still expected
	ip        string
	doneAt    time.Time // the last step, awaiting the sign-in
}

func TestBenignRecoveriesFollowTheArticleSequences(t *testing.T) {
	r := standardRun(t)
	states := map[string]*recoveryState{}
	completed := map[string]int{}
	for _, e := range r.benign() {
		if err := stepRecovery(states, completed, e); err != nil {
			t.Fatalf("line %d %s: %v", e.line, e.EventType, err)
		}
	}
	for user, st := range states {
		t.Errorf("user %s left a recovery unfinished: %+v", user, st)
	}
	for first := range recoverySequences {
		if completed[first] == 0 {
			t.Errorf("no completed recovery starting with %s", first)
		}
	}
}

func stepRecovery(states map[string]*recoveryState, completed map[string]int, e *logEvent) error {
	user := e.userID()
	st := states[user]
	if _, first := recoverySequences[e.EventType]; first {
		if st != nil {
			return fmt.Errorf("a second recovery while one is in progress")
		}
		if e.inSession() || len(e.Target) == 0 || e.Target[0].ID != user {
			return fmt.Errorf("recovery message in a session or not targeting the user")
		}
		states[user] = &recoveryState{remaining: slices.Clone(recoverySequences[e.EventType]), ip: e.ip()}
		completed[e.EventType]++
		return nil
	}
	if st == nil {
		if slices.Contains([]string{"user.account.reset_password", "user.account.update_password", "user.account.unlock_token", "user.account.unlock"}, e.EventType) {
			return fmt.Errorf("recovery step without its first step")
		}
		return nil
	}
	return st.step(states, user, e)
}

func (st *recoveryState) step(states map[string]*recoveryState, user string, e *logEvent) error {
	if len(st.remaining) > 0 && e.EventType == st.remaining[0] {
		if e.ip() != st.ip || e.inSession() {
			return fmt.Errorf("recovery step from another client or in a session")
		}
		st.remaining = st.remaining[1:]
		st.doneAt, _ = time.Parse(time.RFC3339Nano, e.Published)
		return nil
	}
	if e.EventType == "user.session.start" && e.Outcome.Result == "SUCCESS" {
		at, _ := time.Parse(time.RFC3339Nano, e.Published)
		if len(st.remaining) > 0 || e.ip() != st.ip || at.Sub(st.doneAt) > time.Minute {
			return fmt.Errorf("sign-in before the recovery completed, or not right after it")
		}
		delete(states, user)
	}
	return nil
}

func TestBenignUsersStayInTheirHomeCountries(t *testing.T) {
	r := standardRun(t)
	attackerASNs := map[int]bool{}
	for _, site := range attackerSites {
		attackerASNs[site.network.asn] = true
	}
	home := map[string]bool{}
	for _, c := range homeCountries {
		home[c.name] = true
	}
	for _, e := range r.benign() {
		if geo := e.Client.GeographicalContext; geo != nil && !home[geo.Country] {
			t.Fatalf("line %d: benign event from %s", e.line, geo.Country)
		}
		if asn := e.SecurityContext.AsNumber; asn != nil && attackerASNs[*asn] {
			t.Fatalf("line %d: benign event from attacker ASN %d", e.line, *asn)
		}
	}
}

func TestIncidentsMatchTheirEvents(t *testing.T) {
	r := standardRun(t)
	if len(r.incidents) != 3 {
		t.Fatalf("got %d incidents, want 3", len(r.incidents))
	}
	byUUID := map[string]*logEvent{}
	for i := range r.events {
		byUUID[r.events[i].UUID] = &r.events[i]
	}
	checks := map[IncidentKind]func(*testing.T, Incident, []*logEvent, *run){
		MFAPushFatigue:        checkPushFatigue,
		PasswordResetTakeover: checkPasswordResetTakeover,
		SessionHijack:         checkSessionHijack,
	}
	for _, inc := range r.incidents {
		t.Run(string(inc.Kind), func(t *testing.T) {
			checkAttackerIdentity(t, inc)
			var attacker []*logEvent
			for _, id := range inc.AttackerEventUUIDs {
				e := byUUID[id]
				if e == nil {
					t.Fatalf("attacker event %s missing from the log", id)
				}
				if e.ip() != inc.AttackerIP || e.userAgent() != inc.AttackerUserAgent || e.userID() != inc.UserID {
					t.Fatalf("line %d: attacker event not from the attacker's client in the victim's name", e.line)
				}
				attacker = append(attacker, e)
			}
			for _, id := range inc.EventUUIDs {
				if byUUID[id] == nil {
					t.Fatalf("event %s missing from the log", id)
				}
			}
			checks[inc.Kind](t, inc, attacker, r)
		})
	}
}

func checkAttackerIdentity(t *testing.T, inc Incident) {
	t.Helper()
	if inc.AttackerIP == inc.UserIP || inc.AttackerCountry == inc.UserCountry || inc.AttackerASN == 0 {
		t.Fatalf("attacker not distinct from the victim: %+v", inc)
	}
	if len(inc.SessionIDs) != 1 || len(inc.AttackerEventUUIDs) == 0 || inc.End.Before(inc.Start) {
		t.Fatalf("incomplete ground truth: %+v", inc)
	}
}

func checkPushFatigue(t *testing.T, inc Incident, attacker []*logEvent, _ *run) {
	var pushes []time.Time
	denied, approvedAfter := 0, false
	for _, e := range attacker {
		if e.AuthenticationContext.ExternalSessionID != inc.SessionIDs[0] {
			t.Fatalf("line %d outside the incident session", e.line)
		}
		switch {
		case e.EventType == "system.push.send_factor_verify_push":
			at, _ := time.Parse(time.RFC3339Nano, e.Published)
			pushes = append(pushes, at)
		case e.EventType == "user.authentication.auth_via_mfa" && e.Outcome.Result == "FAILURE":
			denied++
		case e.EventType == "user.authentication.auth_via_mfa" && e.Outcome.Result == "SUCCESS":
			approvedAfter = denied >= 10
		}
	}
	if len(pushes) < 12 || pushes[11].Sub(pushes[0]) > 8*time.Minute {
		t.Fatalf("want 12 pushes within 8 minutes, got %d over %s", len(pushes), pushes[len(pushes)-1].Sub(pushes[0]))
	}
	if !approvedAfter {
		t.Fatalf("no approval after %d denials", denied)
	}
}

func checkPasswordResetTakeover(t *testing.T, inc Incident, attacker []*logEvent, _ *run) {
	want := []string{
		"system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password",
		"user.session.start", "user.authentication.verify", "user.mfa.factor.activate", "user.authentication.sso",
	}
	var got []string
	for _, e := range attacker {
		if slices.Contains(want, e.EventType) && !slices.Contains(got, e.EventType) {
			got = append(got, e.EventType)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("attacker steps %v, want %v", got, want)
	}
}

func checkSessionHijack(t *testing.T, inc Incident, attacker []*logEvent, r *run) {
	ips, agents := map[string]bool{}, map[string]bool{}
	var first *logEvent
	for i := range r.events {
		e := &r.events[i]
		if e.AuthenticationContext.ExternalSessionID != inc.SessionIDs[0] {
			continue
		}
		if first == nil {
			first = e
		}
		ips[e.ip()], agents[e.userAgent()] = true, true
	}
	if first == nil || first.EventType != "user.session.start" || first.ip() != inc.UserIP {
		t.Fatalf("the session does not begin with the victim's sign-in")
	}
	if len(ips) != 2 || len(agents) != 2 {
		t.Fatalf("hijacked session has %d IPs and %d user agents, want 2 and 2", len(ips), len(agents))
	}
	for _, e := range attacker {
		if e.EventType != "user.authentication.sso" || e.AuthenticationContext.ExternalSessionID != inc.SessionIDs[0] {
			t.Fatalf("line %d: attacker did %s in session %s", e.line, e.EventType, e.AuthenticationContext.ExternalSessionID)
		}
	}
}

func TestIncidentsAddEventsButChangeNoBenignEvent(t *testing.T) {
	opts := Options{Seed: 4, Events: 20000}
	without := generate(t, opts)
	opts.Incidents = true
	with := generate(t, opts)
	var kept [][]byte
	for i, line := range with.lines {
		if !with.planted[with.events[i].UUID] {
			kept = append(kept, line)
		}
	}
	if len(with.planted) == 0 || len(kept) != len(without.lines) {
		t.Fatalf("%d events with incidents minus %d planted, want %d", len(with.lines), len(with.planted), len(without.lines))
	}
	for i := range kept {
		if !bytes.Equal(kept[i], without.lines[i]) {
			t.Fatalf("benign event %d differs:\n%s\n%s", i+1, kept[i], without.lines[i])
		}
	}
}

func TestIncidentsAreKnownBeforeGeneration(t *testing.T) {
	g := New(Options{Seed: 8, Events: 5000, Incidents: true})
	before := g.Incidents()
	if _, err := g.WriteTo(io.Discard); err != nil {
		t.Fatal(err)
	}
	if after := g.Incidents(); len(before) != 3 || !slices.EqualFunc(before, after, func(a, b Incident) bool {
		return slices.Equal(a.EventUUIDs, b.EventUUIDs) && a.AttackerIP == b.AttackerIP
	}) {
		t.Fatal("incidents changed during generation")
	}
	if len(New(Options{Seed: 8, Events: 5000}).Incidents()) != 0 {
		t.Fatal("incidents planted without Options.Incidents")
	}
}

func TestTinyOrgsStillProduceALog(t *testing.T) {
	for _, users := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(users, " users"), func(t *testing.T) {
			r := generate(t, Options{Seed: 2, Users: users, Events: 2000, Incidents: true})
			if len(r.events) < 1800 || len(r.incidents) != 3 {
				t.Fatalf("%d events, %d incidents", len(r.events), len(r.incidents))
			}
		})
	}
}

func TestDefaultsAndClamps(t *testing.T) {
	got := New(Options{Duration: time.Minute}).Options()
	want := Options{Users: defaultUsers, Start: DefaultStart, Duration: time.Hour, Events: defaultEvents}
	if got != want {
		t.Fatalf("options %+v, want %+v", got, want)
	}
}

func TestMemoryStaysBoundedForAMillionEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a million events")
	}
	const limit = 64 << 20
	for _, duration := range []time.Duration{24 * time.Hour, time.Hour} {
		t.Run(duration.String(), func(t *testing.T) {
			baseline := liveHeap()
			g := New(Options{Seed: 1, Events: 1_000_000, Duration: duration, Incidents: true})
			n, peak := 0, uint64(0)
			for _, ok := g.Next(); ok; _, ok = g.Next() {
				if n++; n%100_000 == 0 {
					peak = max(peak, liveHeap()-min(baseline, liveHeap()))
				}
			}
			if n < 900_000 || peak > limit {
				t.Fatalf("%d events, heap grew by up to %d MB", n, peak>>20)
			}
			t.Logf("%d events, heap grew by up to %.1f MB", n, float64(peak)/(1<<20))
		})
	}
}

// liveHeap returns the bytes of heap in use after a collection.
func liveHeap() uint64 {
	var stats runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&stats)
	return stats.HeapInuse
}

func BenchmarkGenerate(b *testing.B) {
	g := New(Options{Seed: 1, Events: b.N + 10000, Incidents: true})
	var written int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		line, ok := g.Next()
		if !ok {
			b.Fatal("generator ran dry")
		}
		written += int64(len(line)) + 1
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(written)/b.Elapsed().Seconds()/1e6, "MB/s")
}
