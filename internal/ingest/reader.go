package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// Kind is the shape of an input's content.
type Kind uint8

// The kinds of input a Reader detects.
const (
	KindUnknown    Kind = iota // none of the others: not read
	KindEmpty                  // nothing but whitespace
	KindJSONArray              // a JSON array of events (the /api/v1/logs page shape)
	KindNDJSON                 // one JSON event per line
	KindJSONObject             // pretty-printed objects: a wrapper ({"events":[...]}), an Event Hook delivery, or events one after another
	KindCSV                    // the Admin Console System Log CSV export
)

var kindNames = [...]string{"unknown", "empty", "JSON array", "NDJSON", "JSON object", "CSV"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Format is an input's detected format.
type Format struct {
	Kind Kind
	Gzip bool // the content was gzip-compressed
}

// String describes the format, e.g. "gzip-compressed NDJSON".
func (f Format) String() string {
	if f.Gzip {
		return "gzip-compressed " + f.Kind.String()
	}
	return f.Kind.String()
}

const (
	detectSize  = 64 << 10 // content looked at to detect the format
	maxGzipNest = 3        // gzip of gzip of … is unwrapped this deep
)

// Reader reads the records of one input. It detects the format from the
// content, never from the name, and streams: memory stays bounded by the
// largest record, whatever the input's size.
type Reader struct {
	file   string
	format Format
	w      *window
	start  int64 // first byte after a byte-order mark
	delim  byte  // CSV delimiter
}

// Limits bound what reading one input may cost; a zero field takes its
// default.
type Limits struct {
	// MaxRecordSize is the largest record kept whole (DefaultMaxRecordSize).
	MaxRecordSize int
	// MaxGzipRatio and MaxGzipSize cap the decompressed content of a
	// compressed input: at most MaxGzipRatio times the compressed bytes read
	// (not below GzipRatioFloor), and at most MaxGzipSize bytes
	// (DefaultMaxGzipRatio, DefaultMaxGzipSize). Past the cap, Read returns a
	// *BreakError wrapping a *LimitError.
	MaxGzipRatio int
	MaxGzipSize  int64
}

// NewReader detects the format of r's content (decompressing gzip) and
// returns a Reader for it, with the default Limits. name is the input's
// name in records and errors. An input of unknown format is not an error
// here: see Format and Read.
func NewReader(r io.Reader, name string) (*Reader, error) {
	return NewLimitedReader(r, name, Limits{})
}

// NewLimitedReader is NewReader with the given limits.
func NewLimitedReader(r io.Reader, name string, lim Limits) (*Reader, error) {
	rd := &Reader{file: name}
	compressed := &countReader{r: r}
	src, err := rd.decompress(bufio.NewReaderSize(compressed, 64<<10))
	if err != nil {
		return nil, err
	}
	if rd.format.Gzip {
		src = newGzipCap(src, &compressed.n, lim.MaxGzipRatio, lim.MaxGzipSize, name)
	}
	rd.w = newWindow(src, DefaultMaxRecordSize)
	rd.SetMaxRecordSize(lim.MaxRecordSize)
	rd.detect()
	return rd, nil
}

// decompress unwraps gzip layers, detected by their magic bytes.
func (rd *Reader) decompress(br *bufio.Reader) (io.Reader, error) {
	for range maxGzipNest {
		magic, _ := br.Peek(2)
		if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
			break
		}
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &BreakError{File: rd.file, Line: 1, Err: fmt.Errorf("gzip: %w", err)}
		}
		rd.format.Gzip = true
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	return br, nil
}

// SetMaxRecordSize sets the largest record kept whole (DefaultMaxRecordSize
// by default); call it before Read.
func (rd *Reader) SetMaxRecordSize(n int) {
	if n > 0 {
		rd.w.max = n + readSize
	}
}

// Format returns the detected format.
func (rd *Reader) Format() Format { return rd.format }

// Read calls fn with every record of the input, in order. The slices of a
// record are valid only until fn returns (see Record.Clone). Read stops at
// the first error fn returns, and returns it. An input that breaks off
// yields every complete record before the break, then a *BreakError; an
// input of unknown format yields a *FormatError.
func (rd *Reader) Read(fn func(Record) error) error {
	switch rd.format.Kind {
	case KindJSONArray, KindNDJSON, KindJSONObject:
		s := &jsonReader{w: rd.w, file: rd.file, emit: fn}
		return s.run(rd.start)
	case KindCSV:
		c := &csvReader{w: rd.w, file: rd.file, delim: rd.delim, emit: fn}
		return c.run(rd.start)
	case KindEmpty:
		if rd.w.err != nil {
			return &BreakError{File: rd.file, Offset: rd.w.end(), Line: 1, Err: rd.w.err}
		}
		return nil
	}
	return &FormatError{File: rd.file, Reason: rd.unknownReason()}
}

// ReadRecords reads every record of r (see NewReader and Reader.Read).
func ReadRecords(r io.Reader, name string, fn func(Record) error) error {
	rd, err := NewReader(r, name)
	if err != nil {
		return err
	}
	return rd.Read(fn)
}
