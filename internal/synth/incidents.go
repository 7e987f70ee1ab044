package synth

import (
	"math"
	"slices"
	"time"
)

// IncidentKind names a planted attack.
type IncidentKind string

// The planted attacks.
const (
	// MFAPushFatigue: with the victim's password, an attacker signs in and
	// sends Okta Verify pushes until the victim approves one: 12 denied
	// pushes within 8 minutes, then an approved one, then app sign-ins, all
	// in one session from the attacker's client.
	MFAPushFatigue IncidentKind = "mfa_push_fatigue"
	// PasswordResetTakeover: an attacker with access to the victim's
	// mailbox resets the password by e-mail (SSPR), signs in with the e-mail
	// factor, enrols an Okta Verify of their own and signs in to apps.
	PasswordResetTakeover IncidentKind = "password_reset_takeover"
	// SessionHijack: the victim signs in normally; later the same
	// externalSessionId is used from the attacker's address, network,
	// country and user agent (a stolen session cookie) to sign in to apps,
	// with no new sign-in, while the victim keeps using the session.
	SessionHijack IncidentKind = "session_hijack"
	// ImpossibleTravel (Options.Travel): the victim signs in at home; 20 to
	// 50 minutes later someone signs in as the victim, password and MFA,
	// from the attacker site farthest from the victim's home (never a
	// known proxy), and signs in to an app.
	ImpossibleTravel IncidentKind = "impossible_travel"
)

// Incident is the ground truth of a planted attack, for tests and demos.
type Incident struct {
	Kind              IncidentKind
	UserID            string   // the victim's Okta user id
	UserLogin         string   // the victim's login (actor.alternateId)
	SessionIDs        []string // externalSessionIds the attacker used
	UserIP            string   // the victim's usual client address
	UserCountry       string   // the victim's home country
	AttackerIP        string
	AttackerASN       int
	AttackerISP       string
	AttackerCountry   string
	AttackerUserAgent string
	Start, End        time.Time // published time of the first and last planted event
	// EventUUIDs lists every event the incident added, in published order
	// (for SessionHijack this includes the victim's own sign-in).
	EventUUIDs []string
	// AttackerEventUUIDs lists the events made from the attacker's client.
	AttackerEventUUIDs []string
}

func (inc Incident) clone() Incident {
	inc.SessionIDs = slices.Clone(inc.SessionIDs)
	inc.EventUUIDs = slices.Clone(inc.EventUUIDs)
	inc.AttackerEventUUIDs = slices.Clone(inc.AttackerEventUUIDs)
	return inc
}

// incidentPlan places an incident in the log.
type incidentPlan struct {
	kind     IncidentKind
	position float64 // fraction of the log before the incident
	spanMs   int64   // the incident ends within this time of its start
	plant    func(st *story, victim *user, attacker *endpoint, at int64)
}

var incidentPlans = []incidentPlan{
	{MFAPushFatigue, 0.35, 25 * 60 * 1000, (*story).plantPushFatigue},
	{PasswordResetTakeover, 0.6, 30 * 60 * 1000, (*story).plantPasswordResetTakeover},
	{SessionHijack, 0.8, 60 * 60 * 1000, (*story).plantSessionHijack},
}

// IncidentKinds lists the kinds of incident Options.Incidents plants, one
// incident of each, in the order they happen in the log.
func IncidentKinds() []IncidentKind {
	kinds := make([]IncidentKind, len(incidentPlans))
	for i, p := range incidentPlans {
		kinds[i] = p.kind
	}
	return kinds
}

// PlantedKinds lists the kinds of incident opts plants, one incident of
// each, in the order Generator.Incidents lists them: IncidentKinds with
// Incidents, then ImpossibleTravel with Travel.
func PlantedKinds(opts Options) []IncidentKind {
	var kinds []IncidentKind
	if opts.Incidents {
		kinds = IncidentKinds()
	}
	if opts.Travel {
		kinds = append(kinds, ImpossibleTravel)
	}
	return kinds
}

// plantIncidents plans the incidents from their own random stream; they
// change no user state, so the benign events are the same with or without
// them.
func (g *Generator) plantIncidents() {
	r := newRNG(g.opts.Seed, streamIncidents)
	victims := g.pickVictims(&r)
	sites := slices.Clone(attackerSites)
	for i := len(sites) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		sites[i], sites[j] = sites[j], sites[i]
	}
	for i, plan := range incidentPlans {
		victim, site := victims[i], &sites[i]
		ep := newEndpoint(addressIn(&r, &site.network), &attackerAgents[i%len(attackerAgents)], &site.place, &site.network)
		ep.attacker = true
		inc := &Incident{
			Kind: plan.kind, UserID: victim.id, UserLogin: victim.login,
			UserIP: victim.usualEndpoint().ip, UserCountry: victim.country,
			AttackerIP: ep.ip, AttackerASN: site.network.asn, AttackerISP: site.network.isp,
			AttackerCountry: site.place.country, AttackerUserAgent: ep.agent.raw,
		}
		at := g.startMs + int64(plan.position*float64(max(g.endMs-g.startMs-plan.spanMs, 0)))
		st := &story{g: g, r: &r, incident: inc, optionalEnd: g.endMs}
		plan.plant(st, victim, ep, at)
		st.finishIncident()
		g.incidents = append(g.incidents, *inc)
	}
}

// pickVictims chooses three different users: one with Okta Verify for the
// push fatigue, and people who are not administrators where possible.
func (g *Generator) pickVictims(r *rng) []*user {
	users := g.org.users
	var victims []*user
	taken := func(u *user) bool { return slices.Contains(victims, u) }
	wants := []func(*user) bool{
		func(u *user) bool { return u.has(factorPush) && !u.admin },
		func(u *user) bool { return !u.admin },
		func(u *user) bool { return u.engineer && !u.admin },
	}
	for _, want := range wants {
		var pick *user
		for try := 0; try < 200 && pick == nil; try++ {
			if u := users[r.intn(len(users))]; want(u) && !taken(u) {
				pick = u
			}
		}
		for i := 0; pick == nil; i++ {
			if u := users[i%len(users)]; !taken(u) || i >= len(users) {
				pick = u
			}
		}
		victims = append(victims, pick)
	}
	return victims
}

// attackerSession opens a session on the attacker's client in the victim's name.
func (st *story) attackerSession(victim *user, ep *endpoint) *sessionCtx {
	s := st.sessionless(victim, ep, st.attackerBrowser())
	s.identityEngine = st.r.chance(0.5) && !st.g.opts.Classic
	s.classic = st.g.opts.Classic
	s.sessionID = st.r.sessionID(s.identityEngine)
	s.behaviors, s.risk = behaviorsAnomal, riskHigh
	return s
}

func (st *story) attackerBrowser() *browserID {
	return &browserID{fingerprint: string(st.r.appendHex(nil, 32)), dtHash: string(st.r.appendHex(nil, 64))}
}

// plantPushFatigue plans the MFAPushFatigue incident.
func (st *story) plantPushFatigue(victim *user, ep *endpoint, at int64) {
	s := st.attackerSession(victim, ep)
	st.incident.SessionIDs = []string{s.sessionID}
	f := &flow{st: st, s: s, t: at}
	f.emit(event{kind: kSessionStart, newRequest: true})
	f.wait(15, 90)
	f.emit(event{kind: kPolicyEvaluateSignOn, result: resultChallenge, reason: reasonPolicyChallenge})
	if s.classic {
		f.classicMFA()
		st.incident.SessionIDs = append(st.incident.SessionIDs, f.s.sessionID)
	}
	for i := 0; i < 12; i++ {
		if i > 0 {
			f.wait(20000, 32000)
		}
		f.sendPush(false)
		f.wait(4000, 12000)
		f.mfaFailure(factorPush, false)
	}
	f.wait(20000, 40000)
	f.sendPush(false)
	f.wait(5000, 15000)
	f.emit(event{kind: kAuthViaMFA, factor: factorPush, newRequest: true})
	if f.s.classic {
		f.s.signInEnd = f.t
	} else {
		f.wait(80, 900)
		f.emit(event{kind: kAuthVerify, factor: factorPush, newRequest: true})
	}
	st.attackerAppSignIns(f, "Salesforce", "Google Workspace")
}

// plantPasswordResetTakeover plans the PasswordResetTakeover incident.
func (st *story) plantPasswordResetTakeover(victim *user, ep *endpoint, at int64) {
	browser := st.attackerBrowser()
	f := &flow{st: st, s: st.sessionless(victim, ep, browser), t: at}
	f.emit(event{kind: kEmailPasswordResetSent, actor: actorSystem, newRequest: true})
	st.emailDelivery(victim, f.t, kEmailPasswordResetSent)
	f.wait(90000, 200000)
	f.emit(event{kind: kResetPassword, newRequest: true})
	f.wait(25000, 70000)
	f.emit(event{kind: kUpdatePassword, newRequest: true})

	s := st.attackerSession(victim, ep)
	s.browser = browser
	s.mfaFailures = 1 // the attacker reads the code from the mailbox: no typo
	s.device = deviceJSON(st.r.oktaID("guo", st.g.org.suffix), phoneModels[2])
	s.enrollmentIDs = st.attackerEnrollments(victim)
	st.incident.SessionIDs = []string{s.sessionID}
	session := &flow{st: st, s: s, t: f.t + st.r.between(5000, 20000)}
	session.signIn(signInPlan{policy: resultChallenge, reason: reasonPolicyChallenge, factor: factorEmail})
	if session.s != s {
		st.incident.SessionIDs = append(st.incident.SessionIDs, session.s.sessionID)
	}
	session.wait(40000, 120000)
	session.enrollFactor(factorPush)
	st.attackerAppSignIns(session, "Google Workspace", "Salesforce")
}

// attackerEnrollments gives the attacker's session the victim's enrollment
// ids except a new Okta Verify enrolment on the attacker's phone.
func (st *story) attackerEnrollments(victim *user) *[numFactors]string {
	ids := victim.factorIDs
	ids[factorPush] = st.r.oktaID(factorSpecs[factorPush].idPrefix, st.g.org.suffix)
	return &ids
}

// plantSessionHijack plans the SessionHijack incident.
func (st *story) plantSessionHijack(victim *user, attackerEP *endpoint, at int64) {
	c := client{slotDesktop, netAtHome}
	if victim.office != nil {
		c.net = netAtOffice
	}
	f := &flow{st: st, s: st.newSession(victim, c), t: at}
	plan := signInPlan{policy: resultChallenge, reason: reasonPolicyChallenge, factor: victim.primary}
	if victim.enrolled == 0 || victim.primary == factorNone {
		plan = signInPlan{policy: resultAllow, reason: reasonPolicyAllow}
	}
	f.signIn(plan)
	s := f.s // the session the sign-in established
	st.incident.SessionIDs = []string{s.sessionID}
	f.wait(30000, 180000)
	f.signOnToApp(st.appNamed("Slack"))
	f.wait(300000, 600000)
	f.signOnToApp(st.appNamed("Google Workspace"))

	stolen := &sessionCtx{
		user: victim, ep: attackerEP, browser: st.attackerBrowser(), sessionID: s.sessionID,
		identityEngine: s.identityEngine, classic: s.classic, behaviors: behaviorsAnomal, risk: riskHigh, render: st.r.fork(),
	}
	attacker := &flow{st: st, s: stolen, t: f.t + st.r.between(15*60000, 25*60000)}
	st.attackerAppSignIns(attacker, "Salesforce", "GitHub Enterprise Cloud", "AWS IAM Identity Center")
	f.t = attacker.t - st.r.between(60000, 120000)
	f.signOnToApp(st.appNamed("Zoom"))
}

// attackerAppSignIns plans user.authentication.sso to the named apps, a
// few minutes apart, with no MFA: the session already satisfies it.
func (st *story) attackerAppSignIns(f *flow, labels ...string) {
	for _, label := range labels {
		f.wait(45000, 180000)
		f.signOnToApp(st.appNamed(label))
	}
}

func (st *story) appNamed(label string) *app {
	for _, a := range st.g.org.apps {
		if a.spec.label == label {
			return a
		}
	}
	panic("synth: no app " + label)
}

// plantTravel plans the ImpossibleTravel incident from its own random
// stream: like the others it changes no user state, and it takes sequence
// numbers after theirs, so neither benign events nor the other incidents
// change.
func (g *Generator) plantTravel() {
	r := newRNG(g.opts.Seed, streamTravel)
	users := g.org.users
	victim := users[r.intn(len(users))]
	for try := 0; try < 200 && victim.admin; try++ {
		victim = users[r.intn(len(users))]
	}
	var site *attackerSite
	for i := range attackerSites {
		s := &attackerSites[i]
		if !s.network.isProxy && (site == nil || distanceKm(victim.home, s.place) > distanceKm(victim.home, site.place)) {
			site = s
		}
	}
	ep := newEndpoint(addressIn(&r, &site.network), &attackerAgents[r.intn(len(attackerAgents))], &site.place, &site.network)
	ep.attacker = true
	inc := &Incident{
		Kind: ImpossibleTravel, UserID: victim.id, UserLogin: victim.login,
		UserIP: victim.endpointFor(slotDesktop, netAtHome).ip, UserCountry: victim.country,
		AttackerIP: ep.ip, AttackerASN: site.network.asn, AttackerISP: site.network.isp,
		AttackerCountry: site.place.country, AttackerUserAgent: ep.agent.raw,
	}
	const spanMs = 90 * 60 * 1000
	at := g.startMs + max(g.endMs-g.startMs-spanMs, 0)/2
	st := &story{g: g, r: &r, incident: inc, optionalEnd: g.endMs}
	st.plantImpossibleTravel(victim, ep, at)
	st.finishIncident()
	g.incidents = append(g.incidents, *inc)
}

// plantImpossibleTravel plans the ImpossibleTravel incident.
func (st *story) plantImpossibleTravel(victim *user, ep *endpoint, at int64) {
	plan := signInPlan{policy: resultChallenge, reason: reasonPolicyChallenge, factor: victim.primary}
	if victim.enrolled == 0 || victim.primary == factorNone {
		plan = signInPlan{policy: resultAllow, reason: reasonPolicyAllow}
	}
	home := &flow{st: st, s: st.newSession(victim, client{slotDesktop, netAtHome}), t: at}
	home.signIn(plan)
	home.wait(30000, 120000)
	home.signOnToApp(st.appNamed("Slack"))

	s := st.attackerSession(victim, ep)
	s.behaviors, s.risk = behaviorsAnomal, riskHigh
	away := &flow{st: st, s: s, t: at + st.r.between(20*60000, 50*60000)}
	away.signIn(plan)
	st.incident.SessionIDs = []string{s.sessionID}
	if away.s != s {
		st.incident.SessionIDs = append(st.incident.SessionIDs, away.s.sessionID)
	}
	st.attackerAppSignIns(away, "Google Workspace")
}

// distanceKm is the great-circle distance between two places.
func distanceKm(a, b place) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * 6371.0088 * math.Asin(math.Sqrt(min(1, h)))
}
