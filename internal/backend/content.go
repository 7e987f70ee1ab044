package backend

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// SameContent reports whether two events' JSON texts hold the same event:
// equal bytes, or the same JSON value once decoded, whatever the
// whitespace and the order of object keys. Numbers are equal when their
// texts are, or when both parse to the same finite float64 (1, 1.0 and 1e0
// are one number). A text that does not decode is the same only as equal
// bytes. It is what makes an Insert of a known uuid a duplicate rather
// than a Conflict.
func SameContent(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, okA := decodeValue(a)
	vb, okB := decodeValue(b)
	return okA && okB && sameValue(va, vb)
}

// decodeValue decodes one JSON value, numbers kept as their text.
func decodeValue(data []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err == nil { // more than one value
		return nil, false
	}
	return v, true
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !sameValue(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		return ok && sameNumber(a, b)
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case nil:
		return b == nil
	}
	return false
}

func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	fa, errA := strconv.ParseFloat(string(a), 64)
	fb, errB := strconv.ParseFloat(string(b), 64)
	return errA == nil && errB == nil && fa == fb
}
