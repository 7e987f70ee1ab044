package backendtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// GenOptions configures the test event generator.
type GenOptions struct {
	Seed  uint64
	Users int // size of the user population
	// Messy adds what real exports hold and filters must get right: absent,
	// null and empty fields, odd characters, case variants, time-looking
	// strings, other time formats, equal instants and repeated uuids.
	Messy bool
	Start time.Time
}

// Generator produces Okta-like events of about 2 KB with the article's
// event mix, a Zipf-distributed user activity, shared IPs and sessions: the
// same events for the same options, on any machine.
type Generator struct {
	opt   GenOptions
	rnd   *rand.Rand
	zipf  *rand.Zipf
	now   time.Time
	users []genUser
	seq   int
	uuids []string // issued, for repeats
}

type genUser struct {
	id, login, name string
	ips             []string
	session         string
	sessionLeft     int
}

var eventMix = []struct {
	eventType, message string
	weight             int
}{
	{"user.session.start", "User login to Okta", 12},
	{"policy.evaluate_sign_on", "Evaluation of sign-on policy", 14},
	{"user.authentication.verify", "Verify user identity", 10},
	{"user.authentication.sso", "User single sign on to app", 25},
	{"user.authentication.auth_via_mfa", "Authentication of user via MFA", 6},
	{"system.push.send_factor_verify_push", "A push verification was sent", 5},
	{"user.mfa.okta_verify.deny_push", "User rejected Okta push verify", 1},
	{"user.mfa.factor.activate", "User set up MFA factor", 1},
	{"user.mfa.factor.deactivate", "Reset factor for user", 1},
	{"user.mfa.factor.update", "User updated MFA factor", 1},
	{"user.session.end", "User logout from Okta", 6},
	{"user.account.reset_password", "Fired when the user's Okta password is reset", 1},
	{"user.account.update_password", "User update password for Okta", 1},
	{"system.email.password_reset.sent_message", "Email sent for password reset", 1},
	{"user.account.lock", "Max sign in attempts exceeded", 1},
	{"user.account.unlock", "User account unlocked", 1},
	{"application.policy.sign_on.deny_access", "Deny user access due to app sign on policy", 1},
	{"app.oauth2.as.token.grant.access_token", "OAuth2 access token is granted", 8},
	{"user.authentication.authenticate", "User authentication", 4},
}

var mixTotal = func() int {
	n := 0
	for _, m := range eventMix {
		n += m.weight
	}
	return n
}()

// NewGenerator returns a generator of events for opt.
func NewGenerator(opt GenOptions) *Generator {
	if opt.Users == 0 {
		opt.Users = 200
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	g := &Generator{opt: opt, rnd: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), now: opt.Start}
	g.zipf = rand.NewZipf(g.rnd, 1.2, 4, uint64(opt.Users-1))
	shared := []string{"198.51.100.7", "203.0.113.45", "192.0.2.200"}
	for i := range opt.Users {
		u := genUser{
			id:    fmt.Sprintf("00u%017d", i),
			login: fmt.Sprintf("user%d@example.com", i),
			name:  fmt.Sprintf("User Number%d", i),
		}
		for j := range 1 + i%3 {
			u.ips = append(u.ips, fmt.Sprintf("10.%d.%d.%d", i%250, j, (i*7)%250))
		}
		u.ips = append(u.ips, shared[i%len(shared)])
		g.users = append(g.users, u)
	}
	return g
}

// Events returns the next n events, decoded as Insert expects them.
func (g *Generator) Events(n int) []*logevent.Event {
	out := make([]*logevent.Event, 0, n)
	for range n {
		raw := g.next()
		e, err := logevent.Decode(raw)
		if err != nil {
			panic(fmt.Sprintf("generated event does not decode: %v\n%s", err, raw))
		}
		out = append(out, e)
	}
	return out
}

// next returns one event's JSON.
func (g *Generator) next() []byte {
	g.seq++
	g.now = g.now.Add(time.Duration(g.rnd.IntN(4000)) * time.Millisecond)
	u := &g.users[g.zipf.Uint64()]
	if u.sessionLeft <= 0 {
		u.session = fmt.Sprintf("102%s%08d", "SeSs", g.rnd.IntN(1e8))
		u.sessionLeft = 5 + g.rnd.IntN(40)
	}
	u.sessionLeft--
	ev := g.base(u)
	if g.opt.Messy {
		g.mess(ev, u)
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return raw
}

func (g *Generator) pickType() (string, string) {
	r := g.rnd.IntN(mixTotal)
	for _, m := range eventMix {
		if r < m.weight {
			return m.eventType, m.message
		}
		r -= m.weight
	}
	panic("unreachable")
}

type obj = map[string]any

func (g *Generator) base(u *genUser) obj {
	eventType, message := g.pickType()
	ip := u.ips[g.rnd.IntN(len(u.ips))]
	result := "SUCCESS"
	switch r := g.rnd.IntN(20); {
	case r == 0:
		result = "FAILURE"
	case r == 1:
		result = "CHALLENGE"
	case r == 2 && eventType != "user.session.start":
		result = "DENY"
	}
	g.uuids = append(g.uuids, fmt.Sprintf("%08x-%04x-11ee-%04x-%012x", g.rnd.Uint32(), g.seq&0xffff, g.rnd.IntN(1<<16), g.rnd.Uint64()&(1<<48-1)))
	geo := obj{"city": cities[len(ip)%len(cities)], "state": "Île-de-France", "country": countries[len(ip)%len(countries)],
		"postalCode": "75001", "geolocation": obj{"lat": 48.8566, "lon": 2.3522}}
	return obj{
		"uuid": g.uuids[len(g.uuids)-1], "published": g.now.Format("2006-01-02T15:04:05.000Z"),
		"eventType": eventType, "version": "0", "severity": "INFO", "legacyEventType": "core.user_auth.login_success",
		"displayMessage": message,
		"actor":          obj{"id": u.id, "type": "User", "alternateId": u.login, "displayName": u.name, "detailEntry": nil},
		"client": obj{
			"userAgent": obj{"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
				"os": "Mac OS X", "browser": "CHROME"},
			"zone": "null", "device": "Computer", "id": nil, "ipAddress": ip, "geographicalContext": geo,
		},
		"device":      nil,
		"outcome":     obj{"result": result, "reason": nil},
		"target":      g.targets(u),
		"transaction": obj{"type": "WEB", "id": fmt.Sprintf("ZfT%016x", g.rnd.Uint64()), "detail": obj{}},
		"debugContext": obj{"debugData": obj{
			"requestId": fmt.Sprintf("ZfT%016x", g.rnd.Uint64()), "requestUri": "/idp/idx/authenticators/poll",
			"url": "/idp/idx/authenticators/poll?", "dtHash": fmt.Sprintf("%064x", g.rnd.Uint64()),
			"threatSuspected": "false", "risk": "{reasons=Anomalous Device, level=MEDIUM}",
			"behaviors": "{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}",
		}},
		"authenticationContext": obj{"authenticationProvider": nil, "credentialProvider": nil, "credentialType": nil,
			"issuer": nil, "interface": nil, "authenticationStep": 0, "rootSessionId": u.session, "externalSessionId": u.session},
		"securityContext": obj{"asNumber": 9009 + len(ip)%3, "asOrg": "m247 europe srl", "isp": "m247 ltd", "domain": "m247.com", "isProxy": false},
		"request":         obj{"ipChain": []any{obj{"ip": ip, "geographicalContext": geo, "version": "V4", "source": nil}}},
	}
}

var (
	cities    = []string{"Paris", "London", "Berlin", "New York", "Tokyo", "São Paulo"}
	countries = []string{"France", "United Kingdom", "Germany", "United States", "Japan", "Brazil"}
)

func (g *Generator) targets(u *genUser) []any {
	app := obj{"id": fmt.Sprintf("0oa%d", g.rnd.IntN(30)), "type": "AppInstance", "alternateId": "Salesforce.com",
		"displayName": "Salesforce.com", "detailEntry": obj{"signOnModeType": "SAML_2_0"}}
	switch g.rnd.IntN(4) {
	case 0:
		return []any{}
	case 1:
		return []any{app}
	case 2:
		other := &g.users[g.rnd.IntN(len(g.users))]
		return []any{obj{"id": other.id, "type": "User", "alternateId": other.login, "displayName": other.name,
			"detailEntry": obj{"methodTypeUsed": "Okta Verify Push"}}, app}
	}
	return []any{obj{"id": u.id, "type": "User", "alternateId": u.login, "displayName": u.name, "detailEntry": nil}}
}

// oddStrings are values that trip up naive SQL: LIKE and GLOB wildcards,
// case variants, non-ASCII and escapes, 0xFF-free prefixes, NUL.
var oddStrings = []string{
	"a%b", "a_b", "a*b", "a?b", "[ab]", "A%B", "Ünïcode", "ünïcode", "tab\there", "quote\"d", `back\slash`,
	"nul\x00byte", "é", "user.mfa.", "USER.MFA.", "2024-03-01T00:00:10.000Z", "2024-03-01 00:00:10",
	"9009", "true", "TRUE", "null", "zzz~", "00u", "10.0.",
}

// mess rewrites parts of an event the way messy exports do.
func (g *Generator) mess(ev obj, u *genUser) {
	actor := ev["actor"].(obj)
	client := ev["client"].(obj)
	auth := ev["authenticationContext"].(obj)
	for _, f := range []func(){
		func() { delete(actor, "alternateId") },
		func() { actor["alternateId"] = "" },
		func() { actor["id"] = nil },
		func() { actor["id"] = g.odd() },
		func() { actor["displayName"] = g.odd() },
		func() { // another kind of actor (an Okta id names one kind), or the type in another case
			if kind := []string{"PublicClientApp", "user", "SystemPrincipal", ""}[g.rnd.IntN(4)]; kind == "user" {
				actor["type"] = kind
			} else {
				actor["type"], actor["id"], actor["alternateId"] = kind, fmt.Sprintf("0oa%d", g.rnd.IntN(5)), "client"
			}
		},
		func() { client["ipAddress"] = "null" },
		func() { delete(ev, "actor") },
		func() { client["ipAddress"] = nil },
		func() { client["ipAddress"] = "" },
		func() { client["ipAddress"] = g.odd() },
		func() { delete(ev, "client") },
		func() { auth["externalSessionId"] = "unknown" },
		func() { auth["externalSessionId"] = nil },
		func() { ev["outcome"] = nil },
		func() { ev["outcome"] = obj{"result": g.odd()} },
		func() { ev["displayMessage"] = g.odd() },
		func() { ev["displayMessage"] = "" },
		func() { delete(ev, "severity") },
		func() { ev["severity"] = []string{"WARN", "ERROR", "DEBUG"}[g.rnd.IntN(3)] },
		func() { ev["eventType"] = g.odd() + ".x" },
		func() { ev["eventtype"] = ev["eventType"]; delete(ev, "eventType") },
		func() { ev["target"] = nil },
		func() { ev["target"] = g.messyTargets(u) },
		func() { ev["target"] = g.messyTargets(u) },
		func() {
			ev["published"] = g.now.Add(-time.Duration(g.rnd.IntN(3600)) * time.Second).Format(time.RFC3339)
		},
		func() {
			ev["published"] = g.now.In(time.FixedZone("", 7200)).Format("2006-01-02T15:04:05.999999999-07:00")
		},
		func() { ev["published"] = g.now.Format("2006-01-02 15:04:05.000") },
		func() { ev["published"] = g.opt.Start.Format(time.RFC3339Nano) }, // many equal instants
		func() { ev["published"] = "2024-03-01T00:00:10.000Z" },
		func() { client["geographicalContext"] = nil },
		func() {
			if len(g.uuids) > 1 {
				ev["uuid"] = g.uuids[g.rnd.IntN(len(g.uuids)-1)]
			}
		},
	} {
		if g.rnd.IntN(12) == 0 {
			f()
		}
	}
}

func (g *Generator) odd() string { return oddStrings[g.rnd.IntN(len(oddStrings))] }

func (g *Generator) messyTargets(u *genUser) []any {
	var out []any
	for range g.rnd.IntN(4) {
		t := obj{"type": "User", "displayName": "x"}
		switch g.rnd.IntN(6) {
		case 0:
			t["id"] = u.id
		case 1:
			t["id"] = g.odd()
			t["alternateId"] = u.login
		case 2:
			t["alternateId"] = g.odd()
		case 3:
			t["id"] = ""
			t["alternateId"] = nil
		case 4:
			other := &g.users[g.rnd.IntN(len(g.users))]
			t["id"], t["alternateId"] = other.id, other.login
		}
		out = append(out, t)
	}
	return out
}
