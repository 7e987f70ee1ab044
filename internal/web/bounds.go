package web

import (
	"errors"
	"fmt"

	"github.com/oktascope/oktascope/internal/render"
)

// What one request may cost. Event text is hostile and a URL is cheap to
// send, so every view bounds what it copies from either into a page:
//
//   - a value shown in a cell, a title or a heading: maxShown bytes;
//   - a value put into a pivot link: maxPivotValue bytes (longer values get
//     no link: no filter could search them anyway);
//   - rows expanded at once (open=): maxOpen, each uuid at most maxIDLength;
//   - target users given pivots in an event's detail: maxTargetPivots (the
//     rest are counted; the JSON view and the raw event hold them all);
//   - an event's JSON view: the bounds of jsonview.go;
//   - a whole page: Options.MaxPageBytes; a JSON answer:
//     Options.MaxAnswerBytes (a page of events stops short of it and links
//     to the next).
const (
	maxShown      = 2 << 10
	maxPivotValue = 1 << 10
	maxOpen       = 20
	maxIDLength   = 200
	// maxTargetPivots is the most target users an event's detail lists
	// with their pivots.
	maxTargetPivots = 20
)

// Default bounds of Options.
const (
	DefaultMaxPageBytes   = 16 << 20
	DefaultMaxAnswerBytes = 32 << 20
)

// errTooLarge is the error of a page or answer past its bound.
var errTooLarge = errors.New("too large")

// tooLargeError says which bound a response reached and what to do.
type tooLargeError struct {
	What  string // "page" or "answer"
	Limit int    // bytes
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the %s would be larger than %s bytes: narrow the filter or the time range, or ask for fewer events (limit)",
		e.What, render.Thousands(e.Limit))
}

func (e *tooLargeError) Unwrap() error { return errTooLarge }

// boundedBuffer collects a response up to a limit; a write past it fails,
// which stops the template that renders into it.
type boundedBuffer struct {
	buf   []byte
	limit int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if len(b.buf)+len(p) > b.limit {
		return 0, errTooLarge
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}
