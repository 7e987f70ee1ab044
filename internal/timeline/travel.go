package timeline

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// Impossible travel (docs/timeline.md): two successive successful sign-ins
// of one user from places farther apart than Options.TravelSpeed allows in
// the time between them.
const (
	// travelMinKm is the least distance that counts: IP geolocation places
	// the addresses of one metropolitan area tens of kilometres apart.
	travelMinKm = 100
	// sharedEgressUsers is how many users must sign in from an address for
	// it to be a shared egress (a NAT, a corporate VPN).
	sharedEgressUsers = 3
	// routineSignIns is how many earlier sign-ins of a user from a shared
	// egress make it one the user signs in from routinely.
	routineSignIns = 2
	// maxTravelAddresses bounds the addresses whose sign-ins are counted
	// per user.
	maxTravelAddresses = 64
	// earthRadiusKm is the Earth's mean radius (IUGG).
	earthRadiusKm = 6371.0088
)

// travelState is what a user's record holds for impossible travel.
type travelState struct {
	last     signInPlace    // the latest sign-in usable as a point of departure
	addrSeen map[string]int // the user's successful sign-ins by address
}

// signInPlace is a sign-in reduced to what the travel rule compares (the
// zero value: none).
type signInPlace struct {
	uuid          string
	at            time.Time
	lat, lon      float64
	ip            string
	city, country string
}

// place is "City, Country", the parts present (the timeline's place).
func (p *signInPlace) place() string {
	var parts []string
	for _, s := range []string{p.city, p.country} {
		if s != "" && s != "null" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// egressState counts the users signing in from one address, up to
// sharedEgressUsers.
type egressState struct {
	users [sharedEgressUsers]string
	n     int
}

// checkTravel runs the impossible-travel rule on a successful
// user.session.start of user u, which joined flow fs. A sign-in from a
// known proxy (securityContext.isProxy), or from a shared egress the user
// signs in from routinely, neither raises the deviation nor becomes a point
// of departure: its place says nothing of where the user is. A shared
// egress the user signs in from routinely is an address in one of the org's
// network zones (client.zone: the org declared it its own network, an
// office or a VPN exit), or an address sharedEgressUsers users signed in
// from before and this user routineSignIns times.
func (b *Builder) checkTravel(e *logevent.Event, u *userState, fs *flowState) {
	ip := e.ClientIP()
	st := &u.travel
	excluded := e.SecurityContext.IsProxy.Value || zoned(e) || (b.shared(ip) && st.addrSeen[ip] >= routineSignIns)
	b.noteEgress(ip, u.actor.key())
	if ip != "" && (st.addrSeen[ip] > 0 || len(st.addrSeen) < maxTravelAddresses) {
		if st.addrSeen == nil {
			st.addrSeen = map[string]int{}
		}
		st.addrSeen[ip]++
	}
	g := e.Client.GeographicalContext.Geolocation
	if excluded || !g.Lat.Valid || !g.Lon.Valid || (g.Lat.Value == 0 && g.Lon.Value == 0) {
		return
	}
	gc := &e.Client.GeographicalContext
	here := signInPlace{uuid: e.UUID, at: e.Time, lat: g.Lat.Value, lon: g.Lon.Value, ip: ip, city: gc.City, country: gc.Country}
	from := st.last
	st.last = here
	if from.uuid == "" {
		return
	}
	km := greatCircleKm(from.lat, from.lon, here.lat, here.lon)
	if km < travelMinKm {
		return
	}
	hours := e.Time.Sub(from.at).Hours()
	if hours > 0 && km/hours <= b.opts.TravelSpeed {
		return
	}
	fs.attach(&Deviation{
		Kind:    ImpossibleTravel,
		Message: travelMessage(&from, &here, km, hours, b.opts.TravelSpeed),
		UUIDs:   []string{from.uuid, here.uuid},
	})
}

// travelMessage describes a journey too fast.
func travelMessage(from, to *signInPlace, km, hours, limit float64) string {
	speed := "at once"
	if hours > 0 {
		speed = fmt.Sprintf("%s km/h", thousands(km/hours))
	}
	return fmt.Sprintf("sign-ins %s km apart within %s (%s, above %s km/h): %s at %s → %s at %s",
		thousands(km), timewindow.Format(to.at.Sub(from.at).Round(time.Second)), speed, thousands(limit),
		where(from), from.at.UTC().Format("2006-01-02 15:04:05"), where(to), to.at.UTC().Format("2006-01-02 15:04:05"))
}

// where is "place (IP)", with the parts present.
func where(p *signInPlace) string {
	place := p.place()
	switch {
	case place == "":
		return p.ip
	case p.ip == "":
		return place
	}
	return place + " (" + p.ip + ")"
}

// thousands writes a non-negative number rounded to a whole, with commas.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", math.Round(v))
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// zoned reports whether the client's address is in one of the org's Okta
// network zones (client.zone names one; Okta writes "null" for none).
func zoned(e *logevent.Event) bool {
	z := e.Client.Zone
	return z != "" && z != "null" && !strings.EqualFold(z, "OFF_NETWORK")
}

// shared reports whether sharedEgressUsers users have signed in from ip.
func (b *Builder) shared(ip string) bool {
	g := b.egress[ip]
	return g != nil && g.n >= sharedEgressUsers
}

// noteEgress records that user signed in from ip.
func (b *Builder) noteEgress(ip, user string) {
	if ip == "" || user == "" {
		return
	}
	g := b.egress[ip]
	if g == nil {
		if b.egress == nil {
			b.egress = map[string]*egressState{}
		}
		g = &egressState{}
		b.egress[ip] = g
	}
	for _, u := range g.users[:g.n] {
		if u == user {
			return
		}
	}
	if g.n < sharedEgressUsers {
		g.users[g.n] = user
		g.n++
	}
}

// greatCircleKm is the haversine distance between two points, in km.
func greatCircleKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, a)))
}
