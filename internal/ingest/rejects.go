package ingest

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/oktascope/oktascope/internal/privfile"
	"github.com/oktascope/oktascope/internal/render"
)

// rejectWriter writes rejected records to the rejects file, one JSON object
// a line:
//
//	{"file":"x.ndjson","line":7,"offset":1234,"reason":"uuid: missing","record":"{…}"}
//
// "record" is the record's original text as a JSON string, which decodes to
// the exact bytes; a record that is not valid UTF-8 is written as
// "record_base64" instead, so that it too survives byte for byte. A record
// whose uuid is held with other content (a conflicting duplicate) has
// "stored" too: the JSON of the event held, as a string the same way. Every
// string escapes the characters a terminal would act on (\u001b, \u009b,
// \u202e …), so that the file is safe to show as it is.
//
// The file is created (truncated) at the first reject, so a clean import
// leaves none, with privfile.Create: mode 0600, never through a symbolic
// link. It grows to at most max bytes: past that, rejects are counted
// (unwritten) and close returns a *LimitError.
type rejectWriter struct {
	path      string
	max       int64
	f         *os.File
	bw        *bufio.Writer
	line      []byte
	size      int64 // bytes written, buffered included
	unwritten int   // rejects not written: past max
}

// check fails when the rejects file is one import must not write: a
// symbolic link, or an existing file that is not the user's own regular
// file (see privfile). Import checks it before reading anything.
func (rw *rejectWriter) check() error {
	if rw.path == "" {
		return nil
	}
	if _, err := privfile.Check(rw.path); err != nil {
		return fmt.Errorf("rejects file: %w: choose another with --rejects", err)
	}
	return nil
}

// write appends one rejected record; with no path it does nothing.
func (rw *rejectWriter) write(rec Record, reason error) error {
	return rw.writeConflict(rec, reason, nil)
}

// writeConflict appends one rejected record and, when stored is not nil,
// the JSON of the event already held under its uuid.
func (rw *rejectWriter) writeConflict(rec Record, reason error, stored []byte) error {
	if rw.path == "" {
		return nil
	}
	rw.line = appendReject(rw.line[:0], rec, reason, stored)
	if rw.size+int64(len(rw.line)) > rw.max {
		rw.unwritten++
		return nil
	}
	if rw.f == nil {
		f, err := privfile.Create(rw.path)
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		rw.f, rw.bw = f, bufio.NewWriterSize(f, 256<<10)
	}
	if _, err := rw.bw.Write(rw.line); err != nil {
		return fmt.Errorf("rejects file %s: %w", render.Terminal(rw.path), err)
	}
	rw.size += int64(len(rw.line))
	return nil
}

// rejectsMark is a point of the rejects file to go back to.
type rejectsMark struct {
	size      int64
	unwritten int
}

func (rw *rejectWriter) mark() rejectsMark { return rejectsMark{rw.size, rw.unwritten} }

// rollback forgets the rejects written after m.
func (rw *rejectWriter) rollback(m rejectsMark) error {
	rw.unwritten = m.unwritten
	if rw.f == nil || rw.size == m.size {
		return nil
	}
	err := rw.bw.Flush()
	if err == nil {
		err = rw.f.Truncate(m.size)
	}
	if err == nil {
		_, err = rw.f.Seek(m.size, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("rejects file %s: %w", render.Terminal(rw.path), err)
	}
	rw.size = m.size
	return nil
}

// appendReject appends the rejects-file line for one record, and the
// event held under its uuid when stored is not nil.
func appendReject(dst []byte, rec Record, reason error, stored []byte) []byte {
	dst = append(dst, `{"file":`...)
	dst = appendSafeJSONString(dst, []byte(rec.File))
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(rec.Line), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, rec.Offset, 10)
	dst = append(dst, `,"reason":`...)
	dst = appendSafeJSONString(dst, []byte(reason.Error()))
	dst = appendText(dst, "record", rec.Raw)
	if stored != nil {
		dst = appendText(dst, "stored", stored)
	}
	return append(dst, "}\n"...)
}

// appendText appends ,"name": and text as a JSON string that decodes to
// its exact bytes, or ,"name_base64": and their base64 when they are not
// UTF-8.
func appendText(dst []byte, name string, text []byte) []byte {
	if utf8.Valid(text) {
		dst = append(append(append(dst, `,"`...), name...), `":`...)
		return appendSafeJSONString(dst, text)
	}
	dst = append(append(append(dst, `,"`...), name...), `_base64":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, text)
	return append(dst, '"')
}

// close flushes and closes the file, if one was opened, and removes it if
// every reject was rolled back. It returns a *LimitError when rejects were
// left unwritten.
func (rw *rejectWriter) close() error {
	var err error
	if rw.f != nil {
		err = rw.bw.Flush()
		if cerr := rw.f.Close(); err == nil {
			err = cerr
		}
		if err == nil && rw.size == 0 {
			err = os.Remove(rw.path)
		}
		if err != nil {
			err = fmt.Errorf("rejects file %s: %w", render.Terminal(rw.path), err)
		}
	}
	if rw.unwritten > 0 {
		err = errors.Join(err, &LimitError{File: rw.path, What: "rejects file", Limit: rw.max,
			Why: fmt.Sprintf("%s past it counted, not written; raise it with --max-rejects-size", plural(rw.unwritten, "rejected record"))})
	}
	return err
}
