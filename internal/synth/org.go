package synth

import (
	"strconv"
	"strings"
)

// orgDomain is the e-mail domain of the synthetic org's users.
const orgDomain = "acme.example"

// org is the synthetic Okta org: users, applications, policies and groups,
// built once from the seed.
type org struct {
	seed        int64
	suffix      string // 3-character cell suffix of every Okta id in the org
	users       []*user
	admins      []*user
	apps        []*app
	groups      []group
	policy      policyTargets
	systemActor []byte
	system      *endpoint   // the null client of jobs run by Okta itself
	services    []*endpoint // per app: its back end calling the token endpoint
}

// user is an employee with stable habits: a home, maybe an office, a
// laptop browser and a phone, enrolled factors and assigned applications.
type user struct {
	index      int
	id         string
	login      string
	name       string
	actorJSON  []byte // {"id":…,"type":"User",…}
	targetJSON []byte // the same object as a target
	country    string
	home       place
	homeNet    *network
	mobileNet  *network
	office     *office
	homeIP     string
	officeIP   string
	mobileIP   string
	agents     [2]agent // desktop, phone
	browserIDs [2]browserID
	phone      phoneModel
	deviceJSON []byte // Okta Verify device record of the phone
	endpoints  [2][3]*endpoint
	admin      bool
	engineer   bool
	apps       []int // indices into org.apps the user signs in to
	appWeights []int
	factorIDs  [numFactors]string
	enrolled   uint8 // bit set of enrolled factors
	primary    factor

	// State that stories change as they are built.
	factorsResetAt  int64 // a pending reset_all takes effect at this time
	recoveringUntil int64 // a recovery and the sign-in after it end by this time
	lastSignInAt    int64 // time of the latest sign-in attempt planned
}

// browserID holds the per-browser fingerprints Okta logs.
type browserID struct {
	fingerprint string // debugData.deviceFingerprint (32 hex)
	dtHash      string // debugData.dtHash (64 hex)
}

// slot indices of user.agents and user.endpoints.
const (
	slotDesktop = 0
	slotPhone   = 1
	netAtHome   = 0
	netAtOffice = 1
	netOnPhone  = 2
)

// app is an application instance of the org.
type app struct {
	spec       *appSpec
	index      int
	id         string
	clientID   string // OAuth client id (OIDC apps)
	ssoURI     string
	sloURI     string
	targetJSON []byte // AppInstance target
	actorJSON  []byte // PublicClientApp actor of OAuth events
}

// group is an Okta group used by admin noise.
type group struct {
	id   string
	name string
}

// policyTargets are the pre-rendered targets of policy.evaluate_sign_on.
type policyTargets struct {
	allowOnNetwork []byte
	mfaOffNetwork  []byte
	defaultRule    []byte
}

func (u *user) has(f factor) bool { return u.enrolled&(1<<f) != 0 }
func (u *user) enroll(f factor)   { u.enrolled |= 1 << f }
func (u *user) unenroll(f factor) { u.enrolled &^= 1 << f }

// buildOrg creates the org deterministically from the seed.
func buildOrg(seed int64, userCount int) *org {
	r := newRNG(seed, streamOrg)
	o := &org{seed: seed}
	o.suffix = string([]byte{hexDigits[r.intn(10)], base62Alphabet[36+r.intn(26)], hexDigits[r.intn(10)]})
	o.systemActor = actorJSON("unknown", "SystemPrincipal", "system@okta.com", "Okta System")
	o.system = systemEndpoint()
	o.buildApps(&r)
	o.buildPolicy(&r)
	o.buildGroups(&r)
	o.buildUsers(&r, userCount)
	return o
}

func (o *org) buildApps(r *rng) {
	for i := range appCatalogue {
		spec := &appCatalogue[i]
		a := &app{spec: spec, index: i, id: r.oktaID("0oa", o.suffix)}
		exk := r.oktaID("exk", o.suffix)
		a.ssoURI, a.sloURI = appURIs(spec, exk)
		if spec.signOnMode == "OPENID_CONNECT" {
			a.clientID = "okta." + uuidV4(r)
		} else {
			a.clientID = a.id
		}
		a.targetJSON = appTargetJSON(a)
		a.actorJSON = actorJSON(a.clientID, "PublicClientApp", a.id, spec.label)
		o.apps = append(o.apps, a)
	}
}

func appURIs(spec *appSpec, exk string) (sso, slo string) {
	switch spec.signOnMode {
	case "OPENID_CONNECT":
		return "/oauth2/v1/authorize", "/login/signout"
	case "WS_FEDERATION":
		return "/app/" + spec.appName + "/" + exk + "/sso/wsfed/passive", "/login/signout"
	}
	base := "/app/" + spec.appName + "/" + exk
	return base + "/sso/saml", base + "/slo/saml"
}

func appTargetJSON(a *app) []byte {
	b := []byte(`{"id":`)
	b = appendJSONString(b, a.id)
	b = append(b, `,"type":"AppInstance","alternateId":`...)
	b = appendJSONString(b, a.spec.label)
	b = append(b, `,"displayName":`...)
	b = appendJSONString(b, a.spec.label)
	b = append(b, `,"detailEntry":{"signOnModeType":`...)
	b = appendJSONString(b, a.spec.signOnMode)
	return append(b, `}}`...)
}

func (o *org) buildPolicy(r *rng) {
	policyID := r.oktaID("00p", o.suffix)
	entity := `{"id":"` + policyID + `","type":"PolicyEntity","alternateId":"unknown","displayName":"Default Policy","detailEntry":{"policyType":"OktaSignOn"}}`
	rule := func(name string) []byte {
		return []byte(`[` + entity + `,{"id":"` + r.oktaID("0pr", o.suffix) + `","type":"PolicyRule","alternateId":"` +
			policyID + `","displayName":"` + name + `","detailEntry":null}]`)
	}
	o.policy.allowOnNetwork = rule("Allow on corporate network")
	o.policy.mfaOffNetwork = rule("Require MFA off network")
	o.policy.defaultRule = rule("Default Rule")
}

func (o *org) buildGroups(r *rng) {
	for _, name := range []string{"Engineering", "Sales", "Finance", "Contractors", "VPN Users", "AWS Developers"} {
		o.groups = append(o.groups, group{id: r.oktaID("00g", o.suffix), name: name})
	}
}

func (o *org) buildUsers(r *rng, n int) {
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		u := o.newUser(r, i, seen)
		o.users = append(o.users, u)
		if u.admin {
			o.admins = append(o.admins, u)
		}
	}
	if len(o.admins) == 0 {
		o.users[0].admin = true
		o.assignApps(o.users[0])
		o.admins = append(o.admins, o.users[0])
	}
}

func (o *org) newUser(r *rng, index int, seen map[string]int) *user {
	first, last := firstNames[r.intn(len(firstNames))], lastNames[r.intn(len(lastNames))]
	u := &user{index: index, id: r.oktaID("00u", o.suffix), name: first + " " + last}
	u.login = uniqueLogin(strings.ToLower(first)+"."+strings.ToLower(last), seen)
	u.actorJSON = actorJSON(u.id, "User", u.login, u.name)
	u.targetJSON = u.actorJSON
	o.placeUser(r, u)
	o.equipUser(r, u)
	u.admin = r.chance(0.03)
	u.engineer = r.chance(0.3)
	o.assignApps(u)
	o.enrollFactors(r, u)
	return u
}

func uniqueLogin(local string, seen map[string]int) string {
	seen[local]++
	if n := seen[local]; n > 1 {
		local += strconv.Itoa(n)
	}
	return local + "@" + orgDomain
}

func (o *org) placeUser(r *rng, u *user) {
	weights := make([]int, len(homeCountries))
	for i, c := range homeCountries {
		weights[i] = c.weight
	}
	u.country = homeCountries[r.weighted(weights)].name
	cities := places[u.country]
	u.home = cities[r.intn(len(cities))]
	u.homeNet = pickNetwork(r, residentialNetworks, u.country)
	u.mobileNet = pickNetwork(r, mobileNetworks, u.country)
	u.homeIP = addressIn(r, u.homeNet)
	u.mobileIP = addressIn(r, u.mobileNet)
	if !r.chance(0.35) { // 35% work fully remote
		off := offices[u.country]
		u.office = &off
		u.officeIP = ipString(off.network.v4Base + uint32(u.index)%off.network.v4Size)
	}
}

func pickNetwork(r *rng, networks []network, country string) *network {
	var matching []*network
	for i := range networks {
		if networks[i].country == country {
			matching = append(matching, &networks[i])
		}
	}
	return matching[r.intn(len(matching))]
}

// addressIn draws a subscriber address from a network's block.
func addressIn(r *rng, n *network) string {
	if n.v6 && r.chance(0.5) {
		return "2001:db8:" + strconv.FormatUint(uint64(0x1000+r.intn(0xefff)), 16) + ":" +
			strconv.FormatUint(uint64(r.intn(0xffff)), 16) + "::" + strconv.FormatUint(uint64(1+r.intn(0xfffe)), 16)
	}
	return ipString(n.v4Base + 1 + uint32(r.intn(int(n.v4Size-2))))
}

func ipString(ip uint32) string {
	b := make([]byte, 0, 15)
	for shift := 24; shift >= 0; shift -= 8 {
		b = strconv.AppendUint(b, uint64(ip>>shift&0xff), 10)
		if shift > 0 {
			b = append(b, '.')
		}
	}
	return string(b)
}

func (o *org) equipUser(r *rng, u *user) {
	u.agents[slotDesktop] = desktopAgents[r.weighted(desktopAgentWeights)]
	u.agents[slotPhone] = mobileAgents[r.intn(len(mobileAgents))]
	models := phoneModels[:2]
	if u.agents[slotPhone].os == "Android" {
		models = phoneModels[2:]
	}
	u.phone = models[r.intn(len(models))]
	for i := range u.browserIDs {
		u.browserIDs[i] = browserID{
			fingerprint: string(r.appendHex(nil, 32)),
			dtHash:      string(r.appendHex(nil, 64)),
		}
	}
	u.deviceJSON = deviceJSON(r.oktaID("guo", o.suffix), u.phone)
}

func deviceJSON(id string, m phoneModel) []byte {
	return []byte(`{"id":"` + id + `","name":"` + m.name + `","os_platform":"` + m.platform + `","os_version":"` + m.version +
		`","managed":false,"registered":true,"device_integrator":null,"disk_encryption_type":"ALL_INTERNAL_VOLUMES",` +
		`"screen_lock_type":"BIOMETRIC","secure_hardware_present":true,"jailbreak":false}`)
}

func (o *org) assignApps(u *user) {
	u.apps, u.appWeights = u.apps[:0], u.appWeights[:0]
	for i, spec := range appCatalogue {
		if spec.popularity == 0 || !audienceIncludes(spec.audience, u) {
			continue
		}
		u.apps = append(u.apps, i)
		u.appWeights = append(u.appWeights, spec.popularity)
	}
}

func audienceIncludes(a audience, u *user) bool {
	switch a {
	case mostUsers:
		return u.index%5 != 4
	case engineers:
		return u.engineer || u.admin
	case admins:
		return u.admin
	}
	return true
}

// enrollFactors gives a user enrolled factors; a few new hires have none
// and enrol at their first sign-in.
func (o *org) enrollFactors(r *rng, u *user) {
	for f := factorPush; f < numFactors; f++ {
		u.factorIDs[f] = r.oktaID(factorSpecs[f].idPrefix, o.suffix)
	}
	u.factorIDs[factorNone] = r.oktaID("lae", o.suffix)
	if r.chance(0.04) {
		return
	}
	u.primary = []factor{factorPush, factorTOTP, factorSMS, factorVoice, factorEmail}[r.weighted([]int{60, 10, 13, 5, 12})]
	u.enroll(u.primary)
	if r.chance(0.5) {
		u.enroll(factorEmail)
	}
	if r.chance(0.2) {
		u.enroll(factorSMS)
	}
}

// integrationsAgent is the user agent of Okta's and SaaS back ends.
var integrationsAgent = agent{raw: "Okta-Integrations", os: "Unknown", browser: "UNKNOWN"}

// serviceEndpoint returns the back end of app a, rendering it on first use.
// Its address is a function of the seed and the app only, so the order in
// which endpoints are first used never changes them.
func (o *org) serviceEndpoint(a *app) *endpoint {
	if o.services == nil {
		o.services = make([]*endpoint, len(o.apps))
	}
	if e := o.services[a.index]; e != nil {
		return e
	}
	n := &serviceSite.network
	ip := ipString(n.v4Base + uint32(mix64(uint64(o.seed)^uint64(a.index)<<32)%uint64(n.v4Size)))
	e := newEndpoint(ip, &integrationsAgent, &serviceSite.place, n)
	o.services[a.index] = e
	return e
}

// actorJSON renders an actor (or target) object with a null detailEntry.
func actorJSON(id, typ, alternateID, displayName string) []byte {
	b := []byte(`{"id":`)
	b = appendJSONString(b, id)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, typ)
	b = append(b, `,"alternateId":`...)
	b = appendJSONString(b, alternateID)
	b = append(b, `,"displayName":`...)
	b = appendJSONString(b, displayName)
	return append(b, `,"detailEntry":null}`...)
}

// uuidV4 returns a random RFC 4122 version 4 UUID.
func uuidV4(r *rng) string {
	hi, lo := r.next(), r.next()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(3<<62) | 2<<62
	return string(appendUUID(nil, hi, lo))
}

// appendUUID appends the canonical text of the 128-bit value hi:lo.
func appendUUID(dst []byte, hi, lo uint64) []byte {
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}
