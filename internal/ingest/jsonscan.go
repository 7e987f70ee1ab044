package ingest

import (
	"encoding/binary"
	"math/bits"
)

// The byte-level scanning of JSON: finding where a value ends without
// decoding it. The scanner is lenient on purpose: it balances brackets and
// respects strings and escapes, and leaves every other judgement to
// logevent.Decode, so that a malformed record is still cut out whole and
// rejected with Decode's reason.

// status says how a scan ended.
type status uint8

const (
	scanOK     status = iota
	scanEOF           // the input ended first
	scanBroken        // a line rule fired: the record is cut at the returned newline
)

// lineRules are the rules for records at the top level of a stream of
// objects (NDJSON, concatenated objects), where a record that does not close
// must not swallow the lines after it.
type lineRules struct {
	// stream: a raw newline inside a string (never valid JSON) ends the record.
	stream bool
	// compact: a line that starts with '{' ends the record. Only for records
	// whose first line holds more than the '{' (NDJSON); pretty-printers
	// indent nested objects, so a '{' in column 0 is a new record.
	compact bool
}

// maxNest bounds how deep arrays and wrappers are searched for records.
const maxNest = 8

var (
	structural [256]bool // bytes that matter outside strings
	strSpecial [256]bool // bytes that matter inside strings
	scalarEnd  [256]bool // bytes that end a bare scalar
)

func init() {
	for _, c := range []byte("\"{}[]\n") {
		structural[c] = true
	}
	for _, c := range []byte("\"\\\n") {
		strSpecial[c] = true
	}
	for _, c := range []byte(" \t\r\n,]}[{\"") {
		scalarEnd[c] = true
	}
}

// Words of bytes 0x01 and of bytes 0x80, for stringSpecials.
const ones, highs = 0x0101010101010101, 0x8080808080808080

// stringSpecials returns the high bits of the bytes of x (eight bytes of a
// string, little-endian) that matter inside a string: quote, backslash,
// newline (strSpecial). The lowest bit set is exact (the first such byte);
// bits above it may be false.
func stringSpecials(x uint64) uint64 {
	zeros := func(y uint64) uint64 { return (y - ones) &^ y & highs }
	return zeros(x^(ones*'"')) | zeros(x^(ones*'\\')) | zeros(x^(ones*'\n'))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// scanString scans the string whose opening quote is at pos and returns the
// offset just past its closing quote.
func (s *jsonReader) scanString(pos int64, r lineRules) (int64, status) {
	w := s.w
	pos++
	for {
		buf := w.buf[:w.n]
		i := int(pos - w.base)
		for i < len(buf) {
			// Eight bytes at a time up to the first special one: most
			// of a record's bytes are in its strings.
			for i+8 <= len(buf) {
				if m := stringSpecials(binary.LittleEndian.Uint64(buf[i:])); m != 0 {
					i += bits.TrailingZeros64(m) / 8
					break
				}
				i += 8
			}
			if i == len(buf) {
				break
			}
			c := buf[i]
			if !strSpecial[c] {
				i++
				continue
			}
			switch c {
			case '"':
				return w.base + int64(i) + 1, scanOK
			case '\\':
				if r.stream && i+1 < len(buf) && buf[i+1] == '\n' {
					return w.base + int64(i) + 1, scanBroken
				}
				i += 2
				continue
			case '\n':
				if r.stream {
					return w.base + int64(i), scanBroken
				}
			}
			i++
		}
		pos = w.base + int64(i)
		if !w.more(pos) {
			return min(pos, w.end()), scanEOF
		}
	}
}

// skipNested scans from pos, inside depth open brackets, to just past the
// bracket that closes the outermost of them.
func (s *jsonReader) skipNested(pos int64, depth int, r lineRules) (int64, status) {
	w := s.w
	lastNL := int64(-2) // offset of the last newline outside strings
	for {
		buf := w.buf[:w.n]
		i := int(pos - w.base)
		for i < len(buf) {
			c := buf[i]
			if !structural[c] {
				i++
				continue
			}
			switch c {
			case '"':
				end, st := s.scanString(w.base+int64(i), r)
				if st != scanOK {
					return end, st
				}
				buf, i = w.buf[:w.n], int(end-w.base)
				continue
			case '{':
				if r.compact && w.base+int64(i) == lastNL+1 {
					return lastNL, scanBroken
				}
				depth++
			case '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return w.base + int64(i) + 1, scanOK
				}
			case '\n':
				lastNL = w.base + int64(i)
			}
			i++
		}
		pos = w.base + int64(i)
		if !w.more(pos) {
			return pos, scanEOF
		}
	}
}

// skipScalar scans a bare scalar (number, literal, junk) starting at pos.
// A byte that cannot start one is taken alone, so a scan always advances.
func (s *jsonReader) skipScalar(pos int64) (int64, status) {
	w := s.w
	start := pos
	for {
		buf := w.buf[:w.n]
		i := int(pos - w.base)
		for i < len(buf) && !scalarEnd[buf[i]] {
			i++
		}
		pos = w.base + int64(i)
		if i < len(buf) {
			return max(pos, start+1), scanOK
		}
		if !w.more(pos) {
			return pos, scanEOF
		}
	}
}

// skipValue scans the value starting at pos.
func (s *jsonReader) skipValue(pos int64, r lineRules) (int64, status) {
	c, ok := s.w.at(pos)
	switch {
	case !ok:
		return pos, scanEOF
	case c == '{' || c == '[':
		return s.skipNested(pos+1, 1, r)
	case c == '"':
		return s.scanString(pos, r)
	}
	return s.skipScalar(pos)
}

// skipSpace skips whitespace from pos and returns the offset of the next
// byte. Under the compact rule a '{' right after a newline breaks the record.
func (s *jsonReader) skipSpace(pos int64, r lineRules) (int64, status) {
	w := s.w
	lastNL := int64(-2)
	for {
		c, ok := w.at(pos)
		switch {
		case !ok:
			return pos, scanEOF
		case c == '\n':
			lastNL = pos
		case c == '{' && r.compact && pos == lastNL+1:
			return lastNL, scanBroken
		case !isSpace(c):
			return pos, scanOK
		}
		pos++
	}
}

// skipSeparators skips whitespace and commas between records and returns
// the next byte; ok is false at the end of the input.
func (s *jsonReader) skipSeparators(pos int64) (int64, byte, bool) {
	for {
		c, ok := s.w.at(pos)
		if !ok || (!isSpace(c) && c != ',') {
			return pos, c, ok
		}
		pos++
	}
}
