package timeline

import (
	"math"
	"slices"
	"testing"
)

// TestJourney: sign-ins (to Okta and to apps) are placed, grouped by
// place; each user's consecutive sign-ins at different places make legs
// with their implied speed; a hop to the attacker's place minutes later is
// impossible; other events and sign-ins without a geolocation are not
// placed.
func TestJourney(t *testing.T) {
	sf, ams, bucharest := []float64{37.7749, -122.4194}, []float64{52.3676, 4.9041}, []float64{44.4268, 26.1025}
	l := newLog(t)
	l.add(ev{at: 0, typ: typeSessionInit, geo: sf})
	l.add(ev{at: 1, typ: typePolicy, result: "ALLOW", geo: sf})
	l.add(ev{at: 60, typ: typeSSO, geo: sf})
	l.add(ev{at: 600, typ: typeSSO, from: &attacker, geo: ams}) // 9 minutes later, 8,780 km away
	l.add(ev{at: 700, typ: typeSessionInit, who: &bob, session: "102B1", geo: sf})
	l.add(ev{at: 90000, typ: typeSessionInit, who: &bob, session: "102B2", result: "FAILURE", from: &proxy, geo: bucharest}) // a day later
	l.add(ev{at: 90100, typ: typeSessionInit, who: &bob, session: "102B3", from: &proxy})                                    // no geolocation
	j := l.build().Journey()

	if j.SignIns != 5 || j.Unplaced != 1 || len(j.Places) != 3 {
		t.Fatalf("%d sign-ins, %d unplaced, %d places: %+v", j.SignIns, j.Unplaced, len(j.Places), j)
	}
	if p := j.Places[0]; p.Name() != "San Francisco, United States" || p.SignIns != 3 || p.IPs[0] != home.ip {
		t.Errorf("first place %+v", p)
	}
	if p := j.Places[2]; p.Failed != 1 || p.Country != "Romania" {
		t.Errorf("Bucharest %+v", p)
	}
	if len(j.Legs) != 2 {
		t.Fatalf("legs %+v", j.Legs)
	}
	hop, trip := j.Legs[0], j.Legs[1]
	if !hop.Impossible || hop.From != 0 || hop.To != 1 || hop.User != alice.login || math.Abs(hop.Km-8780) > 15 ||
		math.Abs(hop.KmPerHour-hop.Km/(540.0/3600)) > 1 {
		t.Errorf("alice's hop to Amsterdam %+v", hop)
	}
	if trip.Impossible || trip.From != 0 || trip.To != 2 || trip.User != bob.login || trip.KmPerHour > 500 {
		t.Errorf("bob's trip to Bucharest %+v", trip)
	}
}

// TestJourneyFlagsAndFastestTrip: a place is flagged when a deviation cites
// one of its sign-ins (the hijack); a pair of places traveled several
// times keeps its fastest trip.
func TestJourneyFlagsAndFastestTrip(t *testing.T) {
	sf, ams := []float64{37.7749, -122.4194}, []float64{52.3676, 4.9041}
	l := newLog(t)
	l.add(ev{at: 0, typ: typeSessionInit, geo: sf})
	l.add(ev{at: 36000, typ: typeSessionInit, session: "102S2", geo: ams}) // 10 h later: 878 km/h
	l.add(ev{at: 72000, typ: typeSessionInit, session: "102S3", geo: sf})  // 10 h later
	l.add(ev{at: 72100, typ: typeSSO, session: "102S3", from: &attacker, geo: ams})
	tl := l.build()
	if len(ofKind(tl, SessionHijack)) != 1 {
		t.Fatalf("no hijack: %+v", deviations(tl))
	}
	j := tl.Journey()
	if len(j.Legs) != 1 || j.Legs[0].Trips != 3 || !j.Legs[0].Impossible || j.Legs[0].FromTime != l.base.Add(72000e9) {
		t.Errorf("legs %+v", j.Legs)
	}
	if !slices.Contains(j.Places[1].Deviations, SessionHijack) {
		t.Errorf("Amsterdam not cited by the hijack: %+v", j.Places)
	}
}
