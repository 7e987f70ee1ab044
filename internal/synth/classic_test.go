package synth

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// TestClassicOrgSignInsFollowClassicSequence generates a Classic Engine
// org and checks its sign-ins against Classic Engine's sequence: no
// user.authentication.verify and no Identity Engine ("idx…") session or
// request; user.session.start and policy.evaluate_sign_on in one request
// to the Authentication API; every MFA event of a sign-in in another
// session, from the same user and client, naming the sign-in's
// user.session.start request as its authnRequestId; and every challenged
// sign-in's MFA completed (benign traffic). (An app's step-up MFA in the
// sign-in's own session names the session's first request too; the
// timeline routes it by its session.)
func TestClassicOrgSignInsFollowClassicSequence(t *testing.T) {
	r := generate(t, Options{Seed: 11, Users: 80, Events: 20000, Classic: true, Incidents: true})
	starts := map[string]*logEvent{} // by transaction.id
	challenged := map[string]bool{}  // transaction ids of challenged sign-ins
	passed := map[string]bool{}      // transaction ids of sign-ins whose MFA succeeded
	links := 0
	for _, e := range r.benign() {
		id := e.AuthenticationContext.ExternalSessionID
		uri := e.DebugContext.DebugData["requestUri"]
		switch {
		case e.EventType == "user.authentication.verify":
			t.Fatalf("line %d: user.authentication.verify in a Classic Engine org", e.line)
		case strings.HasPrefix(id, "idx") || strings.HasPrefix(uri, "/idp/idx/"):
			t.Fatalf("line %d: Identity Engine session or request %q %q", e.line, id, uri)
		case e.EventType == "user.session.start" && e.Outcome.Result == "SUCCESS":
			if uri != "/api/v1/authn" {
				t.Fatalf("line %d: session start at %q", e.line, uri)
			}
			starts[e.Transaction.ID] = e
		case e.EventType == "policy.evaluate_sign_on" && starts[e.Transaction.ID] != nil:
			if e.Outcome.Result == "CHALLENGE" {
				challenged[e.Transaction.ID] = true
			}
		}
		start := starts[e.DebugContext.DebugData["authnRequestId"]]
		if start == nil || !strings.HasPrefix(e.EventType, "system.") && !strings.HasPrefix(e.EventType, "user.authentication.auth_via_mfa") && e.EventType != "user.mfa.factor.activate" {
			continue
		}
		if id == start.AuthenticationContext.ExternalSessionID {
			if e.DebugContext.DebugData["promptingPolicyTypes"] == "[OKTA_SIGN_ON]" {
				t.Fatalf("line %d: the sign-in's MFA in the sign-in's session", e.line)
			}
			continue
		}
		links++
		if !strings.HasPrefix(id, "102") {
			t.Fatalf("line %d: %s of a sign-in in session %q", e.line, e.EventType, id)
		}
		if e.userID() != start.userID() || e.ip() != start.ip() || e.userAgent() != start.userAgent() {
			t.Fatalf("line %d: MFA of line %d from another user or client", e.line, start.line)
		}
		if (e.EventType == "user.authentication.auth_via_mfa" || e.EventType == "user.mfa.factor.activate") && e.Outcome.Result == "SUCCESS" {
			passed[start.Transaction.ID] = true
		}
	}
	if len(starts) < 1000 || len(challenged) < 200 || links < 400 {
		t.Fatalf("%d sign-ins, %d challenged, %d MFA events tied to them: too few", len(starts), len(challenged), links)
	}
	for tx := range challenged {
		if !passed[tx] {
			t.Errorf("sign-in at line %d challenged, its MFA never completed", starts[tx].line)
		}
	}
}

// TestTravelIncident plants the impossible-travel incident and checks its
// events, that the benign events and the other incidents stay the same,
// and that the journey is impossible.
func TestTravelIncident(t *testing.T) {
	base := Options{Seed: 4, Events: 20000, Incidents: true}
	without := generate(t, base)
	opts := base
	opts.Travel = true
	with := generate(t, opts)
	if len(with.incidents) != 4 || with.incidents[3].Kind != ImpossibleTravel {
		t.Fatalf("incidents %v", with.incidents)
	}
	inc := with.incidents[3]
	kept := 0
	travel := map[string]bool{}
	for _, id := range inc.EventUUIDs {
		travel[id] = true
	}
	for i, line := range with.lines {
		if travel[with.events[i].UUID] {
			continue
		}
		if string(line) != string(without.lines[kept]) {
			t.Fatalf("event %d differs with the travel incident", kept+1)
		}
		kept++
	}
	if kept != len(without.lines) {
		t.Fatalf("%d events kept, want %d", kept, len(without.lines))
	}
	var home, away *logEvent
	for i := range with.events {
		e := &with.events[i]
		if !travel[e.UUID] || e.EventType != "user.session.start" {
			continue
		}
		if e.ip() == inc.AttackerIP {
			away = e
		} else if home == nil {
			home = e
		}
	}
	if home == nil || away == nil || home.userID() != inc.UserID || away.userID() != inc.UserID {
		t.Fatalf("sign-ins: home %v, away %v", home, away)
	}
	t1, _ := time.Parse(time.RFC3339Nano, home.Published)
	t2, _ := time.Parse(time.RFC3339Nano, away.Published)
	g1, g2 := home.Client.GeographicalContext.Geolocation, away.Client.GeographicalContext.Geolocation
	km := distanceKm(place{lat: g1.Lat, lon: g1.Lon}, place{lat: g2.Lat, lon: g2.Lon})
	if gap := t2.Sub(t1); gap < 20*time.Minute || gap > 51*time.Minute || km/gap.Hours() < 2000 {
		t.Fatalf("%.0f km in %s", km, gap)
	}
	if len(inc.AttackerEventUUIDs) == 0 || inc.AttackerCountry == inc.UserCountry {
		t.Fatalf("ground truth %+v", inc)
	}
}

// TestDefaultOutputIsPinned pins the bytes of a default org (no Classic
// Engine, no travel): benchmarks and golden files rely on them.
func TestDefaultOutputIsPinned(t *testing.T) {
	r := generate(t, Options{Seed: 3, Users: 30, Events: 3000, Incidents: true})
	h := sha256.New()
	for _, line := range r.lines {
		h.Write(line)
		h.Write([]byte{'\n'})
	}
	const want = "fdddcba1fa011664375b94082cecd7c8b73d80ae89e7ea32001e8fe80bb213ec"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("default output changed: sha256 %s, want %s", got, want)
	}
}
