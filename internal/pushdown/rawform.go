package pushdown

import (
	"bytes"
	"reflect"
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
	ascii := true
	for _, c := range e.Raw {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	verbatim := (ascii || utf8.Valid(e.Raw)) && bytes.IndexByte(e.Raw, '\\') < 0 &&
		!coercedText(reflect.ValueOf(&e.LogEvent).Elem())
	return RawForm{Verbatim: verbatim, ASCII: ascii}
}

// coercedText reports whether a string field of v (a LogEvent or part of
// one) holds an object's or array's JSON text: a value the decoder coerced
// (a string that starts so counts too).
func coercedText(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		return s != "" && (s[0] == '{' || s[0] == '[')
	case reflect.Pointer:
		return !v.IsNil() && coercedText(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if coercedText(v.Index(i)) {
				return true
			}
		}
	case reflect.Struct:
		if v.Type() == objectType { // free-form: decoded from raw as it is
			return false
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && coercedText(v.Field(i)) {
				return true
			}
		}
	}
	return false
}

var objectType = reflect.TypeFor[logevent.Object]()
