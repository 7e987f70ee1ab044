package scope

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/indicator"

	"github.com/oktascope/oktascope/internal/logevent"
)

type who struct{ id, login, name string }

type where struct {
	ip, city, country, asOrg, ua string
	asn                          int
	proxy                        bool
}

var (
	alice   = who{"00ualice", "alice@acme.example", "Alice Adams"}
	bob     = who{"00ubob", "bob@acme.example", "Bob Brown"}
	dave    = who{"00udave", "dave@acme.example", "Dave Diaz"}
	mallory = who{"00umal", "mallory@acme.example", "Mallory Moore"}
	admin   = who{"00uadmin", "admin@acme.example", "Ada Admin"}

	home     = where{"198.18.0.10", "San Francisco", "United States", "comcast", "Mozilla/5.0 (Macintosh) Chrome/131.0", 7922, false}
	office   = where{"192.0.2.10", "San Francisco", "United States", "zayo bandwidth", "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0", 6461, false}
	bobHome  = where{"198.18.1.20", "Oakland", "United States", "verizon", "Mozilla/5.0 (X11; Linux) Firefox/133.0", 701, false}
	attacker = where{"198.51.100.20", "Amsterdam", "Netherlands", "m247 europe srl", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", 9009, true}
	adminNet = where{"192.0.2.80", "Toronto", "Canada", "bell canada", "Mozilla/5.0 (Macintosh) Safari/605.1", 577, false}
)

// events builds the events of the tests.
type events struct {
	t    testing.TB
	base time.Time
	list []*logevent.Event
}

func newEvents(t testing.TB) *events {
	return &events{t: t, base: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
}

// add appends an event by actor u at w, at second at, in session s ("" for
// none); target is the user acted on (nil: none) and app an AppInstance.
func (ev *events) add(at int, typ string, u who, w where, s string, target *who, app string) string {
	ev.t.Helper()
	id := fmt.Sprintf("ev-%03d", len(ev.list)+1)
	if s == "" {
		s = "unknown"
	}
	var targets []any
	if target != nil {
		targets = append(targets, map[string]any{"id": target.id, "type": "User", "alternateId": target.login, "displayName": target.name})
	}
	if app != "" {
		targets = append(targets, map[string]any{"id": "0oa" + app, "type": "AppInstance", "alternateId": app, "displayName": app + " app"})
	}
	m := map[string]any{
		"uuid": id, "eventType": typ, "displayMessage": "message of " + typ,
		"published": ev.base.Add(time.Duration(at) * time.Second).Format(time.RFC3339Nano),
		"actor":     map[string]any{"id": u.id, "type": "User", "alternateId": u.login, "displayName": u.name},
		"client": map[string]any{
			"ipAddress": w.ip, "zone": "null", "device": "Computer",
			"userAgent":           map[string]any{"rawUserAgent": w.ua, "os": "Mac OS X", "browser": "CHROME"},
			"geographicalContext": map[string]any{"city": w.city, "country": w.country, "state": "CA"},
		},
		"securityContext":       map[string]any{"asNumber": w.asn, "asOrg": w.asOrg, "isp": w.asOrg + " isp", "isProxy": w.proxy},
		"outcome":               map[string]any{"result": "SUCCESS"},
		"authenticationContext": map[string]any{"externalSessionId": s},
		"target":                targets,
	}
	if typ == "user.mfa.factor.activate" {
		m["device"] = map[string]any{"id": "guo-phone", "name": "iPhone 15", "os_platform": "IOS", "os_version": "18.2", "managed": false, "registered": true}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		ev.t.Fatal(err)
	}
	e, err := logevent.Decode(raw)
	if err != nil {
		ev.t.Fatal(err)
	}
	ev.list = append(ev.list, e)
	return id
}

// signin adds a sign-in of u at w in session s.
func (ev *events) signin(at int, u who, w where, s string) {
	ev.add(at, "user.session.start", u, w, s, nil, "")
	ev.add(at+1, "policy.evaluate_sign_on", u, w, s, nil, "")
	ev.add(at+2, "user.authentication.verify", u, w, s, nil, "")
}

// org is the log of the scope tests:
//
//   - alice signs in from home (session A1) and opens Salesforce; her session
//     is then used from the attacker's address, where mallory also signs in;
//   - alice signs in at the office (A2), enrolls a phone; bob signs in at the
//     office too (B1), and from his home (B2), where dave signs in (D1);
//   - an administrator resets alice's factors from elsewhere (ADM).
func org(t testing.TB) []*logevent.Event {
	ev := newEvents(t)
	ev.signin(0, alice, home, "102A1")
	ev.add(60, "user.authentication.sso", alice, home, "102A1", nil, "salesforce")
	ev.add(120, "user.authentication.sso", alice, attacker, "102A1", nil, "github")
	ev.signin(130, mallory, attacker, "102M1")
	ev.signin(3600, alice, office, "102A2")
	ev.add(3610, "user.mfa.factor.activate", alice, office, "102A2", &alice, "")
	ev.add(3620, "application.policy.sign_on.deny_access", alice, office, "102A2", &alice, "aws")
	ev.signin(3700, bob, office, "102B1")
	ev.signin(7200, bob, bobHome, "102B2")
	ev.signin(7300, dave, bobHome, "102D1")
	ev.add(8000, "user.mfa.factor.reset_all", admin, adminNet, "102ADM", &alice, "")
	return ev.list
}

// indicatorOf is the indicator of a kind and a value.
func indicatorOf(kind indicator.Kind, value string) indicator.Indicator {
	return indicator.Indicator{Kind: kind, Value: value}
}
