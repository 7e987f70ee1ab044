package ingest

// Wrapper detection. An object at a record position is an event unless, key
// by key, it turns out to wrap the events:
//
//   - a key that is not a LogEvent field, seen before any LogEvent field,
//     whose value is an array of objects (`{"items":[...]}`), or an "events"
//     array of objects before any uuid or published (`{"version":"2",
//     "events":[...]}`): the array's elements are the records;
//   - a "data" object, in an object with no uuid or published, that holds an
//     "events" array (an Okta Event Hook delivery: eventType
//     "com.okta.event_hook", data.events[]).
//
// An object with a "detail-type" and a "detail" object, and no uuid or
// published, is an Amazon EventBridge event (how Okta's Log Streaming
// delivers each event: {"version":"0","id":…,"detail-type":"SystemLog",
// "source":"aws.partner/okta.com/…","time":…,"detail":{LogEvent}}): its
// record is the detail object; it wraps nothing else.
//
// The decision is made while streaming, so a wrapper of any size is read in
// constant memory.

// keyKind classifies an object key.
type keyKind uint8

const (
	keyOther      keyKind = iota
	keyEventField         // a LogEvent field
	keyIdentity           // uuid or published: surely an event
	keyData               // "data" (Event Hook)
	keyEvents             // "events"
	keyDetailType         // "detail-type" (EventBridge)
	keyDetail             // "detail" (EventBridge)
)

// probeResult is how probing an object ended.
type probeResult struct {
	st      status
	end     int64 // after the object; where it broke (scanBroken); or the '[' of the wrapped array
	wrapped bool  // end is the '[' of the array holding the records
	depth   int   // objects open around that array
	// detail and detailEnd bound an EventBridge event's detail object, the
	// record (detailEnd is 0 for any other object).
	detail, detailEnd int64
}

// probe walks the keys of the object whose '{' is just before pos, at level
// 1 (the object itself) or 2 (its "data"). canWrap allows wrapper detection.
func (s *jsonReader) probe(pos int64, level int, r lineRules, canWrap bool) probeResult {
	var sawEventField, sawIdentity, sawDetailType bool
	var detail, detailEnd int64
	for {
		var c byte
		var st status
		pos, c, st = s.nextInObject(pos, r)
		switch {
		case st != scanOK:
			return probeResult{st: st, end: pos}
		case c == '}':
			if level == 1 && sawDetailType && detailEnd > 0 && !sawIdentity {
				return probeResult{end: pos + 1, detail: detail, detailEnd: detailEnd}
			}
			return probeResult{end: pos + 1}
		case c == ',':
			pos++
			continue
		case c != '"':
			end, st := s.skipNested(pos, 1, r) // junk: find where this object closes
			return probeResult{st: st, end: end}
		}
		key, valuePos, st := s.keyAndValue(pos, r)
		if st != scanOK {
			return probeResult{st: st, end: valuePos}
		}
		v, _ := s.w.at(valuePos)
		sawDetailType = sawDetailType || key == keyDetailType
		if canWrap && !sawDetailType {
			if res, done := s.tryWrapper(key, v, valuePos, level, sawEventField, sawIdentity, r); done {
				return res
			} else if res.end > 0 {
				pos = res.end // a "data" object that wraps nothing
				continue
			}
		}
		sawEventField = sawEventField || key == keyEventField || key == keyIdentity
		sawIdentity = sawIdentity || key == keyIdentity
		if v == ',' || v == '}' || v == ']' {
			pos = valuePos // a key without a value: leave the delimiter to the loop
			continue
		}
		end, st := s.skipValue(valuePos, r)
		if st != scanOK {
			return probeResult{st: st, end: end}
		}
		if key == keyDetail && v == '{' {
			detail, detailEnd = valuePos, end
		}
		pos = end
	}
}

// tryWrapper decides whether the value at pos, under a key of kind key, is
// the array of records of a wrapper. done is true when res ends the probe;
// otherwise a non-zero res.end is where probing resumes after a "data"
// object that held no events.
func (s *jsonReader) tryWrapper(key keyKind, v byte, pos int64, level int, sawEventField, sawIdentity bool, r lineRules) (res probeResult, done bool) {
	switch {
	case v == '[' && level == 1 && key != keyEventField && key != keyIdentity && !sawEventField,
		v == '[' && level == 1 && key == keyEvents && !sawIdentity,
		v == '[' && level == 2 && key == keyEvents:
		if s.arrayOfObjects(pos) {
			return probeResult{end: pos, wrapped: true, depth: level}, true
		}
	case v == '{' && level == 1 && key == keyData && !sawIdentity:
		inner := s.probe(pos+1, 2, r, true)
		if inner.st != scanOK || inner.wrapped {
			return inner, true
		}
		return probeResult{end: inner.end}, false
	}
	return probeResult{}, false
}

// nextInObject skips whitespace inside an object and returns the next byte.
func (s *jsonReader) nextInObject(pos int64, r lineRules) (int64, byte, status) {
	pos, st := s.skipSpace(pos, r)
	if st != scanOK {
		return pos, 0, st
	}
	c, _ := s.w.at(pos)
	return pos, c, scanOK
}

// keyAndValue reads the key whose quote is at pos and the colon after it,
// and returns the key's kind and the offset of its value.
func (s *jsonReader) keyAndValue(pos int64, r lineRules) (keyKind, int64, status) {
	keyEnd, st := s.scanString(pos, r)
	if st != scanOK {
		return keyOther, keyEnd, st
	}
	key := classifyKey(s.w.bytes(pos+1, keyEnd-1))
	next, c, st := s.nextInObject(keyEnd, r)
	if st != scanOK {
		return key, next, st
	}
	if c == ':' {
		next, _, st = s.nextInObject(next+1, r)
	}
	return key, next, st
}

// arrayOfObjects reports whether the array whose '[' is at pos is empty or
// starts with an object.
func (s *jsonReader) arrayOfObjects(pos int64) bool {
	for pos++; ; pos++ {
		c, ok := s.w.at(pos)
		if !ok || !isSpace(c) {
			return ok && (c == '{' || c == ']')
		}
	}
}

// classifyKey says what an object key is, ignoring case (exports write
// "eventtype" as well as "eventType").
func classifyKey(key []byte) keyKind {
	var lower [32]byte
	if len(key) > len(lower) {
		return keyOther
	}
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(key)]) {
	case "uuid", "published":
		return keyIdentity
	case "eventtype", "version", "severity", "legacyeventtype", "displaymessage", "actor",
		"client", "device", "outcome", "target", "transaction", "debugcontext",
		"authenticationcontext", "securitycontext", "request":
		return keyEventField
	case "data":
		return keyData
	case "events":
		return keyEvents
	case "detail-type":
		return keyDetailType
	case "detail":
		return keyDetail
	}
	return keyOther
}
