package ingest

import "fmt"

// jsonReader splits JSON content into records: the elements of arrays, the
// objects of a stream (NDJSON, or concatenated objects with or without
// white space between them), the elements of the array a wrapper object
// holds (`{"events":[...]}`, an Event Hook's `data.events`), and the detail
// of an EventBridge event. Unrecognised top-level text is cut out line by
// line.
type jsonReader struct {
	w    *window
	file string
	emit func(Record) error
}

// run reads records from pos to the end of the input.
func (s *jsonReader) run(pos int64) error {
	for {
		s.w.setKeep(pos)
		next, c, ok := s.skipSeparators(pos)
		if !ok {
			if s.w.err != nil {
				return s.breakAt(next)
			}
			return nil
		}
		var err error
		switch c {
		case '{':
			pos, err = s.object(next, 0, true)
		case '[':
			pos, err = s.array(next, 0)
		default:
			pos, err = s.junkLine(next)
		}
		if err != nil {
			return err
		}
	}
}

// array reads the elements of the array whose '[' is at pos as records, and
// returns the offset after its ']'. Nested arrays (pages of events) are
// read the same way.
func (s *jsonReader) array(pos int64, nest int) (int64, error) {
	pos++
	for {
		s.w.setKeep(pos)
		next, c, ok := s.skipSeparators(pos)
		if !ok {
			return 0, s.breakAt(next)
		}
		var err error
		switch {
		case c == ']':
			return next + 1, nil
		case c == '{':
			pos, err = s.object(next, nest, false)
		case c == '[' && nest < maxNest:
			pos, err = s.array(next, nest+1)
		default:
			pos, err = s.scalar(next)
		}
		if err != nil {
			return 0, err
		}
	}
}

// scalar reads a record that is not an object (Decode rejects it).
func (s *jsonReader) scalar(pos int64) (int64, error) {
	end, st := s.skipValue(pos, lineRules{})
	if st != scanOK {
		return 0, s.breakAt(pos)
	}
	return end, s.record(pos, end)
}

// object reads the object starting at start: one record, or a wrapper whose
// array holds the records. top marks an object at the top level of the
// input, where the line rules apply.
func (s *jsonReader) object(start int64, nest int, top bool) (int64, error) {
	s.w.setKeep(start)
	var r lineRules
	if top {
		r = lineRules{stream: true, compact: s.compactFirstLine(start)}
	}
	res := s.probe(start+1, 1, r, nest < maxNest)
	switch {
	case res.st == scanEOF:
		return 0, s.breakAt(start)
	case res.st == scanBroken:
		return res.end + 1, s.record(start, res.end)
	case res.wrapped:
		return s.wrapper(res, nest)
	case res.detailEnd > 0 && s.w.overflowAt != start:
		return res.end, s.record(res.detail, res.detailEnd)
	}
	return res.end, s.record(start, res.end)
}

// wrapper reads the records of a wrapper's array, then the rest of the
// wrapper.
func (s *jsonReader) wrapper(res probeResult, nest int) (int64, error) {
	end, err := s.array(res.end, nest+1)
	if err != nil {
		return 0, err
	}
	s.w.setKeep(end)
	tail, st := s.skipNested(end, res.depth, lineRules{})
	if st != scanOK {
		return 0, s.breakAt(tail)
	}
	return tail, nil
}

// compactFirstLine reports whether the line of the '{' at start holds more
// than the brace (an NDJSON record rather than a pretty-printed one).
func (s *jsonReader) compactFirstLine(start int64) bool {
	for pos := start + 1; ; pos++ {
		c, ok := s.w.at(pos)
		if !ok || c == '\n' || c == '\r' {
			return false
		}
		if c != ' ' && c != '\t' {
			return true
		}
	}
}

// junkLine cuts out the rest of the line at pos as one record: text at the
// top level that is not JSON (Decode rejects it).
func (s *jsonReader) junkLine(pos int64) (int64, error) {
	w := s.w
	w.setKeep(pos)
	end := pos
	for {
		c, ok := w.at(end)
		if !ok && w.err != nil {
			return 0, s.breakAt(pos)
		}
		if !ok {
			return end, s.record(pos, end)
		}
		if c == '\n' {
			return end + 1, s.record(pos, end)
		}
		end++
	}
}

// record passes the bytes between start and end to the callback, trimmed of
// trailing whitespace.
func (s *jsonReader) record(start, end int64) error {
	w := s.w
	rec := Record{File: s.file, Offset: start}
	if w.overflowAt == start {
		rec.Line = w.overflowLine
		rec.Raw = w.prefix
		rec.Err = fmt.Errorf("%w of %d bytes (a %d-byte record)", ErrRecordTooLarge, w.max-readSize, end-start)
		return s.emit(rec)
	}
	for end > start && isSpace(w.buf[end-1-w.base]) {
		end--
	}
	rec.Line = w.lineAt(start)
	rec.Raw = w.bytes(start, end)
	rec.JSON = rec.Raw
	return s.emit(rec)
}

// breakAt reports that the input breaks off in the record starting at off.
func (s *jsonReader) breakAt(off int64) error {
	return &BreakError{File: s.file, Offset: off, Line: s.w.lineAt(off), Err: s.w.readErr()}
}
