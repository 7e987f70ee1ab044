package logevent

import "strings"

// The session rule: which authenticationContext.externalSessionId values
// name an Okta session. Timelines, scopes, the web UI and detections all
// follow it (docs/timeline.md, "Sessions and API transactions").
//
// Okta's System Log reference ("Event correlation") calls externalSessionId
// what "identifies events that occurred in the same user session", and its
// example lists sessions ("102GALFw8CzRT2KXoqnca8Jdg") beside "trs…" ids.
// A "trs…" id is what Okta writes where a request has no session cookie
// behind it: calls made with an API token, Okta's own jobs, rate-limit
// notices. Each such call gets its own, so following them as sessions turns
// one API client into hundreds of one-event "sessions". Okta writes
// "unknown" (or null) where there is neither, and an id equal to the
// event's own transaction.id names a request, not a session spanning
// requests.

// transactionPrefix begins the ids Okta writes in externalSessionId for
// requests made outside any session.
const transactionPrefix = "trs"

// SessionID returns the event's Okta session id: its externalSessionId
// when that names a session, else "" (none, or an API transaction: see
// APITransaction).
func (e *LogEvent) SessionID() string {
	id := e.AuthenticationContext.ExternalSessionID
	if noSession(id) || isTransactionID(id, e.Transaction.ID) {
		return ""
	}
	return id
}

// APITransaction returns the event's externalSessionId when it names a
// request made outside any session (a "trs…" id, or the event's own
// transaction.id), else "".
func (e *LogEvent) APITransaction() string {
	id := e.AuthenticationContext.ExternalSessionID
	if noSession(id) || !isTransactionID(id, e.Transaction.ID) {
		return ""
	}
	return id
}

// IsSessionID reports whether an externalSessionId value, seen without its
// event, names an Okta session: not empty, "unknown" or "null", and not a
// "trs…" transaction id. SessionID also rejects an id equal to the event's
// own transaction.id.
func IsSessionID(id string) bool {
	return !noSession(id) && !strings.HasPrefix(id, transactionPrefix)
}

// noSession reports whether id is one of the values Okta writes for no
// session at all.
func noSession(id string) bool {
	return id == "" || id == "null" || strings.EqualFold(id, "unknown")
}

// isTransactionID reports whether id names a request: a "trs…" id, or the
// event's own transaction id.
func isTransactionID(id, transaction string) bool {
	return strings.HasPrefix(id, transactionPrefix) || id == transaction
}
