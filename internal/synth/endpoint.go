package synth

import (
	"strconv"
	"strings"
)

// endpoint is one client as Okta sees it: an address, a user agent and the
// enrichment of the address. Its JSON fragments are rendered once and
// copied into every event the client causes.
type endpoint struct {
	ip         string
	agent      *agent // nil for Okta's own jobs
	attacker   bool   // infrastructure of a planted incident
	onNetwork  bool   // the address is in one of the org's network zones
	country    string
	asn        int
	clientHead []byte // client object up to and including `"id":`
	clientTail []byte // client object after the id value
	security   []byte // securityContext object
	request    []byte // request object with its ipChain
}

// newEndpoint renders the fragments of a client at ip using agent a at
// place p on network n.
func newEndpoint(ip string, a *agent, p *place, n *network) *endpoint {
	geo := geoJSON(p)
	e := &endpoint{ip: ip, agent: a, country: p.country, asn: n.asn, onNetwork: n.kind == netOffice}
	e.clientHead = clientHeadJSON(a, n.zone)
	e.clientTail = append(append(append(appendJSONString([]byte(`,"ipAddress":`), ip), `,"geographicalContext":`...), geo...), '}')
	e.security = securityJSON(n)
	e.request = ipChainJSON(ip, geo)
	return e
}

func clientHeadJSON(a *agent, zone string) []byte {
	b := []byte(`{"userAgent":{"rawUserAgent":`)
	b = appendJSONString(b, a.raw)
	b = append(b, `,"os":`...)
	b = appendJSONString(b, a.os)
	b = append(b, `,"browser":`...)
	b = appendJSONString(b, a.browser)
	b = append(b, `},"zone":`...)
	b = appendJSONString(b, zone)
	device := "Computer"
	switch {
	case a.mobile:
		device = "Mobile"
	case a.browser == "UNKNOWN":
		device = "Unknown"
	}
	b = append(b, `,"device":`...)
	b = appendJSONString(b, device)
	return append(b, `,"id":`...)
}

func geoJSON(p *place) []byte {
	b := []byte(`{"city":`)
	b = appendJSONString(b, p.city)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, p.state)
	b = append(b, `,"country":`...)
	b = appendJSONString(b, p.country)
	b = append(b, `,"postalCode":`...)
	b = appendJSONString(b, p.postalCode)
	b = append(b, `,"geolocation":{"lat":`...)
	b = strconv.AppendFloat(b, p.lat, 'f', -1, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, p.lon, 'f', -1, 64)
	return append(b, `}}`...)
}

func securityJSON(n *network) []byte {
	b := []byte(`{"asNumber":`)
	b = strconv.AppendInt(b, int64(n.asn), 10)
	b = append(b, `,"asOrg":`...)
	b = appendJSONString(b, n.asOrg)
	b = append(b, `,"isp":`...)
	b = appendJSONString(b, n.isp)
	b = append(b, `,"domain":`...)
	b = appendJSONString(b, n.domain)
	b = append(b, `,"isProxy":`...)
	b = strconv.AppendBool(b, n.isProxy)
	return append(b, '}')
}

func ipChainJSON(ip string, geo []byte) []byte {
	version := "V4"
	if strings.Contains(ip, ":") {
		version = "V6"
	}
	b := appendJSONString([]byte(`{"ipChain":[{"ip":`), ip)
	b = append(b, `,"geographicalContext":`...)
	b = append(b, geo...)
	return append(b, `,"version":"`+version+`","source":null}]}`...)
}

// isAttacker reports whether the endpoint belongs to a planted attacker.
func (e *endpoint) isAttacker() bool { return e.attacker }

// systemEndpoint is the empty client of events Okta raises on its own.
func systemEndpoint() *endpoint {
	return &endpoint{
		clientHead: []byte(`{"userAgent":null,"zone":null,"device":null,"id":`),
		clientTail: []byte(`,"ipAddress":null,"geographicalContext":null}`),
		security:   []byte(`{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":null}`),
		request:    []byte(`{"ipChain":[]}`),
	}
}

// endpointFor returns the user's client for a device slot and network,
// rendering it on first use.
func (u *user) endpointFor(slot, net int) *endpoint {
	if e := u.endpoints[slot][net]; e != nil {
		return e
	}
	a := &u.agents[slot]
	var e *endpoint
	switch net {
	case netAtOffice:
		e = newEndpoint(u.officeIP, a, &u.office.place, &u.office.network)
	case netOnPhone:
		e = newEndpoint(u.mobileIP, a, &u.home, u.mobileNet)
	default:
		e = newEndpoint(u.homeIP, a, &u.home, u.homeNet)
	}
	u.endpoints[slot][net] = e
	return e
}

// usualEndpoint is the client a user most often signs in from: the laptop
// at the office for office workers, at home otherwise.
func (u *user) usualEndpoint() *endpoint {
	if u.office != nil {
		return u.endpointFor(slotDesktop, netAtOffice)
	}
	return u.endpointFor(slotDesktop, netAtHome)
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
