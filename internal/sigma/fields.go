package sigma

import (
	"reflect"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// freeFormPaths are LogEvent paths inside free-form objects (debugData,
// detailEntry, authenticatorContext) whose spelling Okta documents, from
// okta/customer-detections logs/log_fields.csv and Okta's published queries.
// The typed LogEvent supplies every other known name.
var freeFormPaths = []string{
	"authenticationContext.authenticatorContext.applicationVersion",
	"authenticationContext.authenticatorContext.binaryIdentifier",
	"authenticationContext.authenticatorContext.binaryPath",
	"authenticationContext.authenticatorContext.bindingMethod",
	"authenticationContext.authenticatorContext.requestOrigin",
	"authenticationContext.authenticatorContext.signerDistinguishedName",
	"authenticationContext.authenticatorContext.signerKeyIdentifier",
	"authenticationContext.authenticatorContext.userConsent",
	"authenticationContext.authenticatorContext.validationStatus",
	"debugContext.debugData.authenticatorMethodChallengeTime",
	"debugContext.debugData.authorizationServer",
	"debugContext.debugData.authorizationServerName",
	"debugContext.debugData.behaviors",
	"debugContext.debugData.clientAuthType",
	"debugContext.debugData.defaultAuthorizationServer",
	"debugContext.debugData.deviceFingerprint",
	"debugContext.debugData.dtHash",
	"debugContext.debugData.factor",
	"debugContext.debugData.grantType",
	"debugContext.debugData.grantedScopes",
	"debugContext.debugData.initiationType",
	"debugContext.debugData.keyTypeUsedForAuthentication",
	"debugContext.debugData.logOnlySecurityData",
	"debugContext.debugData.networkConnection",
	"debugContext.debugData.origin",
	"debugContext.debugData.policy",
	"debugContext.debugData.privilegeGranted",
	"debugContext.debugData.privilegeRevoked",
	"debugContext.debugData.pushOnlyResponseType",
	"debugContext.debugData.pushWithNumberChallengeResponseType",
	"debugContext.debugData.redirectUri",
	"debugContext.debugData.requestId",
	"debugContext.debugData.requestUri",
	"debugContext.debugData.requestedScopes",
	"debugContext.debugData.responseTime",
	"debugContext.debugData.risk",
	"debugContext.debugData.signOnMode",
	"debugContext.debugData.threatSuspected",
	"debugContext.debugData.traceId",
	"debugContext.debugData.tunnels",
	"debugContext.debugData.url",
	"target.detailEntry.methodTypeUsed",
	"target.detailEntry.methodUsedVerifiedProperties",
	"target.detailEntry.signOnModeType",
	"transaction.detail.requestApiTokenId",
}

// knownNames maps the folded form of every known path (and path prefix) to
// the canonical spelling of its last step.
var knownNames = buildKnownNames()

// fold is the form names are compared in: lower case, without underscores,
// so that eventtype, EventType and event_type all name eventType.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "_", "")
}

func buildKnownNames() map[string]string {
	m := map[string]string{}
	addTypeNames(m, "", reflect.TypeFor[logevent.LogEvent]())
	for _, p := range freeFormPaths {
		key := ""
		for _, step := range strings.Split(p, ".") {
			key = joinKey(key, fold(step))
			if _, ok := m[key]; !ok {
				m[key] = step
			}
		}
	}
	return m
}

// addTypeNames records the JSON names of t's fields under prefix, walking
// nested structs and slices of structs.
func addTypeNames(m map[string]string, prefix string, t reflect.Type) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := joinKey(prefix, fold(name))
		m[key] = name
		addTypeNames(m, key, t.Field(i).Type)
	}
}

func joinKey(prefix, step string) string {
	if prefix == "" {
		return step
	}
	return prefix + "." + step
}

// canonicalPath spells a Sigma field name the way Okta's LogEvent does
// (eventtype → eventType, debugcontext.debugdata.requestUri →
// debugContext.debugData.requestUri). Numeric steps are kept; from the first
// step it does not know, the rest of the name is kept as written.
func canonicalPath(field string) string {
	steps := strings.Split(field, ".")
	key := ""
	for i, s := range steps {
		if isIndex(s) {
			continue
		}
		next := joinKey(key, fold(s))
		name, ok := knownNames[next]
		if !ok {
			break
		}
		steps[i], key = name, next
	}
	return strings.Join(steps, ".")
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
