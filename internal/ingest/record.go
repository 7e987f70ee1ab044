package ingest

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/oktascope/oktascope/internal/render"
)

// DefaultMaxRecordSize is the largest record a reader keeps whole (an Okta
// event is a few kilobytes); a larger one is rejected with ErrRecordTooLarge.
const DefaultMaxRecordSize = 16 << 20

// ErrRecordTooLarge marks a record longer than the reader's limit. Only its
// first bytes are kept (in Record.Raw).
var ErrRecordTooLarge = errors.New("record larger than the limit")

// Record is one record of an input: the bytes of one event exactly as they
// stand in the input, and where they stand.
type Record struct {
	// File names the input (its path).
	File string
	// Line is the 1-based line on which the record starts.
	Line int
	// Offset is the byte offset at which the record starts, counted in the
	// decompressed content.
	Offset int64
	// Raw is the record's exact bytes: one JSON value, or one CSV row
	// (without its line ending).
	Raw []byte
	// JSON is the event object to decode: Raw itself for JSON inputs, the
	// object rebuilt from the row for CSV.
	JSON []byte
	// Err is set when the reader already knows the record is bad (too large,
	// a CSV row with the wrong number of cells); JSON is then empty.
	Err error

	input *inputState // the input, for Import
}

// Clone returns a copy of r whose byte slices the caller owns. The slices of
// a Record passed to a callback are only valid until it returns.
func (r Record) Clone() Record {
	c := r
	c.Raw = append([]byte(nil), r.Raw...)
	if sameBytes(r.Raw, r.JSON) {
		c.JSON = c.Raw
	} else {
		c.JSON = append([]byte(nil), r.JSON...)
	}
	return c
}

// sameBytes reports whether a and b are the same slice of memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// A BreakError reports an input that breaks off (a truncated gzip stream, a
// JSON array cut in the middle of an element): every complete record before
// Offset was read; nothing from Offset on was.
type BreakError struct {
	File   string // the input's name
	Offset int64  // where the first incomplete record (or the cut) starts, in the decompressed content
	Line   int    // the line of Offset
	Err    error  // the cause: io.ErrUnexpectedEOF, or the decompressor's error
}

// Error says which file broke off, where, and why.
func (e *BreakError) Error() string {
	var limit *LimitError
	if errors.As(e.Err, &limit) {
		return fmt.Sprintf("%s:%d: stopped at byte %d of its content: %s; the records before it were read",
			render.Terminal(e.File), e.Line, e.Offset, limit.cap())
	}
	cause := fmt.Sprint(e.Err)
	var pe *fs.PathError
	if errors.As(e.Err, &pe) { // its message holds the path, not escaped
		cause = pe.Op + ": " + pe.Err.Error()
	}
	return fmt.Sprintf("%s:%d: input breaks off at byte %d: %s", render.Terminal(e.File), e.Line, e.Offset, cause)
}

// Unwrap returns the cause.
func (e *BreakError) Unwrap() error { return e.Err }

// A FormatError reports an input that is none of the formats import reads.
type FormatError struct {
	File   string // the input's name
	Reason string // what it looks like instead
}

// Error names the file and what it looks like.
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s: not an Okta System Log export: %s", render.Terminal(e.File), e.Reason)
}
