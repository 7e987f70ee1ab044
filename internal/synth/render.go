package synth

import "time"

// The renderer writes a LogEvent by appending pre-rendered fragments in the
// key order of Okta's /api/v1/logs responses; nothing is reflected or
// marshalled per event.

// kindHeads holds, per kind, `,"displayMessage":…,"eventType":…,"outcome":{"result":"`.
var kindHeads = func() (heads [numKinds][]byte) {
	for k, spec := range kindSpecs {
		b := []byte(`,"displayMessage":`)
		b = appendJSONString(b, spec.displayMessage)
		b = append(b, `,"eventType":`...)
		b = appendJSONString(b, spec.eventType)
		heads[k] = append(b, `,"outcome":{"result":"`...)
	}
	return heads
}()

func (g *Generator) render(dst []byte, e *event) []byte {
	s := e.ctx
	if e.newRequest || s.requestID == nil {
		s.nextRequest(e.at)
	}
	dst = append(dst, `{"actor":`...)
	dst = append(dst, g.actorOf(e)...)
	dst = append(dst, `,"client":`...)
	dst = appendClient(dst, e)
	dst = append(dst, `,"device":`...)
	dst = appendDevice(dst, e)
	dst = append(dst, `,"authenticationContext":`...)
	dst = appendAuthenticationContext(dst, e)
	dst = append(dst, kindHeads[e.kind]...)
	dst = appendOutcome(dst, e)
	dst = append(dst, `,"published":"`...)
	dst = g.appendPublished(dst, e.at)
	dst = append(dst, `","securityContext":`...)
	dst = append(dst, s.ep.security...)
	dst = append(dst, `,"severity":"`...)
	dst = append(dst, severityOf(e)...)
	dst = append(dst, `","debugContext":{"debugData":{`...)
	dst = g.appendDebugData(dst, e)
	dst = append(dst, `}},"legacyEventType":`...)
	dst = appendLegacy(dst, e)
	dst = appendTransaction(dst, e)
	dst = append(dst, `,"uuid":"`...)
	hi, lo := g.uuidOf(e.at, e.seq)
	dst = appendUUID(dst, hi, lo)
	dst = append(dst, `","version":"0","request":`...)
	dst = append(dst, s.ep.request...)
	dst = append(dst, `,"target":`...)
	dst = g.appendTargets(dst, e)
	return append(dst, '}')
}

func (g *Generator) actorOf(e *event) []byte {
	switch e.actor {
	case actorSystem:
		return g.org.systemActor
	case actorApp:
		return e.app.actorJSON
	}
	return e.ctx.user.actorJSON
}

func appendClient(dst []byte, e *event) []byte {
	ep := e.ctx.ep
	dst = append(dst, ep.clientHead...)
	switch e.kind {
	case kOAuthAuthorizeCode, kOAuthAccessToken, kOAuthIDToken:
		dst = appendJSONString(dst, e.app.clientID)
	default:
		dst = append(dst, "null"...)
	}
	return append(dst, ep.clientTail...)
}

// appendDevice writes the Okta Verify device of a push enrolment; other
// events have a null device.
func appendDevice(dst []byte, e *event) []byte {
	if e.kind != kFactorActivate || e.factor != factorPush {
		return append(dst, "null"...)
	}
	if e.ctx.device != nil {
		return append(dst, e.ctx.device...)
	}
	return append(dst, e.ctx.user.deviceJSON...)
}

func appendAuthenticationContext(dst []byte, e *event) []byte {
	if e.kind == kAuthViaMFA {
		provider := `"OKTA_CREDENTIAL_PROVIDER"`
		if e.factor == factorTOTP {
			provider = `"GOOGLE"`
		}
		dst = append(dst, `{"authenticationProvider":"FACTOR_PROVIDER","credentialProvider":`...)
		dst = append(dst, provider...)
		dst = append(dst, `,"credentialType":`...)
		dst = appendOptionalString(dst, factorSpecs[e.factor].credentialType)
	} else {
		dst = append(dst, `{"authenticationProvider":null,"credentialProvider":null,"credentialType":null`...)
	}
	dst = append(dst, `,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":`...)
	dst = appendJSONString(dst, e.ctx.sessionID)
	return append(dst, '}')
}

func appendOutcome(dst []byte, e *event) []byte {
	dst = append(dst, resultNames[e.result]...)
	dst = append(dst, `","reason":`...)
	switch e.reason {
	case reasonNone:
		dst = append(dst, "null"...)
	case reasonFactorSetUp:
		dst = append(dst, `"User set up `+factorSpecs[e.factor].debugName+` factor"`...)
	case reasonFactorReset:
		dst = append(dst, `"User reset `+factorSpecs[e.factor].debugName+` factor"`...)
	default:
		dst = appendJSONString(dst, reasonTexts[e.reason])
	}
	return append(dst, '}')
}

func severityOf(e *event) string {
	if e.result == resultFailure || e.result == resultDeny || e.kind == kAccountLock {
		return "WARN"
	}
	return "INFO"
}

func appendLegacy(dst []byte, e *event) []byte {
	spec := &kindSpecs[e.kind]
	legacy := spec.legacy
	if e.result == resultFailure && spec.legacyFailure != "" {
		legacy = spec.legacyFailure
	}
	return appendOptionalString(dst, legacy)
}

func appendTransaction(dst []byte, e *event) []byte {
	if e.ctx.job {
		dst = append(dst, `,"transaction":{"type":"JOB","id":"`...)
	} else {
		dst = append(dst, `,"transaction":{"type":"WEB","id":"`...)
	}
	dst = append(dst, e.ctx.requestID...)
	return append(dst, `","detail":{}}`...)
}

// appendOptionalString writes s as a JSON string, or null when empty.
func appendOptionalString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return appendJSONString(dst, s)
}

// appendPublished writes an RFC 3339 UTC time with milliseconds. The text
// up to the second is cached, since consecutive events share it.
func (g *Generator) appendPublished(dst []byte, ms int64) []byte {
	sec := ms / 1000
	if ms%1000 < 0 {
		sec--
	}
	if sec != g.publishedSecond || g.published == nil {
		g.published = time.Unix(sec, 0).UTC().AppendFormat(g.published[:0], "2006-01-02T15:04:05.")
		g.publishedSecond = sec
	}
	milli := ms - sec*1000
	dst = append(dst, g.published...)
	return append(dst, byte('0'+milli/100), byte('0'+milli/10%10), byte('0'+milli%10), 'Z')
}

// uuidOf returns the event's uuid: a time-based (version 1) UUID like
// Okta's, whose timestamp is the published time and whose remaining bits
// are a hash of the seed and the event's sequence number.
func (g *Generator) uuidOf(atMs int64, seq uint64) (hi, lo uint64) {
	const gregorianOffset = 0x01B21DD213814000 // 100 ns ticks from 1582-10-15 to 1970-01-01
	h1 := mix64(g.uuidKey ^ seq)
	h2 := mix64(h1 ^ g.uuidKey)
	ticks := uint64(atMs)*10000 + gregorianOffset + h1%10000
	timeLow, timeMid, timeHi := ticks&0xffffffff, ticks>>32&0xffff, ticks>>48&0x0fff|0x1000
	hi = timeLow<<32 | timeMid<<16 | timeHi
	lo = h2&^(3<<62) | 2<<62
	return hi, lo
}

// uuidString returns uuidOf as text.
func (g *Generator) uuidString(atMs int64, seq uint64) string {
	hi, lo := g.uuidOf(atMs, seq)
	return string(appendUUID(nil, hi, lo))
}

// subject is the user an event is about: the user an administrator acts
// on, or else the session's user.
func (e *event) subject() *user {
	if e.other != nil {
		return e.other
	}
	return e.ctx.user
}

// enrollmentID is the id of the subject's enrollment of the event's factor.
func (e *event) enrollmentID() string {
	if e.ctx.enrollmentIDs != nil && e.other == nil {
		return e.ctx.enrollmentIDs[e.factor]
	}
	return e.subject().factorIDs[e.factor]
}

func (g *Generator) appendDebugData(dst []byte, e *event) []byte {
	s := e.ctx
	dst = append(dst, `"requestId":"`...)
	dst = append(dst, s.requestID...)
	dst = append(dst, '"')
	if !s.job {
		start := len(dst) + len(`,"requestUri":"`)
		dst = append(dst, `,"requestUri":"`...)
		dst = g.appendRequestURI(dst, e)
		uri := dst[start:]
		dst = append(dst, `","url":"`...)
		dst = append(dst, uri...)
		dst = append(dst, `?"`...)
	}
	return g.appendKindDebugData(dst, e)
}

func (g *Generator) appendKindDebugData(dst []byte, e *event) []byte {
	s := e.ctx
	switch e.kind {
	case kSessionStart, kPolicyEvaluateSignOn:
		if e.result == resultFailure {
			dst = appendKV(dst, "loginResult", reasonTexts[e.reason])
		} else {
			dst = appendKV(dst, "behaviors", s.behaviors)
			dst = appendKV(dst, "risk", s.risk)
		}
		dst = appendBrowser(dst, s)
	case kAuthViaMFA:
		dst = appendAuthnRequest(dst, e)
		dst = appendKV(dst, "behaviors", s.behaviors)
		dst = appendKV(dst, "factor", factorSpecs[e.factor].debugName)
		dst = appendKV(dst, "factorIntent", factorIntent(e))
		dst = appendKV(dst, "promptingPolicyTypes", promptingPolicy(e))
		if e.factor == factorPush {
			dst = appendKV(dst, "pushOnlyResponseType", pushResponse(e))
		}
		dst = appendKV(dst, "risk", s.risk)
	case kAuthVerify, kPushSendVerify, kSMSSendFactorVerify, kVoiceSendPhoneVerification, kEmailSendFactorVerify,
		kSMSSendPhoneVerification, kVoiceSendMFAChallenge:
		dst = appendAuthnRequest(dst, e)
		dst = appendBrowser(dst, s)
	case kFactorActivate:
		if s.signIn != nil && e.at <= s.signInEnd {
			dst = appendAuthnRequest(dst, e) // Classic Engine: enrolled within the sign-in
		}
	case kAuthSSO, kAppDenyAccess:
		dst = appendKV(dst, "initiationType", "IDP_INITIATED")
		dst = appendKV(dst, "signOnMode", signOnModeLabel(e.app))
	case kOAuthAuthorizeCode:
		dst = appendKV(dst, "responseType", "code")
		dst = appendKV(dst, "requestedScopes", "openid profile email")
		dst = appendKV(dst, "grantedScopes", "openid profile email")
	case kOAuthAccessToken, kOAuthIDToken:
		dst = appendKV(dst, "grantType", "authorization_code")
		dst = appendKV(dst, "clientAuthType", "client_secret_basic")
		dst = appendKV(dst, "grantedScopes", "openid profile email")
	case kEmailDelivery:
		dst = appendKV(dst, "emailProvider", "sendgrid")
		dst = appendKV(dst, "category", emailCategory(e.about))
	case kRateLimitWarning:
		dst = appendKV(dst, "operationRateLimitScopeType", "Org")
		dst = appendKV(dst, "operationRateLimitThreshold", "600")
	}
	if s.job || e.actor == actorApp {
		return dst
	}
	return appendKV(dst, "threatSuspected", "false")
}

func appendKV(dst []byte, key, value string) []byte {
	dst = append(dst, `,"`...)
	dst = append(dst, key...)
	dst = append(dst, `":`...)
	return appendJSONString(dst, value)
}

// appendAuthnRequest writes debugData.authnRequestId: the first request of
// the event's session, or, for the MFA of a Classic Engine sign-in, the
// request of the sign-in's user.session.start.
func appendAuthnRequest(dst []byte, e *event) []byte {
	s := e.ctx
	id := s.authnRequestID
	if s.signIn != nil && e.at <= s.signInEnd {
		id = s.signIn.authnRequestID
	}
	dst = append(dst, `,"authnRequestId":"`...)
	dst = append(dst, id...)
	return append(dst, '"')
}

// appendBrowser writes the browser fingerprints Okta logs on sign-in steps.
func appendBrowser(dst []byte, s *sessionCtx) []byte {
	if s.browser == nil {
		return dst
	}
	dst = appendKV(dst, "deviceFingerprint", s.browser.fingerprint)
	if s.identityEngine {
		dst = appendKV(dst, "dtHash", s.browser.dtHash)
	}
	return dst
}

func factorIntent(e *event) string {
	if e.enrolling {
		return "CREDENTIAL_ENROLLMENT"
	}
	return "LOGIN"
}

func promptingPolicy(e *event) string {
	if e.appPolicy {
		return "[ACCESS]"
	}
	return "[OKTA_SIGN_ON]"
}

func pushResponse(e *event) string {
	if e.result == resultSuccess {
		return "OV_RESPONSE_APPROVE"
	}
	return "OV_RESPONSE_DENY"
}

func signOnModeLabel(a *app) string {
	switch a.spec.signOnMode {
	case "OPENID_CONNECT":
		return "OpenID Connect"
	case "WS_FEDERATION":
		return "WS-Federation"
	}
	return "SAML 2.0"
}

func emailCategory(k kind) string {
	switch k {
	case kEmailPasswordResetSent:
		return "email.forgotPassword"
	case kEmailAccountUnlockSent:
		return "email.selfServiceUnlock"
	case kMFAEnrollNotification:
		return "email.mfaEnrollNotification"
	}
	return "email.emailChallenge"
}

func (g *Generator) appendRequestURI(dst []byte, e *event) []byte {
	idx := e.ctx.identityEngine
	switch e.kind {
	case kSessionStart, kPolicyEvaluateSignOn, kAccountLock:
		return append(dst, pick(idx, "/idp/idx/identify", "/api/v1/authn")...)
	case kPushSendVerify, kSMSSendFactorVerify, kVoiceSendPhoneVerification, kEmailSendFactorVerify:
		if idx {
			return append(dst, "/idp/idx/challenge"...)
		}
		return appendFactorPath(dst, "/api/v1/authn/factors/", e, "/verify")
	case kAuthViaMFA:
		if idx {
			return append(dst, pick(e.factor == factorPush, "/idp/idx/authenticators/poll", "/idp/idx/challenge/answer")...)
		}
		return appendFactorPath(dst, "/api/v1/authn/factors/", e, "/verify")
	case kAuthVerify:
		return append(dst, pick(idx, "/idp/idx/challenge/answer", "/login/sessionCookieRedirect")...)
	case kSMSSendPhoneVerification, kVoiceSendMFAChallenge:
		return append(dst, pick(idx, "/idp/idx/credential/enroll", "/api/v1/authn/factors")...)
	case kFactorActivate, kMFAEnrollNotification:
		if idx && e.enrolling {
			return append(dst, "/idp/idx/challenge/answer"...)
		}
		return appendUserFactorPath(dst, e, "/lifecycle/activate")
	}
	return g.appendOtherURI(dst, e)
}

func (g *Generator) appendOtherURI(dst []byte, e *event) []byte {
	switch e.kind {
	case kAuthSSO, kAppDenyAccess:
		return append(dst, e.app.ssoURI...)
	case kAuthSLO:
		return append(dst, e.app.sloURI...)
	case kSessionEnd:
		return append(dst, "/login/signout"...)
	case kAccessAdminApp:
		return append(dst, "/admin/sso/callback"...)
	case kOAuthAuthorizeCode:
		return append(dst, "/oauth2/v1/authorize"...)
	case kOAuthAccessToken, kOAuthIDToken:
		return append(dst, "/oauth2/v1/token"...)
	case kEmailPasswordResetSent, kSMSPasswordResetSent, kVoicePasswordResetCall:
		return append(dst, "/api/v1/authn/recovery/password"...)
	case kEmailAccountUnlockSent, kSMSAccountUnlockSent, kVoiceAccountUnlockCall:
		return append(dst, "/api/v1/authn/recovery/unlock"...)
	case kResetPassword, kUnlockToken:
		return append(dst, "/api/v1/authn/recovery/token"...)
	case kUpdatePassword:
		return append(dst, "/api/v1/authn/credentials/reset_password"...)
	case kUnlock:
		return append(dst, "/api/v1/authn/recovery/answer"...)
	case kFactorDeactivate, kFactorUpdate:
		return appendUserFactorPath(dst, e, "")
	case kFactorSuspend:
		return appendUserFactorPath(dst, e, "/lifecycle/suspend")
	case kFactorUnsuspend:
		return appendUserFactorPath(dst, e, "/lifecycle/unsuspend")
	case kFactorResetAll:
		return append(append(append(dst, "/api/v1/users/"...), e.subject().id...), "/lifecycle/reset_factors"...)
	case kGroupMembershipAdd:
		grp := g.groupFor(e.subject())
		return append(append(append(append(dst, "/api/v1/groups/"...), grp.id...), "/users/"...), e.subject().id...)
	}
	return append(dst, "/api/v1/org"...)
}

func appendFactorPath(dst []byte, prefix string, e *event, suffix string) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, e.enrollmentID()...)
	return append(dst, suffix...)
}

func appendUserFactorPath(dst []byte, e *event, suffix string) []byte {
	dst = append(dst, "/api/v1/users/"...)
	dst = append(dst, e.subject().id...)
	return appendFactorPath(dst, "/factors/", e, suffix)
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// groupFor is the group an administrator adds a user to.
func (g *Generator) groupFor(u *user) *group {
	return &g.org.groups[u.index%len(g.org.groups)]
}

// appendTargets writes the target array of an event, or null.
func (g *Generator) appendTargets(dst []byte, e *event) []byte {
	switch e.kind {
	case kSessionStart:
		if e.result == resultFailure || !e.ctx.identityEngine {
			return append(dst, "null"...)
		}
		dst = append(dst, '[')
		dst = appendEnrollment(dst, e.ctx.user.factorIDs[factorNone], factorNone, false)
		dst = append(dst, ',')
		dst = append(dst, g.org.apps[appDashboard].targetJSON...)
		return append(dst, ']')
	case kPolicyEvaluateSignOn:
		return append(dst, g.policyTargets(e)...)
	case kAuthVerify:
		dst = append(dst, '[')
		dst = appendEnrollment(dst, e.enrollmentID(), e.factor, true)
		dst = append(dst, ',')
		dst = append(dst, g.org.apps[appDashboard].targetJSON...)
		return append(dst, ']')
	case kAuthViaMFA, kPushSendVerify, kSMSSendFactorVerify, kVoiceSendPhoneVerification, kEmailSendFactorVerify,
		kSMSSendPhoneVerification, kVoiceSendMFAChallenge, kFactorActivate, kFactorDeactivate,
		kFactorSuspend, kFactorUnsuspend, kFactorUpdate:
		dst = append(dst, '[')
		dst = append(dst, e.subject().targetJSON...)
		dst = append(dst, ',')
		dst = appendEnrollment(dst, e.enrollmentID(), e.factor, e.kind == kAuthViaMFA)
		return append(dst, ']')
	}
	return g.appendOtherTargets(dst, e)
}

func (g *Generator) appendOtherTargets(dst []byte, e *event) []byte {
	switch e.kind {
	case kAuthSSO, kAuthSLO:
		dst = append(dst, '[')
		dst = append(dst, e.app.targetJSON...)
		dst = append(dst, ',')
		dst = g.appendAppUser(dst, e.ctx.user, e.app)
		return append(dst, ']')
	case kAppDenyAccess:
		return append(append(append(append(append(dst, '['), e.app.targetJSON...), ','), e.ctx.user.targetJSON...), ']')
	case kAccessAdminApp:
		return append(g.appendAppUser(append(dst, '['), e.ctx.user, e.app), ']')
	case kEmailDelivery:
		dst = append(dst, `[{"id":`...)
		dst = appendJSONString(dst, e.ctx.user.login)
		dst = append(dst, `,"type":"email","alternateId":null,"displayName":`...)
		dst = appendJSONString(dst, e.ctx.user.login)
		return append(dst, `,"detailEntry":null}]`...)
	case kGroupMembershipAdd:
		grp := g.groupFor(e.subject())
		dst = append(append(dst, '['), e.subject().targetJSON...)
		dst = append(dst, `,{"id":"`+grp.id+`","type":"UserGroup","alternateId":"unknown","displayName":"`+grp.name+`","detailEntry":null}]`...)
		return dst
	case kSessionEnd, kAccountLock, kRateLimitWarning:
		return append(dst, "null"...)
	}
	// Recovery steps, OAuth grants, reset_all, enrolment notifications: the user.
	return append(append(append(dst, '['), e.subject().targetJSON...), ']')
}

func (g *Generator) policyTargets(e *event) []byte {
	switch {
	case e.reason != reasonPolicyAllow:
		return g.org.policy.mfaOffNetwork
	case e.ctx.ep.onNetwork:
		return g.org.policy.allowOnNetwork
	}
	return g.org.policy.defaultRule
}

// appendEnrollment writes an AuthenticatorEnrollment target; withMethod adds
// the method the user verified with, as on auth_via_mfa and verify events.
func appendEnrollment(dst []byte, id string, f factor, withMethod bool) []byte {
	spec := &factorSpecs[f]
	dst = append(dst, `{"id":"`...)
	dst = append(dst, id...)
	dst = append(dst, `","type":"AuthenticatorEnrollment","alternateId":"unknown","displayName":"`...)
	dst = append(dst, spec.displayName...)
	if !withMethod {
		return append(dst, `","detailEntry":null}`...)
	}
	dst = append(dst, `","detailEntry":{"methodTypeUsed":"`...)
	dst = append(dst, spec.methodTypeUsed...)
	dst = append(dst, `","methodUsedVerifiedProperties":"`...)
	dst = append(dst, spec.properties...)
	return append(dst, `"}}`...)
}

// appendAppUser writes the AppUser target of a user in an app; its id is
// derived from the pair so it is stable across the log.
func (g *Generator) appendAppUser(dst []byte, u *user, a *app) []byte {
	h := rng{state: mix64(uint64(g.org.seed)) ^ uint64(u.index)<<8 ^ uint64(a.index)}
	dst = append(dst, `{"id":"0ua`...)
	dst = h.appendBase62(dst, 14)
	dst = append(dst, g.org.suffix...)
	dst = append(dst, `","type":"AppUser","alternateId":`...)
	dst = appendJSONString(dst, u.login)
	dst = append(dst, `,"displayName":`...)
	dst = appendJSONString(dst, u.name)
	return append(dst, `,"detailEntry":null}`...)
}
