package oktaapi

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Okta error codes this package sends or recognises (Okta's error code
// reference and the System Log API page).
const (
	CodeValidation   = "E0000001" // API validation failed (a bad parameter)
	CodeInternal     = "E0000009" // Internal Server Error; also a query timeout
	CodeInvalidToken = "E0000011" // Invalid token provided
	CodeMethod       = "E0000022" // the endpoint does not support the method
	CodeNotFound     = "E0000008" // the requested path was not found
	CodeRateLimit    = "E0000047" // API call exceeded rate limit
	CodeBadFilter    = "E0000053" // invalid filter, or since too old
)

// APIError is Okta's error object, as the API returns it with a non-2xx
// status: {"errorCode", "errorSummary", "errorLink", "errorId",
// "errorCauses": [{"errorSummary"}]}.
type APIError struct {
	// Status is the HTTP status code.
	Status       int          `json:"-"`
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink,omitempty"`
	ErrorID      string       `json:"errorId,omitempty"`
	ErrorCauses  []ErrorCause `json:"errorCauses"`
}

// ErrorCause is one entry of an APIError's errorCauses.
type ErrorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// Error describes the error: status, code, summary and causes.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "okta: HTTP %d", e.Status)
	if e.ErrorCode != "" {
		b.WriteString(" " + e.ErrorCode)
	}
	if e.ErrorSummary != "" {
		b.WriteString(": " + e.ErrorSummary)
	}
	for i, c := range e.ErrorCauses {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(c.ErrorSummary)
		if i == len(e.ErrorCauses)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// newAPIError builds an error with a fresh errorId and errorLink equal to
// the code, as Okta sends them.
func newAPIError(status int, code, summary string, causes ...string) *APIError {
	e := &APIError{Status: status, ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: newErrorID(), ErrorCauses: []ErrorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, ErrorCause{ErrorSummary: c})
	}
	return e
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newErrorID returns an id shaped like Okta's ("oae" and 22 characters).
func newErrorID() string { return "oae" + randomID(22) }

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// decodeAPIError reads Okta's error object from a response body, falling
// back to the status text when the body is not one. Every string is passed
// through scrub (which removes the caller's secret) and shortened.
func decodeAPIError(status int, body []byte, scrub func(string) string) *APIError {
	e := &APIError{}
	if json.Unmarshal(body, e) != nil || (e.ErrorCode == "" && e.ErrorSummary == "") {
		e = &APIError{ErrorSummary: http.StatusText(status)}
	}
	e.Status = status
	e.ErrorCode = clip(scrub(e.ErrorCode), 40)
	e.ErrorSummary = clip(scrub(e.ErrorSummary), 500)
	e.ErrorLink = clip(scrub(e.ErrorLink), 200)
	e.ErrorID = clip(scrub(e.ErrorID), 100)
	if len(e.ErrorCauses) > 10 {
		e.ErrorCauses = e.ErrorCauses[:10]
	}
	for i := range e.ErrorCauses {
		e.ErrorCauses[i].ErrorSummary = clip(scrub(e.ErrorCauses[i].ErrorSummary), 500)
	}
	return e
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
