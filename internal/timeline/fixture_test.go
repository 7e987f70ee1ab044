package timeline

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// person is a user of the hand-built events.
type person struct{ id, login, name string }

// netw is a client of the hand-built events.
type netw struct {
	ip, city, country, asOrg, ua string
	asn                          int
	lat, lon                     float64 // geolocation, when not both 0
}

var (
	alice = person{"00ualice", "alice@acme.example", "Alice Adams"}
	bob   = person{"00ubob", "bob@acme.example", "Bob Brown"}
	admin = person{"00uadmin", "admin@acme.example", "Ada Admin"}

	home     = netw{"198.18.0.10", "San Francisco", "United States", "comcast", "Mozilla/5.0 (Macintosh) Chrome/131.0", 7922, 0, 0}
	home2    = netw{"198.18.0.11", "San Francisco", "United States", "comcast", "Mozilla/5.0 (Macintosh) Chrome/131.0", 7922, 0, 0}
	proxy    = netw{"198.51.100.140", "Bucharest", "Romania", "datacamp limited", "Mozilla/5.0 (Windows NT 10.0; rv:122.0) Firefox/122.0", 60068, 0, 0}
	attacker = netw{"198.51.100.20", "Amsterdam", "Netherlands", "m247 europe srl", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", 9009, 0, 0}

	// Geolocated clients (impossible travel).
	sfHome    = netw{"198.18.0.30", "San Francisco", "United States", "comcast", "Mozilla/5.0 (Macintosh) Chrome/131.0", 7922, 37.7697, -122.3933}
	sfHome2   = netw{"198.18.0.31", "Oakland", "United States", "comcast", "Mozilla/5.0 (Macintosh) Chrome/131.0", 7922, 37.8044, -122.2712}
	nyHome    = netw{"198.18.0.32", "New York", "United States", "verizon", "Mozilla/5.0 (Macintosh) Chrome/131.0", 701, 40.7506, -73.9972}
	singapore = netw{"203.0.113.20", "Singapore", "Singapore", "digitalocean, llc", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", 14061, 1.2897, 103.8501}
	sfOffice  = netw{"192.0.2.10", "San Francisco", "United States", "zayo bandwidth", "Mozilla/5.0 (Macintosh) Chrome/131.0", 6461, 37.7697, -122.3933}
)

// log builds events for one test: times are seconds after base, uuids are
// numbered in order of creation.
type log struct {
	t      testing.TB
	base   time.Time
	n      int
	events []*logevent.Event
}

func newLog(t testing.TB) *log {
	return &log{t: t, base: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
}

// ev describes one event; the zero value is alice, from home, in session
// "102S1" (sign-in types) or no session (recovery types), outcome SUCCESS.
type ev struct {
	at      int // seconds after base
	typ     string
	result  string
	reason  string
	session string // "-" for none
	who     *person
	actor   *person // an administrator acting on who
	system  bool    // Okta itself acts on who
	from    *netw
	app     string
	ua      string // overrides from.ua
	// behaviors is debugData.behaviors, Okta's risk verdict.
	behaviors any
	// tx is transaction.id; authn and uri are debugData.authnRequestId and
	// debugData.requestUri.
	tx, authn, uri string
	// isProxy is securityContext.isProxy; zone is client.zone.
	isProxy bool
	zone    string
	// geo is client.geographicalContext.geolocation: latitude, longitude.
	geo []float64
}

// add builds the event and appends it; it returns its uuid.
func (l *log) add(x ev) string {
	l.t.Helper()
	l.n++
	who, from := alice, home
	if x.who != nil {
		who = *x.who
	}
	if x.from != nil {
		from = *x.from
	}
	if x.ua != "" {
		from.ua = x.ua
	}
	if x.result == "" {
		x.result = "SUCCESS"
	}
	id := fmt.Sprintf("ev-%03d", l.n)
	m := map[string]any{
		"uuid":           id,
		"published":      l.base.Add(time.Duration(x.at) * time.Second).Format("2006-01-02T15:04:05.000Z"),
		"eventType":      x.typ,
		"displayMessage": "message of " + x.typ,
		"actor":          actorJSON(x, who),
		"client": map[string]any{
			"ipAddress": from.ip,
			"userAgent": map[string]any{"rawUserAgent": from.ua},
			"geographicalContext": map[string]any{
				"city": from.city, "country": from.country,
			},
		},
		"securityContext":       map[string]any{"asNumber": from.asn, "asOrg": from.asOrg, "isp": from.asOrg},
		"outcome":               map[string]any{"result": x.result, "reason": nullable(x.reason)},
		"authenticationContext": map[string]any{"externalSessionId": sessionOf(x)},
		"target":                targetsJSON(x, who),
	}
	debug := map[string]any{}
	for k, v := range map[string]string{"authnRequestId": x.authn, "requestUri": x.uri} {
		if v != "" {
			debug[k] = v
		}
	}
	if x.behaviors != nil {
		debug["behaviors"] = x.behaviors
	}
	if len(debug) > 0 {
		m["debugContext"] = map[string]any{"debugData": debug}
	}
	if x.tx != "" {
		m["transaction"] = map[string]any{"type": "WEB", "id": x.tx}
	}
	if from.lat != 0 || from.lon != 0 {
		m["client"].(map[string]any)["geographicalContext"].(map[string]any)["geolocation"] = map[string]any{"lat": from.lat, "lon": from.lon}
	}
	if len(x.geo) == 2 {
		m["client"].(map[string]any)["geographicalContext"].(map[string]any)["geolocation"] = map[string]any{"lat": x.geo[0], "lon": x.geo[1]}
	}
	if x.isProxy {
		m["securityContext"].(map[string]any)["isProxy"] = true
	}
	if x.zone != "" {
		m["client"].(map[string]any)["zone"] = x.zone
	}
	raw, err := json.Marshal(m)
	if err != nil {
		l.t.Fatal(err)
	}
	e, err := logevent.Decode(raw)
	if err != nil {
		l.t.Fatal(err)
	}
	l.events = append(l.events, e)
	return id
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func actorJSON(x ev, who person) map[string]any {
	switch {
	case x.system:
		return map[string]any{"id": "unknown", "type": "SystemPrincipal", "alternateId": "system@okta.com", "displayName": "Okta System"}
	case x.actor != nil:
		who = *x.actor
	}
	return map[string]any{"id": who.id, "type": "User", "alternateId": who.login, "displayName": who.name}
}

func userTarget(p person) map[string]any {
	return map[string]any{"id": p.id, "type": "User", "alternateId": p.login, "displayName": p.name}
}

func targetsJSON(x ev, who person) []any {
	app := x.app
	if app == "" {
		app = "Salesforce"
	}
	appTarget := map[string]any{"id": "0oa" + strings.ToLower(app), "type": "AppInstance", "alternateId": strings.ToLower(app), "displayName": app}
	switch {
	case x.typ == typeSSO:
		return []any{appTarget, map[string]any{"id": "0uaapp", "type": "AppUser", "alternateId": who.login, "displayName": who.name}}
	case x.typ == typeDenyAccess:
		return []any{appTarget, userTarget(who)}
	case x.typ == typeSessionInit, x.typ == typePolicy, x.typ == typeVerify, strings.HasPrefix(x.typ, "user.session."),
		x.typ == "user.authentication.slo":
		return nil
	}
	return []any{userTarget(who)}
}

func sessionOf(x ev) string {
	switch {
	case x.session == "-":
		return "unknown"
	case x.session != "":
		return x.session
	case strings.Contains(x.typ, "password") || strings.Contains(x.typ, "unlock"):
		return "unknown"
	}
	return "102S1"
}

// build runs the events through a Builder with default options.
func (l *log) build() Timeline {
	return l.buildWith(Options{})
}

func (l *log) buildWith(opts Options) Timeline {
	b := NewBuilder(opts)
	for _, e := range l.events {
		b.Add(e)
	}
	return b.Finish()
}

// signin adds a sign-in to Okta at second at, with mfa events (types) in
// step 3, in session s; it returns the uuids.
func (l *log) signin(at int, s string, from *netw, mfa ...string) []string {
	ids := []string{
		l.add(ev{at: at, typ: typeSessionInit, session: s, from: from}),
		l.add(ev{at: at + 1, typ: typePolicy, session: s, from: from, result: "ALLOW"}),
	}
	for i, typ := range mfa {
		ids = append(ids, l.add(ev{at: at + 2 + i, typ: typ, session: s, from: from}))
	}
	return append(ids, l.add(ev{at: at + 3 + len(mfa), typ: typeVerify, session: s, from: from}))
}

// classicSignin adds a Classic Engine sign-in of who at second at, as
// Classic Engine logs one: user.session.start and policy.evaluate_sign_on
// (outcome policy) in one request to the Authentication API in session s1,
// then the MFA events (types) in session s2, each naming the session
// start's transaction.id as its authnRequestId. It returns the uuids.
func classicSignin(l *log, at int, who *person, policy, s1, s2 string, mfa ...string) []string {
	tx := fmt.Sprintf("TX%d", at)
	ids := []string{
		l.add(ev{at: at, typ: typeSessionInit, who: who, session: s1, tx: tx, uri: "/api/v1/authn"}),
		l.add(ev{at: at, typ: typePolicy, who: who, session: s1, tx: tx, uri: "/api/v1/authn", result: policy}),
	}
	for i, typ := range mfa {
		ids = append(ids, l.add(ev{at: at + 5 + 10*i, typ: typ, who: who, session: s2, tx: fmt.Sprintf("TX%d-%d", at, i),
			authn: tx, uri: "/api/v1/authn/factors/opf1/verify"}))
	}
	return ids
}

// summary is a flow reduced to what the tests compare.
type summary struct {
	kind     Kind
	session  string
	complete bool
	labels   []string
}

func summarize(t Timeline) []summary {
	var out []summary
	for _, f := range t.Flows {
		s := summary{kind: f.Kind, session: f.Session, complete: f.Complete}
		for _, st := range f.Steps {
			s.labels = append(s.labels, st.Label)
		}
		out = append(out, s)
	}
	return out
}

// deviations returns every deviation of the timeline.
func deviations(t Timeline) []Deviation {
	var out []Deviation
	for _, fd := range t.Deviations() {
		out = append(out, fd.Deviation)
	}
	return out
}

// ofKind returns the deviations of kind k.
func ofKind(t Timeline, k DeviationKind) []Deviation {
	var out []Deviation
	for _, d := range deviations(t) {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

// isFactorChange reports whether eventType is an MFA configuration change.
func isFactorChange(eventType string) bool { return placementOf(eventType).change }
