package logevent

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// A path into an Object not decoded yet names one of its members, and
// decoding the whole object into a map for it costs ten times as much as
// finding that member in the JSON. findMember finds it as the map would:
// it reads the whole object, by JSON's grammar, and declines (ok false)
// whatever it cannot answer exactly, which the caller then decodes.

// maxScanDepth is how deeply nested objects and arrays findMember reads;
// goccy/go-json reads deeper ones, which are left to it.
const maxScanDepth = 64

// maxScanNumber is the length of the longest number findMember reads: any
// number of JSON without an exponent, up to this length, fits a float64,
// which the decoding of a larger one fails for.
const maxScanNumber = 300

// findMember returns the value, as JSON, of the member of the JSON object
// obj (as objectJSON returns it) named key, as the map obj decodes into
// has it, where a member replaces an earlier one of its name: the last
// member named key exactly, or else, when fold is set, the last one whose
// name equals key in any case (see lookupFold). found is false when there
// is none. ok is false when findMember cannot tell exactly: obj is not
// valid JSON, or holds what its decoding may fail for (a number with an
// exponent, too deep a nesting), or names in different cases equal key, of
// which lookupFold picks any.
func findMember(obj []byte, key string, fold bool) (value []byte, found, ok bool) {
	var folded []byte // the name of the members equal to key in any case
	exact, ambiguous := false, false
	ok = eachMember(obj, func(name, v []byte) {
		switch {
		case string(name) == key:
			value, exact = v, true
		case exact || !fold || !bytes.EqualFold(name, []byte(key)):
		case folded == nil || bytes.Equal(folded, name):
			value, folded = v, name
		default:
			ambiguous = true
		}
	})
	if !ok || !exact && ambiguous {
		return nil, false, false
	}
	return value, exact || folded != nil, true
}

// findMembers is findMember, exact (not folded), of several keys in one
// reading of obj: values[i] is the value of keys[i], nil when obj has no
// member of that name. ok is false when findMember's would be.
func findMembers(obj []byte, keys []string, values [][]byte) (ok bool) {
	clear(values)
	return eachMember(obj, func(name, v []byte) {
		for i, key := range keys {
			if string(name) == key {
				values[i] = v
			}
		}
	})
}

// eachMember calls fn with the name (its text) and the value (as JSON) of
// every member of the JSON object obj (as objectJSON returns it), in order.
// It reports false when obj is not valid JSON or holds what its decoding
// may fail for (a number with an exponent, too deep a nesting).
func eachMember(obj []byte, fn func(name, value []byte)) bool {
	s := scanner{b: obj}
	s.i++ // '{'
	for first := true; s.more('}', &first); {
		name, v, plain := s.member(0)
		switch {
		case s.failed:
			continue
		case plain:
			name = name[1 : len(name)-1]
		default:
			var decoded string
			s.failed = json.Unmarshal(name, &decoded) != nil
			name = []byte(decoded)
		}
		if !s.failed {
			fn(name, v)
		}
	}
	return !s.failed && s.i == len(obj)
}

// scanner reads JSON from b at i. Once it has failed (at what is not valid
// JSON, or JSON it leaves to the decoder), it reads nothing more.
type scanner struct {
	b      []byte
	i      int
	failed bool
}

// more reports whether an item (a member or an element) follows in the
// object or array at i, whose opening byte is read and which closing ends,
// reading the comma before it unless it is the first. Otherwise it reads
// the closing byte.
func (s *scanner) more(closing byte, first *bool) bool {
	s.space()
	if s.failed || s.next(closing) {
		return false
	}
	if !*first && !s.expect(',') {
		return false
	}
	*first = false
	return true
}

// member reads the member at i, nested in depth objects and arrays, and
// returns its name, as JSON, whether the name is a plain string, and its
// value.
func (s *scanner) member(depth int) (name, value []byte, plain bool) {
	s.space()
	start := s.i
	plain = s.string()
	name = s.b[start:s.i]
	s.space()
	s.expect(':')
	s.space()
	start = s.i
	s.value(depth)
	return name, s.b[start:s.i], plain
}

// value reads the value at i, nested in depth objects and arrays.
func (s *scanner) value(depth int) {
	switch c := s.peek(); {
	case c == '"':
		s.string()
	case (c == '{' || c == '[') && depth == maxScanDepth:
		s.failed = true
	case c == '{':
		s.i++
		for first := true; s.more('}', &first); {
			s.member(depth + 1)
		}
	case c == '[':
		s.i++
		for first := true; s.more(']', &first); {
			s.space()
			s.value(depth + 1)
		}
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	default:
		s.number()
	}
}

// string reads the string at i, and reports whether it is plain as well
// (see plainRun), its bytes between the quotes its text.
func (s *scanner) string() (plain bool) {
	if !s.expect('"') {
		return false
	}
	plain = true
	for !s.failed {
		s.i += plainRun(s.b[s.i:])
		switch c := s.peek(); {
		case c == '"':
			s.i++
			return plain
		case c == '\\':
			s.escape()
			plain = false
		case c < ' ': // a control character, or the end
			s.failed = true
		default: // not ASCII
			plain = false
			s.i++
		}
	}
	return false
}

// plainRun returns the length of the bytes at the start of b that a plain
// string may hold: ASCII but control characters, quotes and backslashes.
// It reads eight bytes at a time, strings being most of JSON.
func plainRun(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		quotes, backslashes := x^(ones*'"'), x^(ones*'\\')
		// A high bit is set in x by a byte not ASCII, in x-' ' by a byte
		// under ' ', and in (y-1)&^y by a zero byte of y: a quote or a
		// backslash of x. Borrows only spread above a byte found, so that
		// the lowest bit set is the first byte's.
		if found := ((x - ones*' ') | (quotes-ones)&^quotes | (backslashes-ones)&^backslashes | x) & highs; found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for i < len(b) && b[i] >= ' ' && b[i] < utf8.RuneSelf && b[i] != '"' && b[i] != '\\' {
		i++
	}
	return i
}

// escape reads the escape sequence at i.
func (s *scanner) escape() {
	if s.i+1 == len(s.b) {
		s.failed = true
		return
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
	case 'u':
		if s.i+6 > len(s.b) || !isHex(s.b[s.i+2]) || !isHex(s.b[s.i+3]) || !isHex(s.b[s.i+4]) || !isHex(s.b[s.i+5]) {
			s.failed = true
			return
		}
		s.i += 6
	default:
		s.failed = true
	}
}

// number reads the number at i, which must have no exponent and be at most
// maxScanNumber bytes long.
func (s *scanner) number() {
	start := s.i
	s.next('-')
	if !s.next('0') && s.digits() == 0 {
		s.failed = true
	}
	if s.next('.') && s.digits() == 0 {
		s.failed = true
	}
	if s.i-start > maxScanNumber || s.peek() == 'e' || s.peek() == 'E' {
		s.failed = true
	}
}

// digits reads decimal digits, and returns how many.
func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func (s *scanner) literal(lit string) {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		s.failed = true
		return
	}
	s.i += len(lit)
}

// peek returns the byte at i, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i == len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// next reads c if it is the byte at i.
func (s *scanner) next(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// expect reads c, which must be the byte at i.
func (s *scanner) expect(c byte) bool {
	if !s.next(c) {
		s.failed = true
	}
	return !s.failed
}

// space reads JSON's white space.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
