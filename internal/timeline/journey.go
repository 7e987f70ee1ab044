package timeline

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Journey is where a timeline's users signed in from: the places of their
// sign-ins (as Okta located the client, client.geographicalContext) and,
// for each user, the legs between consecutive sign-ins at different places
// with the speed they imply. It is what a sign-in map draws.
type Journey struct {
	// Places are the distinct places, in order of their first sign-in.
	Places []Place
	// Legs join consecutive sign-ins of one user at different places, one
	// per pair of places (the fastest trip between them), impossible ones
	// first, then by most trips; at most MaxJourneyLegs.
	Legs []Leg
	// SignIns counts the sign-ins on the map; Unplaced those without a
	// geolocation.
	SignIns, Unplaced int
	// MorePlaces and MoreLegs count what was left out beyond
	// MaxJourneyPlaces and MaxJourneyLegs.
	MorePlaces, MoreLegs int
}

// Place is a point where sign-ins came from.
type Place struct {
	Lat, Lon             float64
	City, State, Country string
	IPs                  []string  // client addresses seen there (at most 10)
	SignIns, Failed      int       // sign-ins from there, and how many failed
	First, Last          time.Time // first and last sign-in from there
	// Deviations are the kinds of the deviations citing one of its
	// sign-ins, in the order of DeviationKinds.
	Deviations []DeviationKind
}

// Leg is the fastest trip of one user between two places.
type Leg struct {
	From, To  int       // indexes in Places, From the earlier
	FromTime  time.Time // the sign-ins of the fastest trip
	ToTime    time.Time
	Km        float64 // great-circle distance
	KmPerHour float64 // implied speed (math.Inf(1) when no time passed)
	Trips     int     // trips between the two places, either way
	User      string  // login (or id) of the user who made the fastest trip
	// Impossible is set when the trip is faster than Options.TravelSpeed
	// over more than the impossible-travel rule's least distance (the
	// rule's exclusions, a proxy or a shared egress, are not applied: the
	// deviation is the rule's verdict, the map shows every trip).
	Impossible bool
}

// Bounds of a journey.
const (
	MaxJourneyPlaces = 300
	MaxJourneyLegs   = 300
)

// signInTypes are the events a journey counts as sign-ins: a sign-in to
// Okta, and to an app (a stolen session's use shows only as these).
var signInTypes = map[string]bool{"user.session.start": true, "user.authentication.sso": true}

// Journey returns where the timeline's users signed in from.
func (t Timeline) Journey() Journey {
	var j Journey
	cited := map[string][]DeviationKind{}
	var events []*logevent.Event
	for _, f := range t.Flows {
		for _, d := range f.Deviations {
			for _, id := range d.UUIDs {
				cited[id] = append(cited[id], d.Kind)
			}
		}
		for _, s := range f.Steps {
			if signInTypes[s.Event.EventType] && actorIsUser(s.Event) {
				events = append(events, s.Event)
			}
		}
	}
	slices.SortStableFunc(events, func(a, b *logevent.Event) int { return a.Time.Compare(b.Time) })
	index := map[[2]float64]int{}
	over := map[[2]float64]bool{} // places beyond MaxJourneyPlaces
	type stop struct {
		place int
		at    time.Time
	}
	last := map[string]stop{} // each user's latest sign-in
	legs := map[[2]int]*Leg{}
	for _, e := range events {
		g := e.Client.GeographicalContext
		lat, lon, ok := g.Geolocation.Lat.Value, g.Geolocation.Lon.Value, g.Geolocation.Lat.Valid && g.Geolocation.Lon.Valid
		if !ok || (lat == 0 && lon == 0) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			j.Unplaced++
			continue
		}
		key := [2]float64{math.Round(lat*100) / 100, math.Round(lon*100) / 100}
		i, seen := index[key]
		if !seen {
			if len(j.Places) == MaxJourneyPlaces {
				if !over[key] {
					over[key] = true
					j.MorePlaces++
				}
				continue
			}
			i = len(j.Places)
			index[key] = i
			j.Places = append(j.Places, Place{Lat: lat, Lon: lon, City: g.City, State: g.State, Country: g.Country, First: e.Time})
		}
		p := &j.Places[i]
		j.SignIns++
		p.SignIns++
		p.Last = e.Time
		if e.Outcome.Failed() {
			p.Failed++
		}
		for _, k := range cited[e.UUID] {
			if !slices.Contains(p.Deviations, k) {
				p.Deviations = append(p.Deviations, k)
			}
		}
		if ip := e.ClientIP(); ip != "" && len(p.IPs) < 10 && !slices.Contains(p.IPs, ip) {
			p.IPs = append(p.IPs, ip)
		}
		user := e.Actor.Key()
		prev, moved := last[user]
		last[user] = stop{i, e.Time}
		if !moved || prev.place == i {
			continue
		}
		from, to := &j.Places[prev.place], p
		km := greatCircleKm(from.Lat, from.Lon, to.Lat, to.Lon)
		speed := math.Inf(1)
		if h := e.Time.Sub(prev.at).Hours(); h > 0 {
			speed = km / h
		}
		pair := [2]int{min(prev.place, i), max(prev.place, i)}
		l := legs[pair]
		if l == nil {
			l = &Leg{KmPerHour: -1}
			legs[pair] = l
		}
		l.Trips++
		if speed > l.KmPerHour {
			l.From, l.To, l.FromTime, l.ToTime, l.Km, l.KmPerHour = prev.place, i, prev.at, e.Time, km, speed
			l.User = cmp.Or(e.Actor.AlternateID, e.Actor.ID)
			l.Impossible = km > travelMinKm && speed > t.Options.TravelSpeed
		}
	}
	for i := range j.Places {
		slices.SortFunc(j.Places[i].Deviations, func(a, b DeviationKind) int {
			return cmp.Compare(slices.Index(DeviationKinds, a), slices.Index(DeviationKinds, b))
		})
	}
	for _, l := range legs {
		j.Legs = append(j.Legs, *l)
	}
	slices.SortFunc(j.Legs, func(a, b Leg) int {
		if a.Impossible != b.Impossible {
			if a.Impossible {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Trips, a.Trips), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	if len(j.Legs) > MaxJourneyLegs {
		j.MoreLegs = len(j.Legs) - MaxJourneyLegs
		j.Legs = j.Legs[:MaxJourneyLegs]
	}
	return j
}

// Name returns "City, State, Country" with the parts present.
func (p Place) Name() string {
	var parts []string
	for _, s := range []string{p.City, p.State, p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
