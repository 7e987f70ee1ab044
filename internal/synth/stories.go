package synth

// Benign stories: what the org's people do. Each story is planned in full
// when the schedule reaches its start, and every event of it is at or after
// that start.

// storyKind is a kind of benign story.
type storyKind int

const (
	storySignIn           storyKind = iota // sign in, use apps, maybe log out
	storyMistypedPassword                  // failed password, then a sign-in
	storyPasswordReset                     // self-service password reset, then a sign-in
	storyAccountUnlock                     // lockout, self-service unlock, then a sign-in
	storyAdministration                    // an admin signs in and changes users
	storyOrgNotice                         // an Okta system notice
)

// storyWeights are the relative frequencies of storyKind values.
var storyWeights = []int{800, 50, 30, 30, 35, 3}

// Mean idle times, in milliseconds, before thinkScale.
const (
	meanGapBetweenAppsMs = 12 * 60 * 1000
	meanGapBeforeLogout  = 20 * 60 * 1000
	optionalStepRoomMs   = 3 * 60 * 1000 // room an optional step needs before the end
)

// buildStory plans one benign story starting at `at`.
func (g *Generator) buildStory(at int64) {
	g.stories++
	st := &story{g: g, r: &g.traffic, optionalEnd: g.endMs - optionalStepRoomMs}
	switch storyKind(g.traffic.weighted(storyWeights)) {
	case storySignIn:
		u := st.freeUser(at)
		st.browserSession(u, at, st.pickClient(u))
	case storyMistypedPassword:
		st.mistypedPassword(st.freeUser(at), at)
	case storyPasswordReset:
		st.recovery(at, st.passwordReset)
	case storyAccountUnlock:
		st.recovery(at, st.accountUnlock)
	case storyAdministration:
		st.administration(at)
	case storyOrgNotice:
		st.orgNotice(at)
	}
}

func (st *story) anyUser() *user {
	users := st.g.org.users
	return users[st.r.intn(len(users))]
}

// freeUser picks a user who is not in the middle of a recovery at time at
// (a locked-out user cannot sign in elsewhere). Only an org whose every
// user is recovering gets a busy one.
func (st *story) freeUser(at int64) *user {
	for try := 0; try < 16; try++ {
		if u := st.anyUser(); u.recoveringUntil < at {
			return u
		}
	}
	for _, u := range st.g.org.users {
		if u.recoveringUntil < at {
			return u
		}
	}
	return st.anyUser()
}

// client is a device slot and a network of a user.
type client struct{ slot, net int }

func (st *story) pickClient(u *user) client {
	r := st.r
	switch {
	case r.chance(0.15):
		return client{slotPhone, netOnPhone}
	case u.office != nil && r.chance(0.6):
		return client{slotDesktop, netAtOffice}
	case r.chance(0.05):
		return client{slotPhone, netAtHome}
	}
	return client{slotDesktop, netAtHome}
}

// newSession opens a browser session of u on client c.
func (st *story) newSession(u *user, c client) *sessionCtx {
	s := st.sessionless(u, u.endpointFor(c.slot, c.net), &u.browserIDs[c.slot])
	s.identityEngine = st.r.chance(0.3) && !st.g.opts.Classic
	s.classic = st.g.opts.Classic
	s.sessionID = st.r.sessionID(s.identityEngine)
	if c.net == netOnPhone {
		s.behaviors = behaviorsNewIP
	}
	return s
}

// sessionless is a context for requests made outside any Okta session.
func (st *story) sessionless(u *user, ep *endpoint, b *browserID) *sessionCtx {
	return &sessionCtx{
		user: u, ep: ep, browser: b, sessionID: "unknown",
		behaviors: behaviorsNormal, risk: riskLow, render: st.r.fork(),
	}
}

// systemJob is a context for a job Okta runs on its own, about user u.
func (st *story) systemJob(u *user) *sessionCtx {
	s := &sessionCtx{user: u, ep: st.g.org.system, job: true, render: st.r.fork()}
	s.sessionID = string(st.r.appendBase64URL([]byte("trs"), 22))
	return s
}

// browserSession plans a sign-in to Okta followed by work in the session.
func (st *story) browserSession(u *user, at int64, c client) {
	u.lastSignInAt = max(u.lastSignInAt, at)
	f := &flow{st: st, s: st.newSession(u, c), t: at}
	f.signIn(st.signInPlan(u, c, at))
	if st.r.chance(0.2) {
		f.openDashboard()
	}
	st.workInSession(f, c)
}

// workInSession plans the optional part of a session: app sign-ins, maybe
// a factor change, maybe a logout. Steps that would run past the end of
// the log are left out.
func (st *story) workInSession(f *flow, c client) {
	var lastApp *app
	visits := int(st.r.exp(2.5))
	for i := 0; i < visits; i++ {
		next := f.t + st.think(meanGapBetweenAppsMs)
		if next >= st.optionalEnd {
			return
		}
		f.t = next
		lastApp = st.pickApp(f.s.user)
		f.visitApp(lastApp, c.slot == slotPhone)
	}
	if st.r.chance(0.05) && f.t+optionalStepRoomMs < st.optionalEnd {
		f.changeFactor()
	}
	if next := f.t + st.think(meanGapBeforeLogout); st.r.chance(0.35) && next < st.optionalEnd {
		f.t = next
		f.logout(lastApp)
	}
}

func (st *story) pickApp(u *user) *app {
	return st.g.org.apps[u.apps[st.r.weighted(u.appWeights)]]
}

// signInPlan says how the global session policy treats a sign-in.
type signInPlan struct {
	policy result // ALLOW or CHALLENGE
	reason reason
	factor factor // factor to verify; factorNone for none
	enroll bool   // the user has no factor and must enrol
}

func (st *story) signInPlan(u *user, c client, at int64) signInPlan {
	if u.factorsResetAt != 0 && at >= u.factorsResetAt {
		u.enrolled, u.factorsResetAt = 0, 0
	}
	if u.enrolled == 0 {
		return signInPlan{policy: resultChallenge, reason: reasonPolicyEnroll, enroll: true}
	}
	skipMFA := 0.08 // remembered device
	if c.net == netAtOffice {
		skipMFA = 0.85
	}
	if st.r.chance(skipMFA) {
		return signInPlan{policy: resultAllow, reason: reasonPolicyAllow}
	}
	return signInPlan{policy: resultChallenge, reason: reasonPolicyChallenge, factor: st.loginFactor(u)}
}

// loginFactor is the factor a user verifies with: mostly the primary one.
func (st *story) loginFactor(u *user) factor {
	if u.has(u.primary) && st.r.chance(0.85) {
		return u.primary
	}
	return st.enrolledFactor(u, false)
}

// enrolledFactor picks one of the user's enrolled factors, optionally
// excluding the primary one; factorNone when there is none.
func (st *story) enrolledFactor(u *user, excludePrimary bool) factor {
	var choices []factor
	for f := factorPush; f < numFactors; f++ {
		if u.has(f) && !(excludePrimary && f == u.primary) {
			choices = append(choices, f)
		}
	}
	if len(choices) == 0 {
		return factorNone
	}
	return choices[st.r.intn(len(choices))]
}

// signIn plans the article's "Sign in to Okta" sequence: user.session.start,
// policy.evaluate_sign_on, the MFA events, user.authentication.verify. In
// a Classic Engine session it plans Classic's: the MFA events in the
// session they establish (classicMFA), and no verification.
func (f *flow) signIn(p signInPlan) {
	f.emit(event{kind: kSessionStart, newRequest: true})
	f.wait(15, 90)
	f.emit(event{kind: kPolicyEvaluateSignOn, result: p.policy, reason: p.reason})
	if f.s.classic {
		if p.enroll || p.factor != factorNone {
			f.classicMFA()
		}
		switch {
		case p.enroll:
			f.enrollAtSignIn()
		case p.factor != factorNone:
			f.verifyFactor(p.factor, false)
		}
		f.s.signInEnd = f.t
		return
	}
	verified := p.factor
	switch {
	case p.enroll:
		verified = f.enrollAtSignIn()
	case p.factor != factorNone:
		f.verifyFactor(p.factor, false)
	}
	f.wait(80, 1500)
	f.emit(event{kind: kAuthVerify, factor: verified, newRequest: true})
}

// classicMFA moves the flow to the session a Classic Engine sign-in's MFA
// establishes: a new externalSessionId, whose sign-in MFA events name the
// user.session.start's request as their authnRequestId. The rest of the
// session goes on in it.
func (f *flow) classicMFA() {
	s := f.s
	f.s = &sessionCtx{
		user: s.user, ep: s.ep, browser: s.browser, classic: true, signIn: s,
		behaviors: s.behaviors, risk: s.risk, device: s.device, enrollmentIDs: s.enrollmentIDs,
		render: f.st.r.fork(), pushes: s.pushes, mfaFailures: s.mfaFailures,
	}
	f.s.sessionID = f.st.r.sessionID(false)
}

// verifyFactor plans the MFA events of one verification.
func (f *flow) verifyFactor(fac factor, appPolicy bool) {
	if fac == factorPush {
		f.verifyPush(appPolicy)
		return
	}
	f.verifyCode(fac, appPolicy)
}

// verifyPush plans an Okta Verify push. A benign session sends at most two
// pushes: the first may time out or be denied by mistake, then one more.
func (f *flow) verifyPush(appPolicy bool) {
	r := f.st.r
	retry := f.s.pushes == 0 && r.chance(0.06)
	f.sendPush(appPolicy)
	if retry {
		if f.s.mfaFailures == 0 && r.chance(0.4) {
			f.wait(3000, 15000)
			f.mfaFailure(factorPush, appPolicy)
			f.wait(2000, 10000)
		} else {
			f.wait(30000, 60000) // the push timed out; the user asks for another
		}
		f.sendPush(appPolicy)
	}
	f.wait(3000, 20000)
	f.emit(event{kind: kAuthViaMFA, factor: factorPush, newRequest: true, appPolicy: appPolicy})
}

func (f *flow) sendPush(appPolicy bool) {
	f.wait(300, 1500)
	f.emit(event{kind: kPushSendVerify, factor: factorPush, newRequest: true, appPolicy: appPolicy})
	f.s.pushes++
}

func (f *flow) mfaFailure(fac factor, appPolicy bool) {
	f.emit(event{kind: kAuthViaMFA, result: resultFailure, reason: reasonInvalidCredentials,
		factor: fac, newRequest: true, appPolicy: appPolicy})
	f.s.mfaFailures++
}

// verifyCode plans a one-time passcode verification: the delivery event of
// the factor (none for TOTP), then user.authentication.auth_via_mfa.
func (f *flow) verifyCode(fac factor, appPolicy bool) {
	if k, ok := verifyKind(fac); ok {
		f.wait(300, 1500)
		f.emit(event{kind: k, factor: fac, newRequest: true, appPolicy: appPolicy})
		if fac == factorEmail {
			f.st.emailDelivery(f.s.user, f.t, kEmailSendFactorVerify)
		}
	}
	f.wait(8000, 45000)
	if f.s.mfaFailures == 0 && f.st.r.chance(0.05) {
		f.mfaFailure(fac, appPolicy)
		f.wait(5000, 20000)
	}
	f.emit(event{kind: kAuthViaMFA, factor: fac, newRequest: true, appPolicy: appPolicy})
}

// enrollAtSignIn enrols one or two factors for a user who has none and
// returns the first.
func (f *flow) enrollAtSignIn() factor {
	weights := []int{0, 55, 10, 15, 10, 10} // indexed by factor
	first := factor(f.st.r.weighted(weights))
	f.enrollFactor(first)
	if f.st.incident == nil {
		f.s.user.primary = first
	}
	if f.st.r.chance(0.3) {
		weights[first] = 0
		f.enrollFactor(factor(f.st.r.weighted(weights)))
	}
	return first
}

// enrollFactor plans the article's enrolment events: the passcode delivery
// of the Phone authenticator (SMS or voice), then user.mfa.factor.activate.
func (f *flow) enrollFactor(fac factor) {
	f.wait(5000, 30000)
	if k, ok := enrollKind(fac); ok {
		f.emit(event{kind: k, factor: fac, newRequest: true, enrolling: true})
		f.wait(10000, 40000)
	}
	f.emit(event{kind: kFactorActivate, factor: fac, reason: reasonFactorSetUp, newRequest: true, enrolling: true})
	if f.st.r.chance(0.5) {
		f.wait(50, 400)
		f.emit(event{kind: kMFAEnrollNotification, factor: fac, enrolling: true})
	}
	if f.st.incident == nil {
		f.s.user.enroll(fac)
	}
}

// openDashboard plans the OpenID Connect exchange of the Okta Dashboard.
func (f *flow) openDashboard() {
	a := f.st.g.org.apps[appDashboard]
	f.wait(200, 1200)
	f.emit(event{kind: kOAuthAuthorizeCode, actor: actorApp, app: a, newRequest: true})
	f.st.tokenExchange(f.s.user, a, f.t)
}

// visitApp plans the article's "Sign in to an app": denied, or [MFA] then
// user.authentication.sso.
func (f *flow) visitApp(a *app, fromPhone bool) {
	r := f.st.r
	f.wait(200, 1500)
	if r.chance(a.spec.denyRate) {
		why := reasonDenyAuthenticators
		if fromPhone {
			why = reasonDenyDevice
		}
		f.emit(event{kind: kAppDenyAccess, result: resultDeny, reason: why, app: a, newRequest: true})
		return
	}
	if a.spec.stepUpMFA && r.chance(0.6) {
		if fac := f.appFactor(); fac != factorNone {
			f.verifyFactor(fac, true)
			f.wait(100, 900)
		}
	}
	f.signOnToApp(a)
}

// signOnToApp plans user.authentication.sso and what comes with it.
func (f *flow) signOnToApp(a *app) {
	oidc := a.spec.signOnMode == "OPENID_CONNECT"
	if oidc {
		f.emit(event{kind: kOAuthAuthorizeCode, actor: actorApp, app: a, newRequest: true})
		f.wait(100, 800)
	}
	f.emit(event{kind: kAuthSSO, app: a, newRequest: !oidc})
	if oidc {
		f.st.tokenExchange(f.s.user, a, f.t)
	}
	if a.index == appAdminConsole {
		f.wait(300, 1200)
		f.emit(event{kind: kAccessAdminApp, app: a, newRequest: true})
	}
}

// appFactor is the factor an app sign-on policy prompts for. Push is used
// only while the session has sent fewer than two pushes.
func (f *flow) appFactor() factor {
	u := f.s.user
	if u.has(factorPush) && f.s.pushes < 2 {
		return factorPush
	}
	for _, fac := range []factor{factorTOTP, factorSMS, factorEmail, factorVoice} {
		if u.has(fac) {
			return fac
		}
	}
	return factorNone
}

// changeFactor plans a self-service change of the user's factors.
func (f *flow) changeFactor() {
	u, r := f.s.user, f.st.r
	f.wait(20000, 120000)
	if fac := f.unenrolledFactor(); fac != factorNone && r.chance(0.5) {
		f.enrollFactor(fac)
		return
	}
	if fac := f.st.enrolledFactor(u, true); fac != factorNone && r.chance(0.5) {
		f.emit(event{kind: kFactorDeactivate, factor: fac, reason: reasonFactorReset, newRequest: true})
		u.unenroll(fac)
		return
	}
	if fac := f.st.enrolledFactor(u, false); fac != factorNone {
		f.emit(event{kind: kFactorUpdate, factor: fac, newRequest: true})
	}
}

func (f *flow) unenrolledFactor() factor {
	var choices []factor
	for fac := factorPush; fac < numFactors; fac++ {
		if !f.s.user.has(fac) {
			choices = append(choices, fac)
		}
	}
	if len(choices) == 0 {
		return factorNone
	}
	return choices[f.st.r.intn(len(choices))]
}

// logout plans the article's logout: sometimes a single logout from a SAML
// app, then user.session.end.
func (f *flow) logout(lastApp *app) {
	if lastApp != nil && lastApp.spec.signOnMode == "SAML_2_0" && f.st.r.chance(0.3) {
		f.emit(event{kind: kAuthSLO, app: lastApp, newRequest: true})
		f.wait(100, 600)
	}
	f.emit(event{kind: kSessionEnd, newRequest: true})
}

// tokenExchange plans the back-channel token grants of an OIDC app: they
// come from the app's servers, outside the user's session.
func (st *story) tokenExchange(u *user, a *app, after int64) {
	s := st.sessionless(u, st.g.org.serviceEndpoint(a), nil)
	f := &flow{st: st, s: s, t: after}
	f.wait(150, 900)
	f.emit(event{kind: kOAuthAccessToken, actor: actorApp, app: a, newRequest: true})
	f.emit(event{kind: kOAuthIDToken, actor: actorApp, app: a})
}

// emailDelivery plans Okta's delivery record of an e-mail sent to u.
func (st *story) emailDelivery(u *user, sentAt int64, about kind) {
	f := &flow{st: st, s: st.systemJob(u), t: sentAt}
	f.wait(800, 4000)
	f.emit(event{kind: kEmailDelivery, actor: actorSystem, reason: reasonEmailSent, about: about, newRequest: true})
}

// mistypedPassword plans one or two failed passwords, then a sign-in.
func (st *story) mistypedPassword(u *user, at int64) {
	c := st.pickClient(u)
	f := &flow{st: st, s: st.sessionless(u, u.endpointFor(c.slot, c.net), &u.browserIDs[c.slot]), t: at}
	for i := 1 + st.r.intn(2); i > 0; i-- {
		why := reasonInvalidCredentials
		if st.r.chance(0.3) {
			why = reasonVerificationError
		}
		f.emit(event{kind: kSessionStart, result: resultFailure, reason: why, newRequest: true})
		f.wait(4000, 25000)
	}
	st.browserSession(u, f.t, c)
}

// recovery runs a self-service recovery story for a user with no recovery
// or sign-in in progress, or a plain sign-in when every user tried is busy.
// No other sign-in of the user starts until the recovery's own sign-in.
func (st *story) recovery(at int64, plan func(*user, int64, client) int64) {
	for try := 0; try < 8; try++ {
		u := st.anyUser()
		if u.recoveringUntil >= at || u.lastSignInAt >= at {
			continue
		}
		c := client{slotDesktop, netAtHome}
		if u.office != nil && st.r.chance(0.4) {
			c.net = netAtOffice
		}
		signInAt := plan(u, at, c)
		u.recoveringUntil = signInAt
		st.browserSession(u, signInAt, c)
		return
	}
	u := st.freeUser(at)
	st.browserSession(u, at, st.pickClient(u))
}

func (st *story) pickChannel() recoveryChannel {
	return recoveryChannel(st.r.weighted([]int{50, 30, 20}))
}

// passwordReset plans the article's self-service password reset: the reset
// message (e-mail, SMS or voice call), user.account.reset_password,
// user.account.update_password. It returns when the user signs in next.
func (st *story) passwordReset(u *user, at int64, c client) int64 {
	f := &flow{st: st, s: st.sessionless(u, u.endpointFor(c.slot, c.net), &u.browserIDs[c.slot]), t: at}
	channel := st.pickChannel()
	f.emit(event{kind: passwordResetKind[channel], actor: actorSystem, newRequest: true})
	if channel == channelEmail {
		st.emailDelivery(u, f.t, kEmailPasswordResetSent)
	}
	f.wait(30000, 240000)
	f.emit(event{kind: kResetPassword, newRequest: true})
	f.wait(20000, 90000)
	f.emit(event{kind: kUpdatePassword, newRequest: true})
	return f.t + st.r.between(3000, 30000)
}

// accountUnlock plans failed passwords up to a lockout, then the article's
// self-service unlock: the unlock message, user.account.unlock_token,
// user.account.unlock. It returns when the user signs in next.
func (st *story) accountUnlock(u *user, at int64, c client) int64 {
	f := &flow{st: st, s: st.sessionless(u, u.endpointFor(c.slot, c.net), &u.browserIDs[c.slot]), t: at}
	for i := 3 + st.r.intn(3); i > 0; i-- {
		f.emit(event{kind: kSessionStart, result: resultFailure, reason: reasonInvalidCredentials, newRequest: true})
		f.wait(4000, 20000)
	}
	f.emit(event{kind: kAccountLock, reason: reasonLockedOut})
	if st.r.chance(0.5) {
		f.wait(5000, 30000)
		f.emit(event{kind: kSessionStart, result: resultFailure, reason: reasonLockedOut, newRequest: true})
	}
	f.wait(20000, 180000)
	channel := st.pickChannel()
	f.emit(event{kind: unlockKind[channel], actor: actorSystem, newRequest: true})
	if channel == channelEmail {
		st.emailDelivery(u, f.t, kEmailAccountUnlockSent)
	}
	f.wait(30000, 240000)
	f.emit(event{kind: kUnlockToken, newRequest: true})
	f.wait(5000, 40000)
	f.emit(event{kind: kUnlock, newRequest: true})
	return f.t + st.r.between(5000, 40000)
}

// administration plans an administrator's session in the Admin Console
// acting on other users' factors and groups.
func (st *story) administration(at int64) {
	admins := st.g.org.admins
	admin := admins[st.r.intn(len(admins))]
	if admin.recoveringUntil >= at {
		u := st.freeUser(at)
		st.browserSession(u, at, st.pickClient(u))
		return
	}
	c := client{slotDesktop, netAtHome}
	if admin.office != nil {
		c.net = netAtOffice
	}
	f := &flow{st: st, s: st.newSession(admin, c), t: at}
	f.signIn(st.signInPlan(admin, c, at))
	f.wait(5000, 60000)
	f.visitApp(st.g.org.apps[appAdminConsole], false)
	for i := 1 + st.r.intn(3); i > 0; i-- {
		next := f.t + st.r.between(20000, 240000)
		if next+adminActionMaxMs >= st.optionalEnd {
			return
		}
		f.t = next
		f.adminAction(st.otherUser(admin))
	}
	if next := f.t + st.r.between(10000, 120000); st.r.chance(0.4) && next < st.optionalEnd {
		f.t = next
		f.logout(nil)
	}
}

// adminActionMaxMs bounds the time one adminAction takes.
const adminActionMaxMs = 5 * 60 * 1000

func (st *story) otherUser(not *user) *user {
	for {
		if u := st.anyUser(); u != not || len(st.g.org.users) == 1 {
			return u
		}
	}
}

// adminAction plans one change an administrator makes to user target.
func (f *flow) adminAction(target *user) {
	r := f.st.r
	switch r.weighted([]int{30, 20, 15, 35}) {
	case 0:
		f.emit(event{kind: kFactorResetAll, other: target, newRequest: true})
		target.factorsResetAt = f.t
	case 1:
		fac := f.st.enrolledFactor(target, false)
		if fac == factorNone {
			fac = factorPush
		}
		f.emit(event{kind: kFactorSuspend, other: target, factor: fac, newRequest: true})
		f.wait(30000, 300000)
		f.emit(event{kind: kFactorUnsuspend, other: target, factor: fac, newRequest: true})
	case 2:
		if fac := f.st.enrolledFactor(target, true); fac != factorNone {
			f.emit(event{kind: kFactorDeactivate, other: target, factor: fac, reason: reasonFactorReset, newRequest: true})
			target.unenroll(fac)
			return
		}
		fallthrough
	default:
		f.emit(event{kind: kGroupMembershipAdd, other: target, newRequest: true})
	}
}

// orgNotice plans an Okta system notice with no user.
func (st *story) orgNotice(at int64) {
	s := st.systemJob(st.g.org.users[0])
	f := &flow{st: st, s: s, t: at}
	f.emit(event{kind: kRateLimitWarning, actor: actorSystem, reason: reasonRateLimitWarn, newRequest: true})
}
