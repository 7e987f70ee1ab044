package ingest

import (
	"bytes"
	"fmt"
	"strings"
)

// Detection looks at the first 64 KiB of the (decompressed) content:
//
//   - '[' first (after a byte-order mark and whitespace): a JSON array;
//   - '{' first: NDJSON when the first line holds more than the brace,
//     pretty-printed objects otherwise (both are read by the same streaming
//     scanner, which also unwraps {"events":[...]} and Event Hook deliveries);
//   - otherwise a CSV whose header row names System Log columns (at least
//     two LogEvent paths, one of them uuid, event_type, timestamp or
//     published), with ',', ';', tab or '|' as delimiter;
//   - anything else is unknown (Read returns a *FormatError).

var byteOrderMark = []byte("\xef\xbb\xbf")

// detect sets the reader's format from the start of its content.
func (rd *Reader) detect() {
	w := rd.w
	for w.n < detectSize && w.more(w.end()) {
	}
	head := w.buf[:w.n]
	if bytes.HasPrefix(head, byteOrderMark) {
		rd.start = int64(len(byteOrderMark))
		head = head[len(byteOrderMark):]
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(trimmed) == 0 && w.eof:
		rd.format.Kind = KindEmpty
	case len(trimmed) == 0 || trimmed[0] == '{':
		rd.format.Kind = KindJSONObject
		if line := firstLine(trimmed); len(line) > 1 {
			rd.format.Kind = KindNDJSON
		}
	case trimmed[0] == '[':
		rd.format.Kind = KindJSONArray
	default:
		if delim, ok := csvHeader(firstLine(trimmed)); ok {
			rd.format.Kind, rd.delim = KindCSV, delim
		}
	}
}

// firstLine returns the first line of b, without its line ending.
func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimRight(b, " \t\r")
}

// csvHeader reports whether line is the header of a System Log CSV, and
// with which delimiter.
func csvHeader(line []byte) (byte, bool) {
	best, bestMapped := byte(0), 0
	for _, delim := range []byte{',', ';', '\t', '|'} {
		mapped, anchored := 0, false
		for _, name := range splitHeader(line, delim) {
			name = strings.TrimSpace(name)
			if _, _, ok := resolveColumn(name); ok {
				mapped++
			}
			switch strings.ToLower(name) {
			case "uuid", "event_type", "eventtype", "timestamp", "published":
				anchored = true
			}
		}
		if anchored && mapped > bestMapped {
			best, bestMapped = delim, mapped
		}
	}
	return best, bestMapped >= 2
}

// splitHeader splits a header line into names, unquoting quoted ones.
func splitHeader(line []byte, delim byte) []string {
	var names []string
	for _, cell := range bytes.Split(line, []byte{delim}) {
		names = append(names, string(appendUnquoted(nil, cell)))
	}
	return names
}

// unknownReason says what an input of unknown format looks like.
func (rd *Reader) unknownReason() string {
	head := rd.w.buf[rd.start:rd.w.n]
	for _, m := range []struct {
		magic []byte
		what  string
	}{
		{[]byte("PK\x03\x04"), "a zip archive (unzip it first)"},
		{[]byte("BZh"), "bzip2-compressed (decompress it first)"},
		{[]byte("\xfd7zXZ\x00"), "xz-compressed (decompress it first)"},
		{[]byte("\x28\xb5\x2f\xfd"), "zstd-compressed (decompress it first)"},
	} {
		if bytes.HasPrefix(head, m.magic) {
			return m.what
		}
	}
	line := firstLine(head)
	if len(line) > 60 {
		line = line[:60]
	}
	return fmt.Sprintf("neither JSON nor a System Log CSV header: starts with %q", line)
}
