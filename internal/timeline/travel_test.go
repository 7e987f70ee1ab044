package timeline

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestImpossibleTravel runs the rule on pairs of sign-ins of one user.
func TestImpossibleTravel(t *testing.T) {
	proxied := singapore
	tests := []struct {
		name  string
		build func(l *log) []string // the uuids the deviation must cite; nil: no deviation
		opts  Options
	}{
		{"San Francisco then Singapore 20 minutes later", func(l *log) []string {
			return []string{l.signin(0, "102A", &sfHome)[0], l.signin(1200, "102B", &singapore)[0]}
		}, Options{}},
		{"San Francisco then New York 4 hours later (1,032 km/h)", func(l *log) []string {
			return []string{l.signin(0, "102A", &sfHome)[0], l.signin(4*3600, "102B", &nyHome)[0]}
		}, Options{}},
		{"Classic Engine sign-ins", func(l *log) []string {
			first := classicSigninFrom(l, 0, &sfHome, "102A")
			return []string{first, classicSigninFrom(l, 1200, &singapore, "102B")}
		}, Options{}},
		{"San Francisco then New York 6 hours later (688 km/h)", func(l *log) []string {
			l.signin(0, "102A", &sfHome)
			l.signin(6*3600, "102B", &nyHome)
			return nil
		}, Options{}},
		{"a faster limit", func(l *log) []string {
			l.signin(0, "102A", &sfHome)
			l.signin(4*3600, "102B", &nyHome)
			return nil
		}, Options{TravelSpeed: 1100}},
		{"within one metropolitan area at once", func(l *log) []string {
			l.signin(0, "102A", &sfHome)
			l.signin(1, "102B", &sfHome2)
			return nil
		}, Options{}},
		{"a known proxy is neither an arrival nor a departure", func(l *log) []string {
			l.signin(0, "102A", &sfHome)
			l.add(ev{at: 600, typ: typeSessionInit, session: "102B", from: &proxied, isProxy: true})
			l.signin(1200, "102C", &sfHome)
			return nil
		}, Options{}},
		{"failed sign-ins do not count", func(l *log) []string {
			l.signin(0, "102A", &sfHome)
			l.add(ev{at: 600, typ: typeSessionInit, session: "-", from: &singapore, result: "FAILURE", reason: "INVALID_CREDENTIALS"})
			return nil
		}, Options{}},
		{"an office egress in one of the org's network zones", func(l *log) []string {
			l.signin(100, "102A", &nyHome)
			l.add(ev{at: 3700, typ: typeSessionInit, session: "102B", from: &sfOffice, zone: "Acme HQ"})
			l.signin(7300, "102C", &nyHome)
			return nil
		}, Options{}},
		{"a shared egress outside the zones that the user signs in from routinely", func(l *log) []string {
			officeUsers(l, 0)
			l.signin(100, "102A", &sfOffice)
			l.signin(200, "102B", &sfOffice)
			l.signin(86400, "102C", &nyHome)
			l.signin(86400+3600, "102D", &sfOffice)
			l.signin(86400+7200, "102E", &nyHome)
			return nil
		}, Options{}},
		{"a shared egress outside the org's zones the user never used", func(l *log) []string {
			officeUsers(l, 0)
			first := l.signin(100, "102A", &nyHome)[0]
			return []string{first, l.signin(3700, "102B", &sfOffice)[0]}
		}, Options{}},
		{"an address only the user signs in from is no excuse", func(l *log) []string {
			l.signin(0, "102A", &nyHome)
			l.signin(86400, "102B", &nyHome)
			last := l.signin(2*86400, "102C", &nyHome)[0]
			return []string{last, l.signin(2*86400+1800, "102D", &singapore)[0]}
		}, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t)
			want := tt.build(l)
			got := ofKind(l.buildWith(tt.opts), ImpossibleTravel)
			switch {
			case want == nil && len(got) > 0:
				t.Errorf("unexpected: %s", dump(got))
			case want != nil && (len(got) != 1 || !slices.Equal(got[0].UUIDs, want)):
				t.Errorf("got %s, want one citing %v", dump(got), want)
			}
		})
	}
}

// officeUsers signs three other users in from the office at second at.
func officeUsers(l *log, at int) {
	for i, p := range []*person{&bob, &admin, {"00ucarol", "carol@acme.example", "Carol Cole"}} {
		l.add(ev{at: at + i, typ: typeSessionInit, who: p, session: fmt.Sprintf("102O%d", i), from: &sfOffice, zone: "Acme HQ"})
	}
}

// classicSigninFrom adds a Classic Engine sign-in without MFA from a client
// and returns its user.session.start's uuid.
func classicSigninFrom(l *log, at int, from *netw, session string) string {
	tx := fmt.Sprintf("TXC%d", at)
	id := l.add(ev{at: at, typ: typeSessionInit, session: session, tx: tx, uri: "/api/v1/authn", from: from})
	l.add(ev{at: at, typ: typePolicy, session: session, tx: tx, uri: "/api/v1/authn", result: "ALLOW", from: from})
	return id
}

func TestImpossibleTravelMessage(t *testing.T) {
	l := newLog(t)
	l.signin(0, "102A", &sfHome)
	l.signin(1200, "102B", &singapore)
	got := ofKind(l.build(), ImpossibleTravel)
	want := "sign-ins 13,587 km apart within 20m (40,762 km/h, above 805 km/h): San Francisco, United States (198.18.0.30) at 2025-03-03 09:00:00 → Singapore, Singapore (203.0.113.20) at 2025-03-03 09:20:00"
	if len(got) != 1 || got[0].Message != want {
		t.Errorf("got %s\nwant %s", dump(got), want)
	}
}

func TestGreatCircle(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		km                     float64
	}{
		{"same place", 37.7697, -122.3933, 37.7697, -122.3933, 0},
		{"a quarter of the equator", 0, 0, 0, 90, math.Pi / 2 * earthRadiusKm},
		{"antipodes", 0, 0, 0, 180, math.Pi * earthRadiusKm},
		{"pole to pole", 90, 0, -90, 0, math.Pi * earthRadiusKm},
		{"London to Paris (343.5 km)", 51.5074, -0.1278, 48.8566, 2.3522, 343.5},
	} {
		if got := greatCircleKm(tt.lat1, tt.lon1, tt.lat2, tt.lon2); math.Abs(got-tt.km) > 0.5 {
			t.Errorf("%s: %.1f km, want %.1f", tt.name, got, tt.km)
		}
	}
}

func TestTravelSpeedOption(t *testing.T) {
	if got := (Options{}).WithDefaults().TravelSpeed; got != DefaultTravelSpeed {
		t.Errorf("default %v", got)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if err := (Options{TravelSpeed: bad}).Validate(); err == nil || !strings.Contains(err.Error(), "travel speed") {
			t.Errorf("TravelSpeed %v: %v", bad, err)
		}
	}
}
