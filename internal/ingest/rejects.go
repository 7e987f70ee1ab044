package ingest

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"unicode/utf8"
)

// rejectWriter writes rejected records to the rejects file, one JSON object
// a line:
//
//	{"file":"x.ndjson","line":7,"offset":1234,"reason":"uuid: missing","record":"{…}"}
//
// "record" is the record's original text as a JSON string, which decodes to
// the exact bytes; a record that is not valid UTF-8 is written as
// "record_base64" instead, so that it too survives byte for byte. The file
// is created (truncated) at the first reject, so a clean import leaves none.
type rejectWriter struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	line []byte
}

// write appends one rejected record; with no path it does nothing.
func (rw *rejectWriter) write(rec Record, reason error) error {
	if rw.path == "" {
		return nil
	}
	if rw.f == nil {
		f, err := os.Create(rw.path)
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		rw.f, rw.bw = f, bufio.NewWriterSize(f, 256<<10)
	}
	rw.line = appendReject(rw.line[:0], rec, reason)
	if _, err := rw.bw.Write(rw.line); err != nil {
		return fmt.Errorf("rejects file %s: %w", rw.path, err)
	}
	return nil
}

// appendReject appends the rejects-file line for one record.
func appendReject(dst []byte, rec Record, reason error) []byte {
	dst = append(dst, `{"file":`...)
	dst = appendJSONString(dst, []byte(rec.File))
	dst = append(dst, `,"line":`...)
	dst = strconv.AppendInt(dst, int64(rec.Line), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, rec.Offset, 10)
	dst = append(dst, `,"reason":`...)
	dst = appendJSONString(dst, []byte(reason.Error()))
	if utf8.Valid(rec.Raw) {
		dst = append(dst, `,"record":`...)
		dst = appendJSONString(dst, rec.Raw)
	} else {
		dst = append(dst, `,"record_base64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, rec.Raw)
		dst = append(dst, '"')
	}
	return append(dst, "}\n"...)
}

// close flushes and closes the file, if one was opened.
func (rw *rejectWriter) close() error {
	if rw.f == nil {
		return nil
	}
	err := rw.bw.Flush()
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("rejects file %s: %w", rw.path, err)
	}
	return nil
}
