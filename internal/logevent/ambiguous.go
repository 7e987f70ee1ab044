package logevent

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// An event whose object holds two members whose names differ only in case
// ({"eventType":"a","eventtype":"b"}) means one thing to one reader and
// another to the next: the general decoder matches a field's name in any
// case and keeps the last match ("b"), jq, Python and the UI's JSON keep
// the member named exactly ("a"), and paths into free-form objects match
// in any case, so a filter could see another event than the analyst reads.
// Decoding rejects such an event, with the two names. Members named
// exactly alike follow JSON's usual reading, which all of them share: the
// last one counts.
//
// Names are compared as strings.EqualFold compares them (Unicode's simple
// case folding, "K" with the Kelvin sign too), after unescaping, in every
// object of the event, at any depth, and inside the JSON string an Object
// field may hold (see Object).

// maxVariantDepth is how deeply nested objects and arrays caseVariants
// reads: as deep as the general decoder decodes. An event nested deeper is
// rejected (the decoder rejects it too, or skips it unread).
const maxVariantDepth = 10000

// smallObject is the number of members up to which an object's names are
// compared pairwise; a larger object's are compared through a map.
const smallObject = 16

// caseVariants returns a *FieldError naming two members of an object of
// the JSON value b whose names differ only in case, or nil when there are
// none. JSON it cannot read yields nil: the decoder says what is wrong.
func caseVariants(b []byte) *FieldError {
	v := variantScanner{b: b}
	v.space()
	v.value(0)
	if v.failed {
		return nil
	}
	return v.found
}

// variantScanner reads JSON for caseVariants, by JSON's grammar, and stops
// at the first pair of names found or at what it cannot read.
type variantScanner struct {
	b      []byte
	i      int
	failed bool
	found  *FieldError
	names  [][]byte  // the names of the members of the objects open, innermost last
	path   []segment // where the value being read is
}

// segment is a step of a path: a member's name, or an element's index.
type segment struct {
	name    []byte
	index   int
	element bool
}

func (v *variantScanner) stopped() bool { return v.failed || v.found != nil }

// value reads the value at i, nested in depth objects and arrays.
func (v *variantScanner) value(depth int) {
	if v.i == len(v.b) {
		v.failed = true
		return
	}
	switch c := v.b[v.i]; {
	case c == '"':
		v.string()
	case (c == '{' || c == '[') && depth == maxVariantDepth:
		v.found = &FieldError{Field: quotePath(v.path[:1], nil), Reason: fmt.Sprintf("nested deeper than %d levels", maxVariantDepth)}
	case c == '{':
		v.object(depth)
	case c == '[':
		v.array(depth)
	default: // a number or a literal: up to the next delimiter
		start := v.i
		for v.i < len(v.b) && !isDelimiter(v.b[v.i]) {
			v.i++
		}
		v.failed = v.i == start
	}
}

func isDelimiter(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '{' || c == '['
}

func (v *variantScanner) object(depth int) {
	v.i++ // '{'
	first := len(v.names)
	v.space()
	if v.next('}') {
		return
	}
	for !v.stopped() {
		v.space()
		name := v.name()
		v.space()
		if !v.next(':') {
			v.failed = true
			break
		}
		v.space()
		v.names = append(v.names, name)
		v.path = append(v.path, segment{name: name})
		v.value(depth + 1)
		v.path = v.path[:len(v.path)-1]
		v.space()
		if v.next('}') {
			break
		}
		if !v.next(',') {
			v.failed = true
		}
	}
	if !v.stopped() {
		v.check(v.names[first:])
	}
	v.names = v.names[:first]
}

func (v *variantScanner) array(depth int) {
	v.i++ // '['
	v.space()
	if v.next(']') {
		return
	}
	for k := 0; !v.stopped(); k++ {
		v.space()
		v.path = append(v.path, segment{index: k, element: true})
		v.value(depth + 1)
		v.path = v.path[:len(v.path)-1]
		v.space()
		if v.next(']') {
			return
		}
		if !v.next(',') {
			v.failed = true
		}
	}
}

// string reads the string at i, and returns its bytes between the quotes
// and whether they are its text (no escape).
func (v *variantScanner) string() (text []byte, plain bool) {
	start := v.i + 1
	v.i, plain = start, true
	for {
		v.i = stringRun(v.b, v.i)
		switch {
		case v.i == len(v.b) || v.b[v.i] < ' ':
			v.failed = true
			return nil, false
		case v.b[v.i] == '"':
			v.i++
			return v.b[start : v.i-1], plain
		case v.i+1 == len(v.b):
			v.failed = true
			return nil, false
		default: // an escape: its next byte is never a quote that ends the string
			v.i += 2
			plain = false
		}
	}
}

// name reads a member's name and returns its text: the bytes between the
// quotes of a name without escapes, in valid UTF-8; otherwise the name
// decoded as the decoder decodes it.
func (v *variantScanner) name() []byte {
	if v.i == len(v.b) || v.b[v.i] != '"' {
		v.failed = true
		return nil
	}
	start := v.i
	text, plain := v.string()
	if v.failed || plain && utf8.Valid(text) {
		return text
	}
	var s string
	if json.Unmarshal(v.b[start:v.i], &s) != nil {
		v.failed = true
		return nil
	}
	return []byte(s)
}

// check looks for two names that differ only in case among an object's.
func (v *variantScanner) check(names [][]byte) {
	if len(names) <= smallObject {
		for j, a := range names {
			for _, b := range names[:j] {
				if !bytes.Equal(a, b) && bytes.EqualFold(a, b) {
					v.report(b, a)
					return
				}
			}
		}
		return
	}
	byFold := make(map[string][]byte, len(names))
	for _, a := range names {
		key := foldKey(a)
		if b, ok := byFold[key]; ok && !bytes.Equal(a, b) {
			v.report(b, a)
			return
		}
		byFold[key] = a
	}
}

// foldKey returns the same string for names that bytes.EqualFold finds
// equal: every rune replaced by the least of its case-folding orbit.
func foldKey(name []byte) string {
	var b strings.Builder
	for _, r := range string(name) {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// report records the names a and b of the object at v.path.
func (v *variantScanner) report(a, b []byte) {
	v.found = &FieldError{
		Field:  quotePath(v.path, a),
		Reason: fmt.Sprintf("ambiguous: the names %q and %q differ only in case (readers disagree on which one counts)", a, b),
	}
}

// quotePath writes the dotted path of path, and then name if not nil,
// with what is not printable escaped as Go quotes it.
func quotePath(path []segment, name []byte) string {
	var b strings.Builder
	for k, s := range path {
		if k > 0 {
			b.WriteByte('.')
		}
		if s.element {
			b.WriteString(strconv.Itoa(s.index))
		} else {
			b.Write(s.name)
		}
	}
	if name != nil {
		if len(path) > 0 {
			b.WriteByte('.')
		}
		b.Write(name)
	}
	q := strconv.QuoteToGraphic(b.String())
	return q[1 : len(q)-1]
}

func (v *variantScanner) space() {
	v.i = spaceRun(v.b, v.i)
}

// next reads c if it is the byte at i.
func (v *variantScanner) next(c byte) bool {
	if v.i < len(v.b) && v.b[v.i] == c {
		v.i++
		return true
	}
	return false
}

// stringObjectVariants looks for names that differ only in case in the
// objects that e's Object fields hold as JSON strings (which Map decodes),
// and returns a *FieldError naming them, or nil.
func (e *LogEvent) stringObjectVariants() *FieldError {
	if fe := stringObjectVariants(&e.Actor.DetailEntry); fe != nil {
		return inField(fe, "actor.detailEntry")
	}
	for k := range e.Target {
		if fe := stringObjectVariants(&e.Target[k].DetailEntry); fe != nil {
			return inField(fe, "target."+strconv.Itoa(k)+".detailEntry")
		}
	}
	if e.Device != nil {
		if fe := stringObjectVariants(&e.Device.DeviceIntegrator); fe != nil {
			return inField(fe, "device.device_integrator")
		}
	}
	if fe := stringObjectVariants(&e.Transaction.Detail); fe != nil {
		return inField(fe, "transaction.detail")
	}
	if fe := stringObjectVariants(&e.DebugContext.DebugData); fe != nil {
		return inField(fe, "debugContext.debugData")
	}
	return nil
}

// stringObjectVariants is caseVariants of the object that o holds as a
// JSON string, if it holds one and is not decoded yet.
func stringObjectVariants(o *Object) *FieldError {
	if o.decoded || len(o.raw) == 0 || o.raw[0] != '"' {
		return nil
	}
	obj := objectJSON(o.raw)
	if obj == nil {
		return nil
	}
	return caseVariants(obj)
}

// inField puts fe's field under the Object field at path.
func inField(fe *FieldError, path string) *FieldError {
	fe.Field = path + " (a JSON string)." + fe.Field
	return fe
}
