// Package logevent holds Okta's System Log event (the LogEvent object of
// /api/v1/logs), its lenient decoding and typed access to any dotted path.
//
// The original JSON of every event is kept byte for byte in Event.Raw; the
// decoded fields serve queries, indexes and display. Unknown fields are
// tolerated (and still reachable by path through the raw bytes), JSON nulls
// become zero values, and the odd values real exports hold (numbers written
// as strings, booleans as "true") decode to their intended type.
package logevent

import "time"

// Event is one System Log event: its original bytes and its decoded fields.
type Event struct {
	// Raw is the event's original JSON, untouched.
	Raw []byte
	// Time is Published as an instant, in UTC.
	Time time.Time
	LogEvent

	generic map[string]any // Raw decoded generically, on demand (see Path).
}

// LogEvent is Okta's LogEvent object, every documented field of the System
// Log API's schema.
type LogEvent struct {
	UUID                  string                `json:"uuid"`
	Published             string                `json:"published"`
	EventType             string                `json:"eventType"`
	Version               string                `json:"version"`
	Severity              string                `json:"severity"`
	LegacyEventType       string                `json:"legacyEventType"`
	DisplayMessage        string                `json:"displayMessage"`
	Actor                 Actor                 `json:"actor"`
	Client                Client                `json:"client"`
	Device                *Device               `json:"device"`
	Outcome               Outcome               `json:"outcome"`
	Target                []Target              `json:"target"`
	Transaction           Transaction           `json:"transaction"`
	DebugContext          DebugContext          `json:"debugContext"`
	AuthenticationContext AuthenticationContext `json:"authenticationContext"`
	SecurityContext       SecurityContext       `json:"securityContext"`
	Request               Request               `json:"request"`
}

// Actor is the identity that performed the event (typically a user).
type Actor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
	DetailEntry Object `json:"detailEntry"`
}

// Target is one entity an event acted on; Okta's target is an array of them.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
	DetailEntry Object `json:"detailEntry"`
}

// Client is the client that made the request: user agent, zone, device
// kind, IP address and its geography.
type Client struct {
	UserAgent           UserAgent           `json:"userAgent"`
	Zone                string              `json:"zone"`
	Device              string              `json:"device"`
	ID                  string              `json:"id"`
	IPAddress           string              `json:"ipAddress"`
	GeographicalContext GeographicalContext `json:"geographicalContext"`
}

// UserAgent is the client's user agent, raw and as Okta parsed it.
type UserAgent struct {
	RawUserAgent string `json:"rawUserAgent"`
	OS           string `json:"os"`
	Browser      string `json:"browser"`
}

// GeographicalContext is where an IP address is registered.
type GeographicalContext struct {
	City        string      `json:"city"`
	State       string      `json:"state"`
	Country     string      `json:"country"`
	PostalCode  string      `json:"postalCode"`
	Geolocation Geolocation `json:"geolocation"`
}

// Geolocation is a latitude and longitude.
type Geolocation struct {
	Lat Number `json:"lat"`
	Lon Number `json:"lon"`
}

// Device is the device telemetry Okta records for authenticating devices.
type Device struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	OSPlatform            string `json:"os_platform"`
	OSVersion             string `json:"os_version"`
	Managed               Bool   `json:"managed"`
	Registered            Bool   `json:"registered"`
	DeviceIntegrator      Object `json:"device_integrator"`
	DiskEncryptionType    string `json:"disk_encryption_type"`
	ScreenLockType        string `json:"screen_lock_type"`
	Jailbreak             Bool   `json:"jailbreak"`
	SecureHardwarePresent Bool   `json:"secure_hardware_present"`
}

// Outcome is the result of the action and the reason for it.
type Outcome struct {
	Result string `json:"result"`
	Reason string `json:"reason"`
}

// Transaction identifies the request the event belongs to.
type Transaction struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Detail Object `json:"detail"`
}

// DebugContext holds free-form debugging data, which varies by event type.
type DebugContext struct {
	DebugData Object `json:"debugData"`
}

// AuthenticationContext describes how the actor authenticated, and the
// session the event belongs to.
type AuthenticationContext struct {
	AuthenticationProvider string  `json:"authenticationProvider"`
	CredentialProvider     string  `json:"credentialProvider"`
	CredentialType         string  `json:"credentialType"`
	Issuer                 *Issuer `json:"issuer"`
	Interface              string  `json:"interface"`
	AuthenticationStep     Number  `json:"authenticationStep"`
	RootSessionID          string  `json:"rootSessionId"`
	ExternalSessionID      string  `json:"externalSessionId"`
}

// Issuer is the issuer of an authentication token.
type Issuer struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// SecurityContext is what Okta knows of the client's network.
type SecurityContext struct {
	AsNumber Number `json:"asNumber"`
	AsOrg    string `json:"asOrg"`
	ISP      string `json:"isp"`
	Domain   string `json:"domain"`
	IsProxy  Bool   `json:"isProxy"`
}

// Request holds the chain of IP addresses the request passed through.
type Request struct {
	IPChain []IPAddress `json:"ipChain"`
}

// IPAddress is one hop of the request's IP chain.
type IPAddress struct {
	IP                  string              `json:"ip"`
	GeographicalContext GeographicalContext `json:"geographicalContext"`
	Version             string              `json:"version"`
	Source              string              `json:"source"`
}
