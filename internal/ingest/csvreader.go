package ingest

import (
	"bytes"
	"fmt"
)

// csvReader reads the rows of a System Log CSV export (RFC 4180: quoted
// cells may hold delimiters, doubled quotes and line breaks) and rebuilds
// each row's event object.
type csvReader struct {
	w       *window
	file    string
	delim   byte
	emit    func(Record) error
	mapping *csvMapping
	header  []byte // the header row's text, to skip its repeats
	cells   []cellSpan
	values  [][]byte
	bounds  [][2]int
	scratch []byte
	out     []byte
}

// cellSpan is where one cell of a row lies.
type cellSpan struct{ start, end int64 }

// row is one row read: its cells, and where it lies.
type row struct {
	start, end int64 // the row's text, without its line ending
	next       int64 // where the next row starts
	cells      []cellSpan
}

// run reads the header, then every row, from pos.
func (c *csvReader) run(pos int64) error {
	for {
		c.w.setKeep(pos)
		r, st := c.readRow(pos)
		if st == scanEOF {
			return c.breakAt(pos)
		}
		pos = r.next
		if r.end == r.start && len(r.cells) <= 1 {
			if r.next <= r.start {
				return c.endOfInput(pos)
			}
			continue // a blank line
		}
		if err := c.handle(r); err != nil {
			return err
		}
	}
}

// handle takes the header from the first row, and a record from each other
// (a row that repeats the header, as in exports concatenated, is skipped).
func (c *csvReader) handle(r row) error {
	raw := bytes.TrimPrefix(c.w.bytes(max(r.start, c.w.keep), r.end), byteOrderMark)
	if c.mapping != nil && bytes.Equal(raw, c.header) {
		return nil // the header again: exports concatenated
	}
	values := c.unquote(r.cells)
	if c.mapping == nil {
		header := make([]string, len(values))
		for i, v := range values {
			header[i] = string(v)
		}
		c.mapping = newCSVMapping(header)
		c.header = bytes.Clone(raw)
		return nil
	}
	rec := Record{File: c.file, Offset: r.start, Line: c.w.lineAt(r.start)}
	switch {
	case c.w.overflowAt == r.start:
		rec.Line, rec.Raw = c.w.overflowLine, c.w.prefix
		rec.Err = fmt.Errorf("%w of %d bytes", ErrRecordTooLarge, c.w.max-readSize)
	case len(values) != len(c.mapping.header):
		rec.Raw = c.w.bytes(r.start, r.end)
		rec.Err = fmt.Errorf("CSV row has %d cells where the header has %d", len(values), len(c.mapping.header))
	default:
		rec.Raw = c.w.bytes(r.start, r.end)
		c.out = c.mapping.build(c.out[:0], values)
		rec.JSON = c.out
	}
	return c.emit(rec)
}

// readRow reads the row starting at pos. At the end of the input it returns
// an empty row whose next is pos; scanEOF means the input ended inside the
// row (inside a quoted cell, or on a read error).
func (c *csvReader) readRow(pos int64) (row, status) {
	w := c.w
	r := row{start: pos}
	c.cells = c.cells[:0]
	cellStart, inQuotes := pos, false
	for {
		buf := w.buf[:w.n]
		i := int(pos - w.base)
		for i < len(buf) {
			b := buf[i]
			switch {
			case inQuotes:
				j := bytes.IndexByte(buf[i:], '"')
				if j < 0 {
					i = len(buf)
					continue
				}
				i += j
				if quote := w.base + int64(i); i+1 == len(buf) && w.more(quote) {
					buf, i = w.buf[:w.n], int(quote-w.base) // is the quote doubled? now we can see
					continue
				}
				if i+1 < len(buf) && buf[i+1] == '"' {
					i += 2
					continue
				}
				inQuotes = false
			case b == '"' && w.base+int64(i) == cellStart:
				inQuotes = true
			case b == c.delim:
				c.cells = append(c.cells, cellSpan{cellStart, w.base + int64(i)})
				cellStart = w.base + int64(i) + 1
			case b == '\n':
				end := w.base + int64(i)
				c.cells = append(c.cells, cellSpan{cellStart, trimCR(w, cellStart, end)})
				r.end, r.next, r.cells = trimCR(w, r.start, end), end+1, c.cells
				return r, scanOK
			}
			i++
		}
		pos = w.base + int64(i)
		if !w.more(pos) {
			return c.lastRow(r, cellStart, inQuotes)
		}
	}
}

// lastRow ends the row at the end of the input.
func (c *csvReader) lastRow(r row, cellStart int64, inQuotes bool) (row, status) {
	w := c.w
	end := w.end()
	if inQuotes || (w.err != nil && end > r.start) {
		return r, scanEOF
	}
	if end > r.start {
		c.cells = append(c.cells, cellSpan{cellStart, end})
	}
	r.end, r.next, r.cells = trimCR(w, r.start, end), end, c.cells
	return r, scanOK
}

// trimCR returns end, less a carriage return just before it.
func trimCR(w *window, start, end int64) int64 {
	if end > start {
		if b, _ := w.at(end - 1); b == '\r' {
			return end - 1
		}
	}
	return end
}

// unquote returns the values of the cells: quotes removed, doubled quotes
// halved. Text after a closing quote is kept as written.
func (c *csvReader) unquote(cells []cellSpan) [][]byte {
	c.scratch = c.scratch[:0]
	c.bounds = c.bounds[:0]
	for _, cell := range cells {
		from := len(c.scratch)
		if cell.start >= c.w.keep {
			c.scratch = appendUnquoted(c.scratch, c.w.bytes(cell.start, cell.end))
		}
		c.bounds = append(c.bounds, [2]int{from, len(c.scratch)})
	}
	c.values = c.values[:0]
	for _, b := range c.bounds {
		c.values = append(c.values, c.scratch[b[0]:b[1]:b[1]])
	}
	return c.values
}

// appendUnquoted appends the value of one raw cell.
func appendUnquoted(dst, raw []byte) []byte {
	if len(raw) == 0 || raw[0] != '"' {
		return append(dst, raw...)
	}
	raw = raw[1:]
	for {
		i := bytes.IndexByte(raw, '"')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		if i+1 < len(raw) && raw[i+1] == '"' {
			dst = append(dst, '"')
			raw = raw[i+2:]
			continue
		}
		return append(dst, raw[i+1:]...)
	}
}

// endOfInput returns nil at a clean end of the input, or the read error
// that ended it.
func (c *csvReader) endOfInput(pos int64) error {
	if c.w.err != nil {
		return &BreakError{File: c.file, Offset: pos, Line: c.w.lineAt(pos), Err: c.w.err}
	}
	return nil
}

// breakAt reports that the input ends inside the quoted cell of the row at off.
func (c *csvReader) breakAt(off int64) error {
	return &BreakError{File: c.file, Offset: off, Line: c.w.lineAt(off), Err: fmt.Errorf("row not complete: %w", c.w.readErr())}
}
