package ingest

import (
	"bytes"
	"errors"
	"io"
)

const (
	// readSize is the least free space the window asks its source to fill.
	readSize = 64 << 10
	// prefixSize is how much of an oversized record is kept for the rejects file.
	prefixSize = 4 << 10
)

// window is a sliding, growable buffer over a stream, addressed by absolute
// stream offsets. Everything from keep on stays in the buffer until keep
// moves, so a record being scanned is always whole in memory; the buffer
// grows up to max and never holds more than one record plus one read.
type window struct {
	r    io.Reader
	buf  []byte
	base int64 // stream offset of buf[0]
	n    int   // bytes of buf holding data
	keep int64 // offset of the first byte that must stay (start of a record)
	max  int   // largest the buffer may grow
	eof  bool
	err  error // the read error that ended the stream, other than io.EOF

	// overflowAt is the start of a record that outgrew max (or -1); prefix
	// holds its first bytes.
	overflowAt   int64
	overflowLine int
	prefix       []byte

	lineOff int64 // the line counter: line is the line number at lineOff
	line    int
}

func newWindow(r io.Reader, maxRecord int) *window {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecordSize
	}
	return &window{
		r:          r,
		buf:        make([]byte, readSize*2),
		max:        maxRecord + readSize,
		overflowAt: -1,
		line:       1,
	}
}

// end returns the offset just past the buffered data.
func (w *window) end() int64 { return w.base + int64(w.n) }

// bytes returns the buffered bytes between two offsets.
func (w *window) bytes(from, to int64) []byte {
	return w.buf[from-w.base : to-w.base]
}

// at returns the byte at off, reading more as needed; ok is false at the
// end of the stream.
func (w *window) at(off int64) (byte, bool) {
	for off >= w.end() {
		if !w.more(off) {
			return 0, false
		}
	}
	return w.buf[off-w.base], true
}

// setKeep marks off as the start of the record being read.
func (w *window) setKeep(off int64) {
	w.keep = off
	w.overflowAt = -1
}

// more reads more of the stream. pos is the offset the caller scans from:
// when the record from keep no longer fits in max, its bytes before pos
// are given up (see overflowAt). It returns false when nothing more can come.
func (w *window) more(pos int64) bool {
	if w.eof || w.err != nil {
		return false
	}
	w.makeRoom(pos)
	for {
		n, err := w.r.Read(w.buf[w.n:])
		w.n += n
		switch {
		case errors.Is(err, io.EOF):
			w.eof = true
		case err != nil:
			w.err = err
		}
		if n > 0 || w.eof || w.err != nil {
			return n > 0
		}
	}
}

// makeRoom discards the bytes before keep and grows the buffer so that at
// least readSize bytes are free.
func (w *window) makeRoom(pos int64) {
	if int(w.keep-w.base) < readSize && len(w.buf)-w.n >= readSize {
		return
	}
	if w.n-int(w.keep-w.base)+readSize > w.max && pos > w.keep {
		w.overflow(pos)
	}
	w.countLines(w.keep)
	live := w.buf[w.keep-w.base : w.n]
	buf := w.buf
	if len(live)+readSize > len(buf) {
		buf = make([]byte, max(2*len(buf), len(live)+readSize))
	}
	w.n = copy(buf, live)
	w.buf = buf
	w.base = w.keep
}

// overflow gives up the bytes of the current record before pos, keeping
// its first prefixSize bytes aside.
func (w *window) overflow(pos int64) {
	pos = min(pos, w.end()) // a scan may stand one past the end, after an escape
	if w.overflowAt < 0 {
		w.overflowAt = w.keep
		w.overflowLine = w.lineAt(w.keep)
		w.prefix = append(w.prefix[:0], w.bytes(w.keep, min(pos, w.keep+prefixSize))...)
	}
	w.countLines(w.keep)
	w.keep = pos
}

// countLines moves the line counter forward to off, which must be buffered.
func (w *window) countLines(off int64) {
	if off > w.lineOff {
		w.line += bytes.Count(w.bytes(w.lineOff, off), newline)
		w.lineOff = off
	}
}

// lineAt returns the 1-based line number of the byte at off. Calls must come
// with offsets that never decrease and are still buffered.
func (w *window) lineAt(off int64) int {
	if off < w.lineOff {
		return w.line
	}
	w.countLines(off)
	return w.line
}

// readErr returns the error that ended the stream early, or
// io.ErrUnexpectedEOF for a stream that ended cleanly where more was due.
func (w *window) readErr() error {
	if w.err != nil {
		return w.err
	}
	return io.ErrUnexpectedEOF
}

var newline = []byte{'\n'}
