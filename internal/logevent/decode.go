package logevent

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// A FieldError says which field of an event is missing or malformed.
type FieldError struct {
	Field  string // dotted path, e.g. "published"
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Decode decodes one event from its JSON object. The returned Event keeps
// raw (not a copy: the caller must not reuse the slice). It fails when raw is
// not a JSON object, or lacks uuid, eventType or a published time it can
// parse; the error is a *FieldError when a field is to blame.
func Decode(raw []byte) (*Event, error) {
	e := &Event{Raw: raw}
	if err := DecodeInto(e, raw); err != nil {
		return nil, err
	}
	return e, nil
}

// DecodeInto is Decode into an Event the caller owns, so that a loop can
// reuse one. It resets every field of e.
func DecodeInto(e *Event, raw []byte) error {
	*e = Event{Raw: raw}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(trimmed, &e.LogEvent); err != nil {
		if err := decodeCoerced(e, trimmed, err); err != nil {
			return err
		}
	}
	return e.validate()
}

func (e *Event) validate() error {
	switch {
	case e.UUID == "":
		return &FieldError{Field: "uuid", Reason: "missing"}
	case e.EventType == "":
		return &FieldError{Field: "eventType", Reason: "missing"}
	case e.Published == "":
		return &FieldError{Field: "published", Reason: "missing"}
	}
	t, err := ParseTime(e.Published)
	if err != nil {
		return &FieldError{Field: "published", Reason: fmt.Sprintf("not a time: %q", e.Published)}
	}
	e.Time = t
	return nil
}

// decodeCoerced retries a decoding that failed on a value of the wrong type
// (a number where a string belongs, as SIEM exports write), after coercing
// the values to their fields' types. Raw keeps the original bytes.
func decodeCoerced(e *Event, raw []byte, firstErr error) error {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(firstErr, &typeErr) {
		return describeJSONError(firstErr)
	}
	fixed, ok := coerce(raw)
	if !ok {
		return describeJSONError(firstErr)
	}
	e.LogEvent = LogEvent{}
	if err := json.Unmarshal(fixed, &e.LogEvent); err != nil {
		return describeJSONError(err)
	}
	return nil
}

// describeJSONError turns a decoder error into a FieldError naming the field
// when the decoder says which one it was.
func describeJSONError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &FieldError{Field: typeErr.Field, Reason: fmt.Sprintf("JSON %s where %s was expected", typeErr.Value, typeErr.Type)}
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// timeLayouts are the forms of "published" seen in exports: Okta's own
// RFC 3339 with milliseconds, and the zone-less and space-separated forms that
// SIEM exports write (assumed UTC).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999 -0700 MST",
}

// ParseTime parses an event time in any of the forms exports use, returning
// it in UTC.
func ParseTime(s string) (time.Time, error) {
	if !LooksLikeTime(s) {
		return time.Time{}, fmt.Errorf("not a time: %q", s)
	}
	var firstErr error
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			return t.UTC(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// LooksLikeTime reports whether s starts like a date (YYYY-MM-DD followed by
// a time), a cheap test before parsing.
func LooksLikeTime(s string) bool {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Number is a JSON number that may also arrive as a numeric string or null.
type Number struct {
	Value float64
	Valid bool // false when absent, null or not numeric
}

// UnmarshalJSON accepts a number, a string holding a number, or null.
func (n *Number) UnmarshalJSON(b []byte) error {
	*n = Number{}
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unquoted)
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		*n = Number{Value: v, Valid: true}
	}
	return nil
}

// MarshalJSON writes the number, or null.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, n.Value, 'g', -1, 64), nil
}

// Bool is a JSON boolean that may also arrive as "true"/"false" or null.
type Bool struct {
	Value bool
	Valid bool // false when absent, null or not a boolean
}

// UnmarshalJSON accepts true, false, their quoted forms in any case, or null.
func (v *Bool) UnmarshalJSON(b []byte) error {
	*v = Bool{}
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if parsed, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
		*v = Bool{Value: parsed, Valid: true}
	}
	return nil
}

// MarshalJSON writes the boolean, or null.
func (v Bool) MarshalJSON() ([]byte, error) {
	if !v.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendBool(nil, v.Value), nil
}

// Object is a free-form JSON object (debugData, detailEntry, …). Exports
// sometimes hold it as a string of JSON; that string is decoded too. Any
// other value leaves the Object empty (the raw event still holds it).
//
// An Object keeps its JSON and decodes it on first use (Map, Get, Len, a
// path into it): most of an event's debugData is never read, and decoding
// it into a map is a tenth of the cost of decoding an event. The zero
// Object is empty. Like the Event that holds it, an Object is not safe for
// concurrent use before it has been decoded.
type Object struct {
	raw     []byte // the JSON not decoded yet
	m       map[string]any
	decoded bool
}

// NewObject returns the Object holding m.
func NewObject(m map[string]any) Object { return Object{m: m, decoded: true} }

// Map returns the object's members (nil when empty), decoding them first
// if needed.
func (o *Object) Map() map[string]any {
	if !o.decoded {
		o.m, o.raw, o.decoded = decodeObject(o.raw), nil, true
	}
	return o.m
}

// Get returns the member named key, exactly. A key the JSON does not hold,
// not even escaped, is found missing without decoding the object.
func (o *Object) Get(key string) (any, bool) {
	if !o.decoded && !bytes.Contains(o.raw, []byte(key)) && !bytes.Contains(o.raw, []byte(`\u`)) {
		return nil, false
	}
	v, ok := o.Map()[key]
	return v, ok
}

// lacksFold reports, without decoding, that the object surely has no
// member whose name equals key in any case: the JSON is plain ASCII (no
// escapes, no other bytes, so that case folding is ASCII's) and holds no
// such text. False means the member may be there.
func (o *Object) lacksFold(key string) bool {
	if o.decoded || bytes.Contains(o.raw, []byte(`\u`)) {
		return false
	}
	for _, c := range o.raw {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	k := []byte(key)
	for i := 0; i+len(k) <= len(o.raw); i++ {
		if bytes.EqualFold(o.raw[i:i+len(k)], k) {
			return false
		}
	}
	return true
}

// Len returns the number of members.
func (o *Object) Len() int { return len(o.Map()) }

// UnmarshalJSON keeps a copy of the JSON for Map to decode.
func (o *Object) UnmarshalJSON(b []byte) error {
	*o = Object{raw: bytes.Clone(b)}
	return nil
}

// MarshalJSON writes the members as a JSON object (null when empty).
func (o Object) MarshalJSON() ([]byte, error) {
	m := o.m
	if !o.decoded {
		m = decodeObject(o.raw)
	}
	return json.Marshal(m)
}

// decodeObject decodes an object, or a string holding an object; anything
// else is empty.
func decodeObject(b []byte) map[string]any {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		b = bytes.TrimSpace([]byte(s))
	}
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}
