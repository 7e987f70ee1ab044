package pushdown

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/logevent"
)

// RawForm says how an event's raw JSON spells the values the evaluator
// reads, which a backend answering RawContains needs (it records it when
// it stores the event).
type RawForm struct {
	// Verbatim: every string value the evaluator reads occurs in the raw
	// JSON byte for byte. False when the JSON has escape sequences, is not
	// valid UTF-8 (the decoder replaces bad bytes), or holds an object or
	// array where LogEvent has a string (the decoder makes it JSON text of
	// its own).
	Verbatim bool
	// ASCII: the raw JSON is ASCII only, so that lower-casing its text (as
	// keyword search does) only changes ASCII letters.
	ASCII bool
}

// Form returns the RawForm of a decoded event.
func Form(e *logevent.Event) RawForm {
	ascii := isASCII(e.Raw)
	verbatim := (ascii || utf8.Valid(e.Raw)) && bytes.IndexByte(e.Raw, '\\') < 0 && !coerced(&e.LogEvent)
	return RawForm{Verbatim: verbatim, ASCII: ascii}
}

// isASCII reports whether b holds only ASCII, eight bytes at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// coerced reports whether a string field of e holds an object's or
// array's JSON text: a value the decoder coerced (a string that starts so
// counts too). The free-form Objects are decoded from the raw JSON as it
// is. TestCoercedCoversEveryString checks that every string field of
// LogEvent is looked at.
func coerced(e *logevent.LogEvent) bool {
	a, c, t, ac := &e.Actor, &e.Client, &e.Transaction, &e.AuthenticationContext
	if anyJSONText(e.UUID, e.Published, e.EventType, e.Version, e.Severity, e.LegacyEventType, e.DisplayMessage,
		a.ID, a.Type, a.AlternateID, a.DisplayName,
		c.Zone, c.Device, c.ID, c.IPAddress, c.UserAgent.RawUserAgent, c.UserAgent.OS, c.UserAgent.Browser,
		e.Outcome.Result, e.Outcome.Reason, t.Type, t.ID,
		ac.AuthenticationProvider, ac.CredentialProvider, ac.CredentialType, ac.Interface, ac.RootSessionID, ac.ExternalSessionID,
		e.SecurityContext.AsOrg, e.SecurityContext.ISP, e.SecurityContext.Domain) || geoJSONText(&c.GeographicalContext) {
		return true
	}
	if d := e.Device; d != nil && anyJSONText(d.ID, d.Name, d.OSPlatform, d.OSVersion, d.DiskEncryptionType, d.ScreenLockType) {
		return true
	}
	if i := ac.Issuer; i != nil && anyJSONText(i.ID, i.Type) {
		return true
	}
	for i := range e.Target {
		t := &e.Target[i]
		if anyJSONText(t.ID, t.Type, t.AlternateID, t.DisplayName) {
			return true
		}
	}
	for i := range e.Request.IPChain {
		h := &e.Request.IPChain[i]
		if anyJSONText(h.IP, h.Version, h.Source) || geoJSONText(&h.GeographicalContext) {
			return true
		}
	}
	return false
}

func geoJSONText(g *logevent.GeographicalContext) bool {
	return anyJSONText(g.City, g.State, g.Country, g.PostalCode)
}

// anyJSONText reports whether a string starts like a JSON object or array.
func anyJSONText(ss ...string) bool {
	for _, s := range ss {
		if s != "" && (s[0] == '{' || s[0] == '[') {
			return true
		}
	}
	return false
}
