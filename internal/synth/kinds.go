package synth

// kind identifies an event type the generator can produce.
type kind uint8

const (
	kSessionStart kind = iota
	kPolicyEvaluateSignOn
	kAuthVerify
	kAppDenyAccess
	kAuthSSO
	kAuthViaMFA
	kFactorActivate
	kPushSendVerify
	kEmailSendFactorVerify
	kSMSSendFactorVerify
	kSMSSendPhoneVerification
	kVoiceSendMFAChallenge
	kVoiceSendPhoneVerification
	kEmailPasswordResetSent
	kSMSPasswordResetSent
	kVoicePasswordResetCall
	kResetPassword
	kUpdatePassword
	kEmailAccountUnlockSent
	kSMSAccountUnlockSent
	kVoiceAccountUnlockCall
	kUnlockToken
	kUnlock
	kSessionEnd
	kAuthSLO
	kFactorDeactivate
	kFactorResetAll
	kFactorSuspend
	kFactorUnsuspend
	kFactorUpdate
	kAccountLock
	kAccessAdminApp
	kOAuthAuthorizeCode
	kOAuthAccessToken
	kOAuthIDToken
	kEmailDelivery
	kMFAEnrollNotification
	kGroupMembershipAdd
	kRateLimitWarning
	numKinds
)

// kindSpec holds the fixed text of an event type.
type kindSpec struct {
	eventType      string
	displayMessage string
	legacy         string // legacyEventType on success; "" renders null
	legacyFailure  string // legacyEventType on FAILURE; "" falls back to legacy
}

var kindSpecs = [numKinds]kindSpec{
	kSessionStart:               {"user.session.start", "User login to Okta", "core.user_auth.login_success", "core.user_auth.login_failed"},
	kPolicyEvaluateSignOn:       {"policy.evaluate_sign_on", "Evaluation of sign-on policy", "", ""},
	kAuthVerify:                 {"user.authentication.verify", "Verify user identity", "", ""},
	kAppDenyAccess:              {"application.policy.sign_on.deny_access", "User attempted unauthorized access to app", "app.app_instance.sign_on_policy.access_denied", ""},
	kAuthSSO:                    {"user.authentication.sso", "User single sign on to app", "app.auth.sso", ""},
	kAuthViaMFA:                 {"user.authentication.auth_via_mfa", "Authentication of user via MFA", "core.user.factor.attempt_success", "core.user.factor.attempt_fail"},
	kFactorActivate:             {"user.mfa.factor.activate", "Activate factor for user", "core.user.factor.activate", ""},
	kPushSendVerify:             {"system.push.send_factor_verify_push", "Push notification sent for verification", "", ""},
	kEmailSendFactorVerify:      {"system.email.send_factor_verify_message", "Send email with one-time passcode for verification", "", ""},
	kSMSSendFactorVerify:        {"system.sms.send_factor_verify_message", "Send SMS with one-time passcode for verification", "", ""},
	kSMSSendPhoneVerification:   {"system.sms.send_phone_verification_message", "Send SMS with one-time passcode for phone enrollment", "", ""},
	kVoiceSendMFAChallenge:      {"system.voice.send_mfa_challenge_call", "Voice call with one-time passcode for phone enrollment", "", ""},
	kVoiceSendPhoneVerification: {"system.voice.send_phone_verification_call", "Voice call with one-time passcode for verification", "", ""},
	kEmailPasswordResetSent:     {"system.email.password_reset.sent_message", "Password reset email sent", "core.user.email.message_sent.password_reset", ""},
	kSMSPasswordResetSent:       {"system.sms.send_password_reset_message", "Send SMS for password reset", "", ""},
	kVoicePasswordResetCall:     {"system.voice.send_password_reset_call", "Voice call for password reset", "", ""},
	kResetPassword:              {"user.account.reset_password", "Fired when the user's Okta password is reset", "core.user.config.user_status.password_reset", ""},
	kUpdatePassword:             {"user.account.update_password", "User update password for Okta", "core.user.config.password_update.success", "core.user.config.password_update.failure"},
	kEmailAccountUnlockSent:     {"system.email.account_unlock.sent_message", "Account unlock email sent", "core.user.email.message_sent.self_service_unlock", ""},
	kSMSAccountUnlockSent:       {"system.sms.send_account_unlock_message", "Send SMS for account unlock", "", ""},
	kVoiceAccountUnlockCall:     {"system.voice.send_account_unlock_call", "Voice call for account unlock", "", ""},
	kUnlockToken:                {"user.account.unlock_token", "Grant recovery token to unlock user account", "core.user.config.user_status.unlock_token", ""},
	kUnlock:                     {"user.account.unlock", "Unlock user account", "core.user.config.user_status.unlocked", ""},
	kSessionEnd:                 {"user.session.end", "User logout from Okta", "core.user_auth.logout_success", ""},
	kAuthSLO:                    {"user.authentication.slo", "User single logout from app", "app.auth.slo", ""},
	kFactorDeactivate:           {"user.mfa.factor.deactivate", "Reset factor for user", "core.user.factor.deactivate", ""},
	kFactorResetAll:             {"user.mfa.factor.reset_all", "Reset all factors for user", "core.user.factor.reset_all", ""},
	kFactorSuspend:              {"user.mfa.factor.suspend", "Suspend factor for user", "core.user.factor.suspend", ""},
	kFactorUnsuspend:            {"user.mfa.factor.unsuspend", "Unsuspend factor for user", "core.user.factor.unsuspend", ""},
	kFactorUpdate:               {"user.mfa.factor.update", "Update factor for user", "core.user.factor.update", ""},
	kAccountLock:                {"user.account.lock", "Max sign in attempts exceeded", "core.user_auth.account_locked", ""},
	kAccessAdminApp:             {"user.session.access_admin_app", "User accessing Okta admin app", "app.admin.sso.login.success", ""},
	kOAuthAuthorizeCode:         {"app.oauth2.authorize.code", "OIDC authorization code request", "app.oauth2.authorize.code_success", ""},
	kOAuthAccessToken:           {"app.oauth2.token.grant.access_token", "OIDC access token is granted", "app.oauth2.token.grant.access_token_success", ""},
	kOAuthIDToken:               {"app.oauth2.token.grant.id_token", "OIDC id token is granted", "app.oauth2.token.grant.id_token_success", ""},
	kEmailDelivery:              {"system.email.delivery", "Email delivery", "", ""},
	kMFAEnrollNotification:      {"system.email.mfa_enroll_notification.sent_message", "Send user MFA enrollment notification email", "core.user.email.message_sent.mfa_enroll_notification", ""},
	kGroupMembershipAdd:         {"group.user_membership.add", "Add user to group membership", "core.user_group_member.user_add", ""},
	kRateLimitWarning:           {"system.org.rate_limit.warning", "Rate limit warning", "core.framework.ratelimit.warning", ""},
}

// result is an outcome.result value.
type result uint8

const (
	resultSuccess result = iota
	resultFailure
	resultAllow
	resultDeny
	resultChallenge
)

var resultNames = [...]string{"SUCCESS", "FAILURE", "ALLOW", "DENY", "CHALLENGE"}

// reason is an outcome.reason value; reasonNone renders null.
type reason uint8

const (
	reasonNone reason = iota
	reasonInvalidCredentials
	reasonVerificationError
	reasonLockedOut
	reasonPolicyAllow
	reasonPolicyChallenge
	reasonPolicyEnroll
	reasonDenyAuthenticators
	reasonDenyDevice
	reasonFactorSetUp   // "User set up <FACTOR> factor"
	reasonFactorReset   // "User reset <FACTOR> factor"
	reasonEmailSent     // "delivered"
	reasonRateLimitWarn // rate limit text
)

var reasonTexts = [...]string{
	reasonNone:               "",
	reasonInvalidCredentials: "INVALID_CREDENTIALS",
	reasonVerificationError:  "VERIFICATION_ERROR",
	reasonLockedOut:          "LOCKED_OUT",
	reasonPolicyAllow:        "Sign-on policy evaluation resulted in ALLOW",
	reasonPolicyChallenge:    "Sign-on policy evaluation resulted in CHALLENGE",
	reasonPolicyEnroll:       "Sign-on policy evaluation resulted in ENROLL",
	reasonDenyAuthenticators: "Access has been denied because the policy requirements could not be satisfied by the user's current set of available authenticator enrollments.",
	reasonDenyDevice:         "Device is not managed or does not meet the device assurance policy",
	reasonEmailSent:          "delivered",
	reasonRateLimitWarn:      "Rate limit warning for /api/v1/authn reached 60% of the limit",
}

// factor is an MFA factor (authenticator enrollment) type.
type factor uint8

const (
	factorNone  factor = iota
	factorPush         // Okta Verify push
	factorTOTP         // time-based one-time passcode app
	factorSMS          // Phone authenticator, SMS mode
	factorVoice        // Phone authenticator, voice call mode
	factorEmail        // Email authenticator
	numFactors
)

// factorSpec holds how a factor shows in events.
type factorSpec struct {
	debugName      string // debugData.factor
	displayName    string // AuthenticatorEnrollment target displayName
	methodTypeUsed string // target detailEntry.methodTypeUsed
	properties     string // target detailEntry.methodUsedVerifiedProperties
	idPrefix       string // enrollment id prefix
	credentialType string // authenticationContext.credentialType; "" renders null
}

var factorSpecs = [numFactors]factorSpec{
	factorNone:  {"PASSWORD_AS_FACTOR", "Password", "Password", "[USER_PRESENCE]", "lae", "PASSWORD"},
	factorPush:  {"OKTA_VERIFY_PUSH", "Okta Verify", "Get a push notification", "[DEVICE_BOUND, HARDWARE_PROTECTED, USER_PRESENCE]", "opf", ""},
	factorTOTP:  {"SOFT_TOKEN", "Google Authenticator", "Enter a code", "[DEVICE_BOUND, USER_PRESENCE]", "uft", "OTP"},
	factorSMS:   {"SMS_FACTOR", "Phone", "SMS", "[USER_PRESENCE]", "mbl", "SMS"},
	factorVoice: {"CALL_FACTOR", "Phone", "Voice call", "[USER_PRESENCE]", "clf", "OTP"},
	factorEmail: {"EMAIL_FACTOR", "Email", "Email", "[USER_PRESENCE]", "emf", "EMAIL"},
}

// verifyKind is the event that delivers a challenge for a factor when the
// user authenticates with it (article: "Review Multifactor Authentication
// Events"); ok is false for factors with no delivery event (TOTP).
func verifyKind(f factor) (k kind, ok bool) {
	switch f {
	case factorPush:
		return kPushSendVerify, true
	case factorSMS:
		return kSMSSendFactorVerify, true
	case factorVoice:
		return kVoiceSendPhoneVerification, true
	case factorEmail:
		return kEmailSendFactorVerify, true
	}
	return 0, false
}

// enrollKind is the event that delivers the one-time passcode when the user
// enrols a factor; per the article only the Phone authenticator has one.
func enrollKind(f factor) (k kind, ok bool) {
	switch f {
	case factorSMS:
		return kSMSSendPhoneVerification, true
	case factorVoice:
		return kVoiceSendMFAChallenge, true
	}
	return 0, false
}

// recoveryChannel is how Okta delivers a self-service recovery message.
type recoveryChannel uint8

const (
	channelEmail recoveryChannel = iota
	channelSMS
	channelVoice
)

// passwordResetKind and unlockKind give the article's first step of SSPR and SSU.
var (
	passwordResetKind = [...]kind{kEmailPasswordResetSent, kSMSPasswordResetSent, kVoicePasswordResetCall}
	unlockKind        = [...]kind{kEmailAccountUnlockSent, kSMSAccountUnlockSent, kVoiceAccountUnlockCall}
)
