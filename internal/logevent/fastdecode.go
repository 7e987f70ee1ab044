package logevent

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fast path of DecodeInto decodes an event's JSON into a LogEvent in one
// pass over its bytes, without the general decoder's copy of the input and
// with few allocations: strings that recur from event to event (event
// types, actors, IP addresses, places, user agents) come from a cache, the
// strings of an event's own (uuid, published, ids) are made in one
// allocation, and every Object keeps its JSON as a slice of the input rather
// than a copy.
//
// It decodes exactly as goccy/go-json does, or gives up, and the general
// decoder then decodes the event as before. It gives up on whatever it does
// not follow the general decoder through: a name of a LogEvent field in
// another case (which the general decoder matches), a name with an escape
// or a byte not ASCII (in free-form objects too), a field given twice, a
// string value with an escape or bytes not UTF-8, a value of the wrong JSON
// type for its field (which the general decoder's coercion takes on),
// nesting deeper than maxFastDepth, and anything that is not JSON. Unknown
// fields are read, strictly, and skipped. It compares the names of the
// members of every object but the typed ones (whose names are its own) and
// gives up on two that differ only in case, which DecodeInto then rejects
// (see caseVariants).
//
// Its readers take the index in the input to read at, and return the index
// after what they read, which stays in a register; once the decoder gave
// up, they return the input's length, and read nothing more.

// maxFastDepth is how deeply the fast path reads objects and arrays nested
// in an unknown field or in an Object's value.
const maxFastDepth = 64

// The string cache: internSlots strings (a power of two), each of at most
// maxInterned bytes, so that it holds at most internSlots*maxInterned bytes
// whatever it is fed.
const (
	internBits  = 12
	internSlots = 1 << internBits
	maxInterned = 256
)

// The Numbers a decoder keeps: 1<<numberBits of them, each of JSON of at
// most maxNumberText bytes.
const (
	numberBits    = 8
	maxNumberText = 32
)

// maxScratch is the most elements a decoder keeps room for between events,
// so that an event of a long array does not hold memory in the pool.
const maxScratch = 64

// fastDecoders holds the decoders' states, each with its caches, for the
// goroutines that decode at the same time.
var fastDecoders = sync.Pool{New: func() any { return newFastDecoder() }}

// decodeFast decodes the JSON object raw (without white space around it)
// into e, which must be zero, and reports whether it did; when it did not,
// e holds part of the event and the general decoder must decode it afresh.
func decodeFast(e *LogEvent, raw []byte) bool {
	d := fastDecoders.Get().(*fastDecoder)
	ok := d.decode(e, raw)
	fastDecoders.Put(d)
	return ok
}

// fastDecoder is the state of the fast path: the JSON it reads, and what it
// keeps from one event to the next.
type fastDecoder struct {
	b      []byte
	failed bool
	reason string // why it gave up, at
	at     int

	targets []Target    // the elements of an array of targets being read
	hops    []IPAddress // the elements of an IP chain being read
	names   []nameSpan  // the names of the members of the objects being read (see endNames)
	unique  [5]uniqueText
	nUnique int
	strings stringCache
	numbers [1 << numberBits]numberSlot
}

// numberSlot is a Number the decoder keeps, and its JSON.
type numberSlot struct {
	text   string
	number Number
}

func newFastDecoder() *fastDecoder {
	return &fastDecoder{}
}

// decode decodes raw into e, and reports whether it did.
func (d *fastDecoder) decode(e *LogEvent, raw []byte) bool {
	d.b, d.failed, d.reason, d.at = raw, false, "", 0
	d.names = d.names[:0]
	i := 0
	if len(raw) > 0 && raw[0] == '{' {
		i = d.space(d.logEvent(0, e))
	} else {
		d.fail(0, "not an object")
	}
	if !d.failed && i != len(raw) {
		d.fail(i, "data after the object")
	}
	if d.failed {
		d.dropUnique()
	} else {
		d.makeUnique()
	}
	d.b = nil // the pool must not keep the event
	if cap(d.names) > maxScratch {
		d.names = nil
	}
	return !d.failed
}

// fail gives up at i, saying why, and returns the input's length.
func (d *fastDecoder) fail(i int, reason string) int {
	if !d.failed {
		d.failed, d.reason, d.at = true, reason, i
	}
	return len(d.b)
}

// fieldList is the JSON names of a struct's fields, numbered in the order
// Okta writes them, which is the order the decoder expects them in.
type fieldList struct {
	names []string
}

func newFieldList(names ...string) *fieldList {
	return &fieldList{names: names}
}

// index returns the number of the field named name, or -1.
func (l *fieldList) index(name []byte) int {
	for k, n := range l.names {
		if len(n) == len(name) && n[0] == name[0] && n == string(name) {
			return k
		}
	}
	return -1
}

// The fields of each struct, in Okta's order.
var (
	logEventFields = newFieldList("actor", "client", "device", "authenticationContext", "displayMessage",
		"eventType", "outcome", "published", "securityContext", "severity", "debugContext", "legacyEventType",
		"transaction", "uuid", "version", "request", "target")
	actorFields       = newFieldList("id", "type", "alternateId", "displayName", "detailEntry")
	clientFields      = newFieldList("userAgent", "zone", "device", "id", "ipAddress", "geographicalContext")
	userAgentFields   = newFieldList("rawUserAgent", "os", "browser")
	placeFields       = newFieldList("city", "state", "country", "postalCode", "geolocation")
	geolocationFields = newFieldList("lat", "lon")
	deviceFields      = newFieldList("id", "name", "os_platform", "os_version", "managed", "registered",
		"device_integrator", "disk_encryption_type", "screen_lock_type", "jailbreak", "secure_hardware_present")
	authFields = newFieldList("authenticationProvider", "credentialProvider", "credentialType", "issuer",
		"interface", "authenticationStep", "rootSessionId", "externalSessionId")
	issuerFields      = newFieldList("id", "type")
	outcomeFields     = newFieldList("result", "reason")
	securityFields    = newFieldList("asNumber", "asOrg", "isp", "domain", "isProxy")
	debugFields       = newFieldList("debugData")
	transactionFields = newFieldList("type", "id", "detail")
	requestFields     = newFieldList("ipChain")
	hopFields         = newFieldList("ip", "geographicalContext", "version", "source")
)

// The readers of a struct read its members with key and member:
//
//	m := newMembers(fieldsOfT)
//	for {
//		if i, ok = d.key(i, &m, 0, `"first":`); ok {
//			t.First, i = d.string(i)
//		}
//		… a key for every field, in Okta's order
//		if i = d.member(i, &m); m.field < 0 {
//			return i
//		}
//	}
//
// In Okta's order and compact JSON, every key matches its member's name at
// once, in one pass, and member finds the object's end. Once a member is
// not (in another order, or JSON, or of no field), member reads the name
// of every next member, and its key takes it in the next pass.

// members is the state of the reading of an object's members.
type members struct {
	fields *fieldList
	field  int    // the number of the field whose name member read, or -1
	seen   uint32 // a bit for every field read
	sep    byte   // what is before the next member: '{' or ','
	names  int    // the index in the decoder's names of the first unknown member's, or -1
}

// newMembers returns the state of the reading of an object of the fields,
// from its opening brace (see objectOrNull).
func newMembers(fields *fieldList) members {
	return members{fields: fields, field: -1, sep: '{', names: -1}
}

// key reports whether the member at i is of the field numbered k: the
// member whose name member read, if it read one, or else the member at i
// if it has the name given (with the separator before it), in compact
// JSON, whose name key reads. Until member reads a name, the readers are in
// their first pass, where each key is tried once: no field's name can be
// read twice there.
func (d *fastDecoder) key(i int, m *members, k int, name string) (int, bool) {
	if m.field >= 0 {
		return i, m.field == k
	}
	b := d.b
	j := i + 1 + len(name)
	if len(b) <= j || b[i] != m.sep || string(b[i+1:j]) != name || b[j] <= ' ' {
		return i, false
	}
	m.seen, m.sep = m.seen|1<<k, ','
	return j, true
}

// member reads the name of the next member of the object at i, up to its
// value, and sets m.field to its field's number; it reads and skips the
// members of no field. At the end of the object, its closing brace read,
// or once the decoder gave up, m.field is -1.
func (d *fastDecoder) member(i int, m *members) int {
	b := d.b
	m.field = -1
	if i < len(b) && b[i] == '}' && m.sep == ',' { // the end, in compact JSON
		if m.names >= 0 {
			return d.endNames(i+1, m.names)
		}
		return i + 1
	}
	for !d.failed {
		switch i = d.space(i); {
		case i < len(b) && b[i] == m.sep:
			i = d.space(i + 1)
			if m.sep == '{' && i < len(b) && b[i] == '}' {
				return i + 1 // {}
			}
		case i < len(b) && b[i] == '}' && m.sep == ',':
			if m.names >= 0 {
				return d.endNames(i+1, m.names)
			}
			return i + 1
		default:
			return d.fail(i, "expected a comma or the object's end")
		}
		m.sep = ','
		var name []byte
		at := i + 1
		if name, i = d.name(i); d.failed {
			return i
		}
		k := m.fields.index(name)
		if k < 0 {
			if m.names < 0 {
				m.names = len(d.names)
			}
			d.names = append(d.names, newNameSpan(d.b, at, at+len(name)))
			i = d.unknown(i, name, m.fields.names)
			continue
		}
		if m.seen&(1<<k) != 0 {
			return d.fail(i, "field repeated")
		}
		m.field, m.seen = k, m.seen|1<<k
		return i
	}
	return i
}

// nameSpan is where the name of a member is in the input, b[at:end], plain
// ASCII (see plainRun), and a key of it in any case: names equal in any
// case have the same key.
type nameSpan struct {
	at, end int
	key     uint64
}

// newNameSpan returns the nameSpan of the name b[at:end]. Its key is made of
// its length and its first and last eight bytes (or fewer) with bit 5 set,
// which makes upper case ASCII letters lower case (and a few other bytes
// alike, which endNames tells apart).
func newNameSpan(b []byte, at, end int) nameSpan {
	const lower = 0x2020202020202020
	n := end - at
	var first, last uint64
	if n >= 8 {
		first = binary.LittleEndian.Uint64(b[at:])
		last = binary.LittleEndian.Uint64(b[end-8:])
	} else {
		for k := range n {
			first |= uint64(b[at+k]) << (8 * k)
		}
	}
	return nameSpan{at: at, end: end, key: (first|lower)*0x9E3779B97F4A7C15 ^ (last | lower) ^ uint64(n)}
}

// maxNames is the most members an object may have whose names endNames
// compares: each with each, which is fast for the objects of events (ten
// or so members), and only those.
const maxNames = 64

// endNames ends an object whose members' names are d.names[first:], at i
// after its closing brace. It gives up if two names differ only in case (see
// caseVariants), or if there are too many to compare quickly, and forgets
// the names.
func (d *fastDecoder) endNames(i, first int) int {
	names := d.names[first:]
	d.names = d.names[:first]
	if len(names) > maxNames {
		return d.fail(i, "object with too many members to compare their names")
	}
	for j, a := range names {
		for _, o := range names[:j] {
			if a.key == o.key && d.differInCase(a, o) {
				return d.fail(a.at, "names differing only in case")
			}
		}
	}
	return i
}

// differInCase reports whether the names a and o differ, but not in ASCII's
// case folding.
func (d *fastDecoder) differInCase(a, o nameSpan) bool {
	an, on := d.b[a.at:a.end], d.b[o.at:o.end]
	return string(an) != string(on) && equalFoldASCII(an, string(on))
}

// name reads the name of a member, and the colon after it, up to its value.
func (d *fastDecoder) name(i int) (name []byte, next int) {
	b := d.b
	if i == len(b) || b[i] != '"' {
		return nil, d.fail(i, "expected a name")
	}
	n := indexQuote(b[i+1:])
	if n < 0 {
		return nil, d.fail(i, "unterminated name")
	}
	name = b[i+1 : i+1+n] // plain if it is a field's name; unknown checks others
	i = d.space(i + n + 2)
	if i == len(b) || b[i] != ':' {
		return nil, d.fail(i, "expected a colon")
	}
	return name, d.space(i + 1)
}

// unknown skips the value of the member named name, of no field of a
// struct whose fields' names are fields, and gives up if name is one of
// them in another case (which the general decoder matches), or is not
// plain ASCII (see plainRun).
func (d *fastDecoder) unknown(i int, name []byte, fields []string) int {
	if plainRun(name) != len(name) {
		return d.fail(i, "name not plain ASCII")
	}
	for _, f := range fields {
		if equalFoldASCII(name, f) {
			return d.fail(i, "field name in another case")
		}
	}
	return d.skip(i, 0)
}

// equalFoldASCII reports whether name and field, both ASCII, are equal in
// ASCII's case folding.
func equalFoldASCII(name []byte, field string) bool {
	if len(name) != len(field) {
		return false
	}
	for i := range len(name) {
		a, b := name[i], field[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// The readers of each struct read an object at i, at its opening brace,
// up to its closing one. A struct's field may be null (and stays zero), a
// pointer's too (and stays nil).

func (d *fastDecoder) logEvent(i int, e *LogEvent) int {
	m := newMembers(logEventFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"actor":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.actor(i, &e.Actor)
			}
		}
		if i, ok = d.key(i, &m, 1, `"client":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.client(i, &e.Client)
			}
		}
		if i, ok = d.key(i, &m, 2, `"device":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				e.Device = new(Device)
				i = d.device(i, e.Device)
			}
		}
		if i, ok = d.key(i, &m, 3, `"authenticationContext":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.authenticationContext(i, &e.AuthenticationContext)
			}
		}
		if i, ok = d.key(i, &m, 4, `"displayMessage":`); ok {
			e.DisplayMessage, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 5, `"eventType":`); ok {
			e.EventType, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 6, `"outcome":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.outcome(i, &e.Outcome)
			}
		}
		if i, ok = d.key(i, &m, 7, `"published":`); ok {
			i = d.uniqueString(i, &e.Published)
		}
		if i, ok = d.key(i, &m, 8, `"securityContext":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.securityContext(i, &e.SecurityContext)
			}
		}
		if i, ok = d.key(i, &m, 9, `"severity":`); ok {
			e.Severity, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 10, `"debugContext":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.debugContext(i, &e.DebugContext)
			}
		}
		if i, ok = d.key(i, &m, 11, `"legacyEventType":`); ok {
			e.LegacyEventType, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 12, `"transaction":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.transaction(i, &e.Transaction)
			}
		}
		if i, ok = d.key(i, &m, 13, `"uuid":`); ok {
			i = d.uniqueString(i, &e.UUID)
		}
		if i, ok = d.key(i, &m, 14, `"version":`); ok {
			e.Version, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 15, `"request":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.request(i, &e.Request)
			}
		}
		if i, ok = d.key(i, &m, 16, `"target":`); ok {
			e.Target, i = d.targetList(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

// actor reads an Actor, or a Target (of the same fields).
func (d *fastDecoder) actor(i int, a *Actor) int {
	m := newMembers(actorFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"id":`); ok {
			a.ID, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"type":`); ok {
			a.Type, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"alternateId":`); ok {
			a.AlternateID, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"displayName":`); ok {
			a.DisplayName, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 4, `"detailEntry":`); ok {
			i = d.objectValue(i, &a.DetailEntry)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

// targetList reads an array of targets, or null (nil).
func (d *fastDecoder) targetList(i int) ([]Target, int) {
	i, ok := d.arrayOrNull(i)
	if !ok {
		return nil, i
	}
	defer d.dropTargets()
	for first := true; ; first = false {
		if i, ok = d.element(i, first); !ok {
			break
		}
		d.targets = append(d.targets, Target{})
		if i, ok = d.objectOrNull(i); ok {
			i = d.actor(i, (*Actor)(&d.targets[len(d.targets)-1]))
		}
	}
	if d.failed {
		return nil, i
	}
	out := make([]Target, len(d.targets)) // not nil when empty, as "[]" decodes
	copy(out, d.targets)
	return out, i
}

// dropTargets empties the scratch of targets, of their Objects' JSON too.
func (d *fastDecoder) dropTargets() {
	clear(d.targets)
	d.targets = d.targets[:0]
	if cap(d.targets) > maxScratch {
		d.targets = nil
	}
}

func (d *fastDecoder) client(i int, c *Client) int {
	m := newMembers(clientFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"userAgent":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.userAgent(i, &c.UserAgent)
			}
		}
		if i, ok = d.key(i, &m, 1, `"zone":`); ok {
			c.Zone, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"device":`); ok {
			c.Device, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"id":`); ok {
			c.ID, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 4, `"ipAddress":`); ok {
			c.IPAddress, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 5, `"geographicalContext":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.place(i, &c.GeographicalContext)
			}
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) userAgent(i int, u *UserAgent) int {
	m := newMembers(userAgentFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"rawUserAgent":`); ok {
			u.RawUserAgent, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"os":`); ok {
			u.OS, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"browser":`); ok {
			u.Browser, i = d.string(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

// place reads a GeographicalContext.
func (d *fastDecoder) place(i int, g *GeographicalContext) int {
	m := newMembers(placeFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"city":`); ok {
			g.City, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"state":`); ok {
			g.State, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"country":`); ok {
			g.Country, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"postalCode":`); ok {
			g.PostalCode, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 4, `"geolocation":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.geolocation(i, &g.Geolocation)
			}
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) geolocation(i int, g *Geolocation) int {
	m := newMembers(geolocationFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"lat":`); ok {
			i = d.number(i, &g.Lat)
		}
		if i, ok = d.key(i, &m, 1, `"lon":`); ok {
			i = d.number(i, &g.Lon)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) device(i int, v *Device) int {
	m := newMembers(deviceFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"id":`); ok {
			v.ID, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"name":`); ok {
			v.Name, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"os_platform":`); ok {
			v.OSPlatform, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"os_version":`); ok {
			v.OSVersion, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 4, `"managed":`); ok {
			i = d.boolean(i, &v.Managed)
		}
		if i, ok = d.key(i, &m, 5, `"registered":`); ok {
			i = d.boolean(i, &v.Registered)
		}
		if i, ok = d.key(i, &m, 6, `"device_integrator":`); ok {
			i = d.objectValue(i, &v.DeviceIntegrator)
		}
		if i, ok = d.key(i, &m, 7, `"disk_encryption_type":`); ok {
			v.DiskEncryptionType, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 8, `"screen_lock_type":`); ok {
			v.ScreenLockType, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 9, `"jailbreak":`); ok {
			i = d.boolean(i, &v.Jailbreak)
		}
		if i, ok = d.key(i, &m, 10, `"secure_hardware_present":`); ok {
			i = d.boolean(i, &v.SecureHardwarePresent)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) authenticationContext(i int, a *AuthenticationContext) int {
	m := newMembers(authFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"authenticationProvider":`); ok {
			a.AuthenticationProvider, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"credentialProvider":`); ok {
			a.CredentialProvider, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"credentialType":`); ok {
			a.CredentialType, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"issuer":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				a.Issuer = new(Issuer)
				i = d.issuer(i, a.Issuer)
			}
		}
		if i, ok = d.key(i, &m, 4, `"interface":`); ok {
			a.Interface, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 5, `"authenticationStep":`); ok {
			i = d.number(i, &a.AuthenticationStep)
		}
		if i, ok = d.key(i, &m, 6, `"rootSessionId":`); ok {
			i = d.uniqueString(i, &a.RootSessionID)
		}
		if i, ok = d.key(i, &m, 7, `"externalSessionId":`); ok {
			i = d.uniqueString(i, &a.ExternalSessionID)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) issuer(i int, v *Issuer) int {
	m := newMembers(issuerFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"id":`); ok {
			v.ID, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"type":`); ok {
			v.Type, i = d.string(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) outcome(i int, o *Outcome) int {
	m := newMembers(outcomeFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"result":`); ok {
			o.Result, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"reason":`); ok {
			o.Reason, i = d.string(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) securityContext(i int, s *SecurityContext) int {
	m := newMembers(securityFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"asNumber":`); ok {
			i = d.number(i, &s.AsNumber)
		}
		if i, ok = d.key(i, &m, 1, `"asOrg":`); ok {
			s.AsOrg, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 2, `"isp":`); ok {
			s.ISP, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"domain":`); ok {
			s.Domain, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 4, `"isProxy":`); ok {
			i = d.boolean(i, &s.IsProxy)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) debugContext(i int, c *DebugContext) int {
	m := newMembers(debugFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"debugData":`); ok {
			i = d.objectValue(i, &c.DebugData)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) transaction(i int, t *Transaction) int {
	m := newMembers(transactionFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"type":`); ok {
			t.Type, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"id":`); ok {
			i = d.uniqueString(i, &t.ID)
		}
		if i, ok = d.key(i, &m, 2, `"detail":`); ok {
			i = d.objectValue(i, &t.Detail)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

func (d *fastDecoder) request(i int, r *Request) int {
	m := newMembers(requestFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"ipChain":`); ok {
			r.IPChain, i = d.ipChain(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

// ipChain reads an array of IP addresses, or null (nil).
func (d *fastDecoder) ipChain(i int) ([]IPAddress, int) {
	i, ok := d.arrayOrNull(i)
	if !ok {
		return nil, i
	}
	defer d.dropHops()
	for first := true; ; first = false {
		if i, ok = d.element(i, first); !ok {
			break
		}
		d.hops = append(d.hops, IPAddress{})
		if i, ok = d.objectOrNull(i); ok {
			i = d.hop(i, &d.hops[len(d.hops)-1])
		}
	}
	if d.failed {
		return nil, i
	}
	out := make([]IPAddress, len(d.hops)) // not nil when empty, as "[]" decodes
	copy(out, d.hops)
	return out, i
}

// dropHops empties the scratch of IP addresses.
func (d *fastDecoder) dropHops() {
	clear(d.hops)
	d.hops = d.hops[:0]
	if cap(d.hops) > maxScratch {
		d.hops = nil
	}
}

// hop reads an IPAddress.
func (d *fastDecoder) hop(i int, a *IPAddress) int {
	m := newMembers(hopFields)
	for {
		var ok bool
		if i, ok = d.key(i, &m, 0, `"ip":`); ok {
			a.IP, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 1, `"geographicalContext":`); ok {
			if i, ok = d.objectOrNull(i); ok {
				i = d.place(i, &a.GeographicalContext)
			}
		}
		if i, ok = d.key(i, &m, 2, `"version":`); ok {
			a.Version, i = d.string(i)
		}
		if i, ok = d.key(i, &m, 3, `"source":`); ok {
			a.Source, i = d.string(i)
		}
		if i = d.member(i, &m); m.field < 0 {
			return i
		}
	}
}

// objectOrNull reports true if an object is at i, to be read by member,
// or reads null and reports false. It gives up on any other value, which
// a struct's field cannot decode.
func (d *fastDecoder) objectOrNull(i int) (int, bool) {
	if i < len(d.b) && d.b[i] == '{' {
		return i, true
	}
	return d.null(i, "not an object"), false
}

// arrayOrNull reads the opening bracket of an array and reports true, or
// reads null and reports false. It gives up on any other value, which a
// slice cannot decode.
func (d *fastDecoder) arrayOrNull(i int) (int, bool) {
	if i < len(d.b) && d.b[i] == '[' {
		return i + 1, true
	}
	return d.null(i, "not an array"), false
}

// null reads null, and gives up on anything else, saying it is not what
// was expected.
func (d *fastDecoder) null(i int, notExpected string) int {
	if i < len(d.b) && d.b[i] == 'n' {
		return d.literal(i, "null")
	}
	return d.fail(i, notExpected)
}

// element reads up to the next element of an array, after the comma before
// it unless it is the first, and reports whether there is one. Otherwise
// it reads the closing bracket.
func (d *fastDecoder) element(i int, first bool) (int, bool) {
	b := d.b
	i = d.space(i)
	switch {
	case d.failed:
		return i, false
	case i < len(b) && b[i] == ']':
		return i + 1, false
	case first:
		return i, true
	case i < len(b) && b[i] == ',':
		return d.space(i + 1), true
	}
	return d.fail(i, "expected a comma or the array's end"), false
}

// string reads a string value, or null, and returns it from the cache of
// strings that recur. The cache holds only strings check accepts, so that
// bytes found in it need no checking. Strings of up to shortMax bytes,
// most of them, are read and compared as two words.
func (d *fastDecoder) string(i int) (string, int) {
	b := d.b
	if i < len(b) && b[i] == 'n' {
		return "", d.literal(i, "null")
	}
	var text []byte
	var end int
	n, w0, w1, ok := shortString(b, i)
	if ok {
		text, end = b[i+1:i+1+n], i+n+2
	} else {
		if text, end, ok = d.quoted(i); !ok {
			return "", end
		}
		if len(text) > maxInterned {
			if !d.check(end, text) {
				return "", len(b)
			}
			return string(text), end
		}
		w0, w1 = stringWords(text)
	}
	if len(text) == 0 {
		return "", end
	}
	slot := d.strings.slot(len(text), w0, w1, text)
	if !slot.equal(len(text), w0, w1) || len(text) > shortMax && slot.s != string(text) {
		if !d.check(end, text) {
			return "", len(b)
		}
		*slot = cachedString{string(text), w0, w1}
	}
	return slot.s, end
}

// shortMax is the length of the longest string shortString reads.
const shortMax = 15

// shortString reads the bytes of the string at i as two words, w0 the
// first eight, w1 the next ones, zero after its end, and returns its
// length n, if it is a string of at most shortMax bytes followed by at
// least one byte. It does not check the bytes (see check).
func shortString(b []byte, i int) (n int, w0, w1 uint64, ok bool) {
	if i+2+shortMax >= len(b) || b[i] != '"' {
		return 0, 0, 0, false
	}
	w0 = binary.LittleEndian.Uint64(b[i+1:])
	if q := quotesIn(w0); q != 0 {
		n = bits.TrailingZeros64(q) / 8
		return n, w0 & (1<<(8*n) - 1), 0, true
	}
	w1 = binary.LittleEndian.Uint64(b[i+9:])
	if q := quotesIn(w1); q != 0 {
		n = bits.TrailingZeros64(q) / 8
		return 8 + n, w0, w1 & (1<<(8*n) - 1), true
	}
	return 0, 0, 0, false
}

// quotesIn returns the word of the high bits of the bytes of x that are
// quotes, and may be of some after the first quote (which is exact).
func quotesIn(x uint64) uint64 {
	x ^= ones * '"'
	return (x - ones) &^ x & highs
}

// stringWords returns the words shortString reads of the string of text,
// of at most shortMax bytes, or else its first eight and last eight bytes.
func stringWords(text []byte) (w0, w1 uint64) {
	var buf [16]byte
	if len(text) > shortMax {
		return binary.LittleEndian.Uint64(text), binary.LittleEndian.Uint64(text[len(text)-8:])
	}
	copy(buf[:], text)
	return binary.LittleEndian.Uint64(buf[:]), binary.LittleEndian.Uint64(buf[8:])
}

// uniqueString reads a string value, or null, that no other event has (an
// event's or a request's id, a time), which the cache would only churn
// with, for dst. The unique strings of an event are made at its end, in
// one allocation (see makeUnique).
func (d *fastDecoder) uniqueString(i int, dst *string) int {
	text, i, ok := d.quoted(i)
	if !ok || len(text) == 0 {
		return i
	}
	if !d.check(i, text) {
		return len(d.b)
	}
	if d.nUnique == len(d.unique) { // not for LogEvent's fields, each read once
		*dst = string(text)
		return i
	}
	d.unique[d.nUnique] = uniqueText{dst: dst, start: i - 1 - len(text), end: i - 1}
	d.nUnique++
	return i
}

// uniqueText is a string of the input that uniqueString leaves for
// makeUnique to set dst to.
type uniqueText struct {
	dst        *string
	start, end int
}

// makeUnique sets the fields uniqueString read.
func (d *fastDecoder) makeUnique() {
	size := 0
	for _, u := range d.unique[:d.nUnique] {
		size += u.end - u.start
	}
	var all strings.Builder
	all.Grow(size)
	for _, u := range d.unique[:d.nUnique] {
		all.Write(d.b[u.start:u.end])
	}
	text := all.String()
	for _, u := range d.unique[:d.nUnique] {
		*u.dst, text = text[:u.end-u.start], text[u.end-u.start:]
	}
	d.dropUnique()
}

// dropUnique forgets the fields uniqueString read.
func (d *fastDecoder) dropUnique() {
	clear(d.unique[:d.nUnique])
	d.nUnique = 0
}

// quoted reads a string value and returns its bytes between the quotes, to
// be checked (see check), or reads null and returns nil ("", which leaves a
// field as it is when the general decoder reads it). It gives up on any
// other value. ok is false when there is nothing more to do.
func (d *fastDecoder) quoted(i int) (text []byte, next int, ok bool) {
	b := d.b
	switch {
	case i < len(b) && b[i] == '"':
	case i < len(b) && b[i] == 'n':
		return nil, d.literal(i, "null"), false
	default:
		return nil, d.fail(i, "not a string"), false
	}
	n := indexQuote(b[i+1:])
	if n < 0 {
		return nil, d.fail(i, "unterminated string"), false
	}
	return b[i+1 : i+1+n], i + n + 2, true
}

// indexQuote returns the index of the first quote in b, or -1. It looks
// in the first eight bytes at once, short strings being most of JSON.
func indexQuote(b []byte) int {
	if len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b) ^ (ones * '"')
		if found := (x - ones) &^ x & highs; found != 0 { // the lowest is the first quote
			return bits.TrailingZeros64(found) / 8
		}
	}
	return bytes.IndexByte(b, '"')
}

// ones and highs are a word of bytes 0x01, and of bytes 0x80.
const ones, highs = 0x0101010101010101, 0x8080808080808080

// check reports whether text, the bytes of a string that quoted returns
// (ending before i), is its text: there is no escape nor control
// character, and it is UTF-8. It gives up otherwise: the general decoder
// unescapes, rejects control characters and replaces bytes not UTF-8.
func (d *fastDecoder) check(i int, text []byte) bool {
	for k := plainRun(text); k < len(text); {
		if text[k] < utf8.RuneSelf {
			d.fail(i-1-len(text)+k, "string with an escape or a control character")
			return false
		}
		r, size := utf8.DecodeRune(text[k:])
		if r == utf8.RuneError && size == 1 {
			d.fail(i-1-len(text)+k, "string not UTF-8")
			return false
		}
		k += size
		k += plainRun(text[k:])
	}
	return true
}

// number reads the value of a Number field, which decodes as its
// UnmarshalJSON decodes it. The values of recent events' Numbers are kept,
// by their JSON (the coordinates of cities, the numbers of networks, which
// recur): a value kept is not parsed again.
func (d *fastDecoder) number(i int, n *Number) int {
	var v []byte
	if b := d.b; i < len(b) && (b[i] == '-' || '0' <= b[i] && b[i] <= '9') {
		start := i
		i = d.skipNumber(i)
		v = b[start:i:i]
	} else {
		v, i = d.value(i)
	}
	if d.failed {
		return i
	}
	if len(v) > maxNumberText {
		n.UnmarshalJSON(v)
		return i
	}
	slot := &d.numbers[hashBytes(v)>>(64-numberBits)]
	if slot.text != string(v) {
		slot.number.UnmarshalJSON(v)
		slot.text = string(v)
	}
	*n = slot.number
	return i
}

// boolean reads the value of a Bool field, which decodes as its
// UnmarshalJSON decodes it.
func (d *fastDecoder) boolean(i int, v *Bool) int {
	text, i := d.value(i)
	v.UnmarshalJSON(text)
	return i
}

// objectValue reads the value of an Object field, keeping its JSON, a
// slice of the input: what Object.UnmarshalJSON keeps of the general
// decoder's copy.
func (d *fastDecoder) objectValue(i int, o *Object) int {
	text, i := d.value(i)
	o.UnmarshalJSON(text)
	return i
}

// value reads any value and returns its JSON, as the general decoder hands
// it to an UnmarshalJSON method: its bytes without the white space around
// them. The slice has no room to append to, which would write over the
// input.
func (d *fastDecoder) value(i int) ([]byte, int) {
	start := i
	i = d.skip(i, 0)
	if d.failed {
		return nil, i
	}
	return d.b[start:i:i], i
}

// skip reads a value, nested in depth objects and arrays of an unknown
// field or an Object's value, and checks that it is JSON.
func (d *fastDecoder) skip(i, depth int) int {
	b := d.b
	if i == len(b) {
		return d.fail(i, "expected a value")
	}
	switch b[i] {
	case '"':
		return d.skipString(i + 1)
	case '{':
		if depth == maxFastDepth {
			return d.fail(i, "nested too deeply")
		}
		i++
		names := len(d.names)
		for first := true; ; first = false {
			i = d.space(i)
			switch {
			case d.failed:
				return i
			case i < len(b) && b[i] == '}':
				return d.endNames(i+1, names)
			case !first && (i == len(b) || b[i] != ','):
				return d.fail(i, "expected a comma or the object's end")
			case !first:
				i = d.space(i + 1)
			}
			if i == len(b) || b[i] != '"' {
				return d.fail(i, "expected a name")
			}
			at := i + 1
			end := at + plainRun(b[at:])
			if end == len(b) || b[end] != '"' {
				return d.fail(at, "name not plain ASCII")
			}
			d.names = append(d.names, newNameSpan(b, at, end))
			i = d.space(end + 1)
			if i == len(b) || b[i] != ':' {
				return d.fail(i, "expected a colon")
			}
			i = d.skip(d.space(i+1), depth+1)
		}
	case '[':
		if depth == maxFastDepth {
			return d.fail(i, "nested too deeply")
		}
		i++
		for first := true; ; first = false {
			var ok bool
			if i, ok = d.element(i, first); !ok {
				return i
			}
			i = d.skip(i, depth+1)
		}
	case 't':
		return d.literal(i, "true")
	case 'f':
		return d.literal(i, "false")
	case 'n':
		return d.literal(i, "null")
	}
	return d.skipNumber(i)
}

// skipString reads the rest of a string whose opening quote is read.
func (d *fastDecoder) skipString(i int) int {
	b := d.b
	for {
		i = stringRun(b, i)
		switch {
		case i == len(b):
			return d.fail(i, "unterminated string")
		case b[i] == '"':
			return i + 1
		case b[i] == '\\':
			if i = d.escape(i); d.failed {
				return i
			}
		default:
			return d.fail(i, "control character in a string")
		}
	}
}

// stringRun returns the index of the first quote, backslash or control
// character of b from i, or len(b). It reads eight bytes at a time, as
// plainRun does, but does not stop at bytes that are not ASCII.
func stringRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		quotes, backslashes := x^(ones*'"'), x^(ones*'\\')
		// A high bit is set in (x-' ')&^x by a byte under ' ', and in
		// (y-1)&^y by a zero byte of y; the lowest one is the first's.
		if found := ((x-ones*' ')&^x | (quotes-ones)&^quotes | (backslashes-ones)&^backslashes) & highs; found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for i < len(b) && b[i] >= ' ' && b[i] != '"' && b[i] != '\\' {
		i++
	}
	return i
}

// escape reads the escape sequence at i.
func (d *fastDecoder) escape(i int) int {
	b := d.b
	if i+1 == len(b) {
		return d.fail(i, "invalid escape")
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
			return d.fail(i, "invalid escape")
		}
		return i + 6
	}
	return d.fail(i, "invalid escape")
}

// skipNumber reads a number, by JSON's grammar.
func (d *fastDecoder) skipNumber(i int) int {
	end, ok := numberEnd(d.b, i)
	if !ok {
		return d.fail(i, "invalid number")
	}
	return end
}

// IsJSONNumber reports whether b is a number, whole, by JSON's grammar (no
// leading '+' or zeros, digits on both sides of '.', a signed exponent).
func IsJSONNumber(b []byte) bool {
	end, ok := numberEnd(b, 0)
	return ok && end == len(b)
}

// numberEnd returns the index after the number, by JSON's grammar, at i in
// b; ok is false when there is none.
func numberEnd(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(b, i+1); b[i-1] == '.' {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		if i = digits(b, i); i == start {
			return i, false
		}
	}
	return i, true
}

// digits returns the index after the decimal digits of b at i.
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// literal reads lit, which must be at i.
func (d *fastDecoder) literal(i int, lit string) int {
	if len(d.b)-i < len(lit) || string(d.b[i:i+len(lit)]) != lit {
		return d.fail(i, "invalid literal")
	}
	return i + len(lit)
}

// space returns the index of the first byte from i that is not JSON's
// white space.
func (d *fastDecoder) space(i int) int {
	if i < len(d.b) && d.b[i] > ' ' {
		return i // compact JSON's case
	}
	return spaceRun(d.b, i)
}

// spaceRun is space for white space at i. It reads the spaces that indent
// pretty-printed JSON up to eight at a time.
func spaceRun(b []byte, i int) int {
	for i < len(b) {
		if i+8 <= len(b) {
			// The spaces before the first other byte of the word.
			x := binary.LittleEndian.Uint64(b[i:]) ^ (ones * ' ')
			if x == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(x) / 8
		}
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringCache holds strings that recur from event to event, so that a
// decoder makes each once rather than per event: a direct-mapped table,
// indexed by a hash of the bytes, where a string replaces the one of its
// slot. A hit allocates nothing, and the table's size is bounded.
type stringCache struct {
	slots [internSlots]cachedString
}

// cachedString is a string, with its words as stringWords returns them.
type cachedString struct {
	s      string
	w0, w1 uint64
}

// equal reports whether c is the string of n bytes of the words w0 and w1:
// whether it is that string if n is at most shortMax, or else may be.
func (c *cachedString) equal(n int, w0, w1 uint64) bool {
	return len(c.s) == n && c.w0 == w0 && c.w1 == w1
}

// slot returns the slot of text, of n bytes (1 to maxInterned), whose words
// (see stringWords) are w0 and w1.
func (c *stringCache) slot(n int, w0, w1 uint64, text []byte) *cachedString {
	const m = 0x9E3779B97F4A7C15
	var h uint64
	if n > shortMax {
		h = hashBytes(text)
	} else {
		h = (bits.RotateLeft64(w0*m, 31) ^ w1 ^ uint64(n)) * m
	}
	return &c.slots[h>>(64-internBits)]
}

// hashBytes hashes b, not empty, by its eight-byte words.
func hashBytes(b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15
	n := len(b)
	var h uint64
	switch {
	case n >= 8:
		h = bits.RotateLeft64(binary.LittleEndian.Uint64(b)*m, 31)
		for i := 8; i < n-8; i += 8 {
			h = bits.RotateLeft64((h^binary.LittleEndian.Uint64(b[i:]))*m, 31)
		}
		h ^= binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		h = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	default:
		h = uint64(b[0]) | uint64(b[n/2])<<8 | uint64(b[n-1])<<16
	}
	return (h ^ uint64(n)) * m
}
