package logevent

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// A FieldError says which field of an event is missing or malformed.
type FieldError struct {
	Field  string // dotted path, e.g. "published"
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Decode decodes one event from its JSON object. The returned Event keeps
// raw (not a copy: the caller must not reuse the slice), and so do its
// Objects, whose JSON may be slices of raw. It fails when raw is not a JSON
// object, or lacks uuid, eventType or a published time it can parse; the
// error is a *FieldError when a field is to blame.
func Decode(raw []byte) (*Event, error) {
	e := &Event{Raw: raw}
	if err := DecodeInto(e, raw); err != nil {
		return nil, err
	}
	return e, nil
}

// DecodeInto is Decode into an Event the caller owns, so that a loop can
// reuse one. It resets every field of e. It may be called from several
// goroutines at once (into different Events).
//
// It first tries a decoder of its own for the shape of Okta's events (see
// fastdecode.go), which reads raw in place, makes each string that recurs
// from event to event once per decoder rather than once per event, and
// gives up on anything it would not decode exactly as the general decoder
// (goccy/go-json) does: a name in another case, escapes in names or
// strings, repeated fields, a value of the wrong type, invalid JSON, names
// that differ only in case (which DecodeInto rejects). The
// general decoder then decodes the event, coercing values of the wrong
// type (see decodeCoerced).
func DecodeInto(e *Event, raw []byte) error {
	*e = Event{Raw: raw}
	// An object without white space before it, the usual case, is tried
	// as it is: the fast path reads JSON's white space after it, and gives
	// up on the other white space TrimSpace trims.
	if len(raw) > 0 && raw[0] == '{' && decodeFast(&e.LogEvent, raw) {
		return e.validate()
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not a JSON object")
	}
	// Trimmed (if it was not tried as it is, or TrimSpace trimmed some),
	// it is tried again, then left to the general decoder.
	e.LogEvent = LogEvent{} // what the fast path left
	if len(trimmed) == len(raw) || !decodeFast(&e.LogEvent, trimmed) {
		e.LogEvent = LogEvent{}
		if err := decodeGeneral(e, trimmed); err != nil {
			return err
		}
	}
	return e.validate()
}

// decodeGeneral decodes the JSON object raw into e's zero LogEvent with the
// general decoder, coercing values of the wrong type if need be. It rejects
// an event with names that differ only in case (see caseVariants).
func decodeGeneral(e *Event, raw []byte) error {
	if fe := caseVariants(raw); fe != nil {
		return fe
	}
	if err := json.Unmarshal(raw, &e.LogEvent); err != nil {
		return decodeCoerced(e, raw, err)
	}
	return nil
}

func (e *Event) validate() error {
	if fe := e.stringObjectVariants(); fe != nil {
		return fe
	}
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
	if v, ok := parseNumber(bytes.TrimSpace(b)); ok {
		*n = Number{Value: v, Valid: true}
	}
	return nil
}

// parseNumber parses a number, or a string holding one between spaces. It
// parses numbers and plain strings (see plainRun) in place, without
// allocating; any other string is unquoted as Go quotes (which JSON's
// escapes are a subset of) and trimmed of Unicode spaces.
func parseNumber(b []byte) (float64, bool) {
	if string(b) == "null" {
		return 0, false // not left to ParseFloat, whose error allocates
	}
	if len(b) > 0 && strings.IndexByte("\"'`", b[0]) >= 0 {
		text, ok := plainString(b)
		if !ok {
			return parseQuotedNumber(string(b))
		}
		b = bytes.TrimSpace(text)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}

// parseQuotedNumber parses a quoted number that plainString declines.
func parseQuotedNumber(s string) (float64, bool) {
	if unquoted, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unquoted)
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// plainString returns the text of a plain JSON string (see plainRun),
// which is its bytes between the quotes, and whether b is one.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	text := b[1 : len(b)-1]
	return text, plainRun(text) == len(text)
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
	if parsed, ok := parseBool(bytes.Trim(bytes.TrimSpace(b), `"`)); ok {
		*v = Bool{Value: parsed, Valid: true}
	}
	return nil
}

// parseBool is strconv.ParseBool of b in lower case, without allocating:
// no other letter than ASCII's lowers to one of "true" or "false", so
// that comparing in any case of equal lengths is the same test.
func parseBool(b []byte) (value, ok bool) {
	switch {
	case len(b) == 1:
		switch b[0] {
		case '1', 't', 'T':
			return true, true
		case '0', 'f', 'F':
			return false, true
		}
	case len(b) == len("true") && bytes.EqualFold(b, []byte("true")):
		return true, true
	case len(b) == len("false") && bytes.EqualFold(b, []byte("false")):
		return false, true
	}
	return false, false
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
// An Object keeps its JSON and decodes it on first use (Map, Len): most of
// an event's debugData is never read, and decoding it into a map is a
// tenth of the cost of decoding an event. Get and paths into it decode only
// the member they name, found in the JSON, unless the JSON is of a kind
// that only decoding it whole tells exactly (see findMember). The zero
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

// Get returns the member named key, exactly. An object not decoded yet
// stays so when its JSON tells (see findMember).
func (o *Object) Get(key string) (any, bool) {
	if v, found, ok := o.member(key, false); ok {
		return v, found
	}
	v, ok := o.Map()[key]
	return v, ok
}

// anyPath is anyGeneric of the object's members (names is not empty),
// which decodes only the member names[0] of an object not decoded yet
// when its JSON tells which it is.
func (o *Object) anyPath(names []string, match func(Value) bool) bool {
	if v, found, ok := o.member(names[0], true); ok {
		return found && anyGeneric(v, names[1:], match)
	}
	return anyGeneric(o.Map(), names, match)
}

// member decodes the value of the member named key (in any case too, when
// fold is set; see findMember) of an object not decoded yet. ok is false
// when the object is decoded, or its JSON does not tell.
func (o *Object) member(key string, fold bool) (v any, found, ok bool) {
	raw, found, ok := o.memberJSON(key, fold)
	if !found || !ok {
		return nil, found, ok
	}
	v, ok = decodeValue(raw)
	return v, true, ok
}

// decodeValue decodes a JSON value, a plain string without a decoder's cost.
func decodeValue(raw []byte) (any, bool) {
	if text, plain := plainString(raw); plain {
		return string(text), true
	}
	var v any
	return v, json.Unmarshal(raw, &v) == nil
}

// memberJSON is findMember on the JSON of an object not decoded yet; ok is
// false as well when the object is decoded.
func (o *Object) memberJSON(key string, fold bool) (raw []byte, found, ok bool) {
	if o.decoded {
		return nil, false, false
	}
	obj := objectJSON(o.raw)
	if obj == nil {
		return nil, false, true // decodeObject decodes nothing
	}
	return findMember(obj, key, fold)
}

// Len returns the number of members.
func (o *Object) Len() int { return len(o.Map()) }

// UnmarshalJSON keeps the JSON for Map to decode. It keeps b itself, not a
// copy, which the caller must not modify afterwards: the general decoder of
// events (goccy/go-json) hands every UnmarshalJSON a copy of its own of the
// value, out of the buffer it reuses, and DecodeInto's fast path a slice of
// the event's JSON, which the Event keeps too, so a second copy would only
// cost time.
func (o *Object) UnmarshalJSON(b []byte) error {
	*o = Object{raw: b}
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
	b = objectJSON(b)
	if b == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}

// objectJSON returns the JSON that b holds when it may be an object (it
// starts with '{'): b itself or the text of a JSON string, without the
// white space around it. It returns nil for anything else.
func objectJSON(b []byte) []byte {
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
	return b
}
