// Package synth generates the System Log of a synthetic Okta org: events in
// the exact shape of Okta's LogEvent (as GET /api/v1/logs returns them, in
// the same key order), seeded and deterministic, streamed in ascending
// published order in constant memory, with optional planted incidents whose
// ground truth is returned for tests and demos.
//
//	g := synth.New(synth.Options{Seed: 1, Events: 50000, Incidents: true})
//	g.WriteTo(w)          // NDJSON, one event per line
//	truth := g.Incidents()
//
// # The org
//
// Users (ids 00u…, logins first.last@acme.example) live in the United
// States, the United Kingdom, Germany or Canada, work from home, from an
// office or from a phone, and use Okta Verify push, a TOTP app, SMS, voice
// or e-mail as factors. Applications (ids 0oa…) include the Okta Dashboard
// and Admin Console (OpenID Connect), Salesforce, Slack, GitHub, Google
// Workspace, AWS and others (SAML). Addresses come only from ranges no real
// host uses (see world.go); ASNs, ISPs and coordinates are real.
//
// # Event sequences
//
// Sessions follow the sequences of the Okta article "User Sign-in and
// Recovery Events in the Okta System Log" (testdata/article.txt):
//
//   - Sign in to Okta: user.session.start, policy.evaluate_sign_on (ALLOW,
//     or CHALLENGE when MFA or enrolment follows), the MFA events,
//     user.authentication.verify.
//   - MFA verification: system.push.send_factor_verify_push,
//     system.email.send_factor_verify_message,
//     system.sms.send_factor_verify_message or
//     system.voice.send_phone_verification_call (none for TOTP), then
//     user.authentication.auth_via_mfa.
//   - MFA enrolment: system.sms.send_phone_verification_message or
//     system.voice.send_mfa_challenge_call for the Phone authenticator
//     (none for the others), then user.mfa.factor.activate.
//   - Sign in to an app: [MFA events] then user.authentication.sso, or
//     application.policy.sign_on.deny_access (outcome DENY).
//   - Self-service password reset: system.email.password_reset.sent_message,
//     system.sms.send_password_reset_message or
//     system.voice.send_password_reset_call, user.account.reset_password,
//     user.account.update_password, then a normal sign-in.
//   - Self-service unlock (after failed passwords and user.account.lock):
//     system.email.account_unlock.sent_message,
//     system.sms.send_account_unlock_message or
//     system.voice.send_account_unlock_call, user.account.unlock_token,
//     user.account.unlock, then a normal sign-in.
//   - Logout: user.authentication.slo (sometimes), then user.session.end.
//   - Factor changes: user.mfa.factor.activate, deactivate, update by the
//     user; reset_all, suspend, unsuspend, deactivate by an administrator.
//
// # Classic Engine orgs
//
// With Options.Classic the org runs Okta Classic Engine, and its sign-ins
// follow Classic's sequence instead of the article's: user.session.start
// and policy.evaluate_sign_on in one request to the Authentication API
// (/api/v1/authn) in a "102…" session; when the policy challenges, the MFA
// (or enrolment) events in a new "102…" session, the one the MFA
// establishes, each naming the user.session.start's transaction.id as its
// debugData.authnRequestId; no user.authentication.verify. The rest of the
// session (app sign-ins, factor changes, the logout) goes on in the session
// the MFA established. The planted incidents follow the same sequence.
// Without it, the output is byte for byte what it was before Classic
// Engine orgs existed (TestDefaultOutputIsPinned).
//
// Some noise surrounds them: OAuth 2.0 grants (app.oauth2.*),
// user.session.access_admin_app, system.email.delivery,
// system.email.mfa_enroll_notification.sent_message,
// group.user_membership.add, system.org.rate_limit.warning.
//
// # Invariants of benign traffic
//
// Detection tests may rely on these; planted incidents break them on purpose.
//
//   - Every externalSessionId beginning "102" or "idx" belongs to one
//     session of one user, and all its events share one client IP and one
//     user agent. Events outside a session (failed passwords, recovery
//     messages and steps, OAuth token grants from app back ends) carry
//     "unknown"; Okta's own jobs carry a "trs…" id used once.
//   - Within a session the article's event types appear in the article's
//     order: the sign-in sequence first; after it only app sign-ins (MFA
//     events then sso, or deny_access), factor changes, and at the end the
//     logout. A failed password is a lone user.session.start FAILURE
//     outside any session.
//   - A session sends at most two Okta Verify pushes and has at most one
//     failed user.authentication.auth_via_mfa.
//   - Every recovery follows its sequence for one user from one client, and
//     the sign-in that follows it comes from the same client within a
//     minute. While a user recovers, from the first recovery event to that
//     sign-in, no other sign-in of the user starts (orgs of a handful of
//     users excepted, where everyone may be busy).
//   - Users are seen only from networks of their home country (home ISP,
//     office, mobile carrier). The countries and ASNs of attacker
//     infrastructure (Netherlands, Romania, Singapore, Lithuania; hosting and
//     VPN providers) appear only in planted incidents.
//   - Every event is published in [Start, Start+Duration), in non-decreasing
//     order; uuids are unique.
//   - Planting incidents adds events but changes no benign one: the output
//     with Incidents, minus the incidents' EventUUIDs, is byte-identical to
//     the output without; likewise Travel, which changes neither benign
//     events nor the other incidents.
//   - In a Classic Engine org, no user.authentication.verify and no "idx…"
//     session or /idp/idx/ request appears; every challenged sign-in's MFA
//     completes, from the sign-in's user and client, in another session.
//
// # Choices
//
// The uuid of an event is a version 1 (time-based) UUID, like Okta's,
// carrying its published time. A denied Okta Verify push is
// user.authentication.auth_via_mfa FAILURE with reason INVALID_CREDENTIALS
// and debugData.pushOnlyResponseType OV_RESPONSE_DENY, as Okta Identity
// Engine logs it. The messages that start a recovery name Okta System
// (SystemPrincipal) as actor and the user as target; every other event of
// a user names the user as actor. Where a field's real value is unknown
// (some displayMessage texts), a plausible one is used.
//
// # Memory and speed
//
// Stories (a session, a recovery) are planned whole when the schedule
// reaches their start and kept in a min-heap of compact events until they
// are due; JSON is rendered on the way out from fragments pre-rendered per
// user, client and app. When many events are asked for in a short span,
// idle gaps within sessions shrink so that the number of open sessions, and
// memory, stays bounded whatever the number of events.
package synth
