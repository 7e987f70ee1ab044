package ingest

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
)

// The Admin Console's System Log CSV names each column by the LogEvent path
// in snake_case ("client.ip_address", "authentication_context.external_session_id"),
// calls published "timestamp", and flattens targets by index ("target0.display_name",
// "target1.id"). csvMapping maps each column back to its path in the
// LogEvent type (by reflection over internal/logevent, so the two never
// drift) and rebuilds the nested event object from a row.

// leafKind is the JSON type a column's cells are written as.
type leafKind uint8

const (
	leafString leafKind = iota
	leafNumber          // a JSON number when the cell is one, else a string
	leafBool            // true/false when the cell is one, else a string
	leafObject          // a free-form object: the cell's JSON object, else a string
	leafStruct          // a LogEvent object (issuer, actor…): the cell's JSON object, else kept aside
	leafArray           // a LogEvent array (target, ipChain): the cell's JSON array, else kept aside
)

// pathStep is one step of a column's path: an object key, then an array
// index when index >= 0.
type pathStep struct {
	key   string
	index int
}

// csvNode is a node of the event object a row rebuilds.
type csvNode struct {
	key      string
	member   []byte // `"key":`
	index    int    // element index, for the children of an array node
	isArray  bool
	col      int // the column of a leaf; -1 for an object or array
	leaf     leafKind
	children []*csvNode
	cols     []int // every column at or below this node
}

// csvMapping rebuilds event objects from the rows of one CSV header.
type csvMapping struct {
	header  []string
	root    *csvNode
	extra   []extraColumn // columns kept under their own names
	kinds   []leafKind    // per column
	present []bool        // per column of the row being built: a cell to write
}

// extraColumn is a column kept as a top-level string: one that maps to no
// LogEvent path, or one whose cell is not the object or array its path needs.
type extraColumn struct {
	name     string
	col      int
	fallback bool // kept only when the cell is not valid for its path
}

var (
	logEventType = reflect.TypeFor[logevent.LogEvent]()
	objectType   = reflect.TypeFor[logevent.Object]()
	numberType   = reflect.TypeFor[logevent.Number]()
	boolType     = reflect.TypeFor[logevent.Bool]()
)

// newCSVMapping maps every column of header.
func newCSVMapping(header []string) *csvMapping {
	m := &csvMapping{header: header, root: &csvNode{col: -1}, kinds: make([]leafKind, len(header))}
	used := map[string]bool{}
	for col, name := range header {
		steps, kind, ok := resolveColumn(strings.TrimSpace(name))
		if ok && m.root.insert(steps, col, kind) {
			m.kinds[col] = kind
			if kind == leafStruct || kind == leafArray {
				m.extra = append(m.extra, extraColumn{col: col, fallback: true})
			}
			used[strings.ToLower(steps[0].key)] = true
			continue
		}
		m.extra = append(m.extra, extraColumn{col: col})
	}
	m.nameExtras(used)
	return m
}

// nameExtras gives each extra column a top-level key: its own name, unless
// that clashes with a LogEvent field or another key.
func (m *csvMapping) nameExtras(used map[string]bool) {
	for i := range m.extra {
		e := &m.extra[i]
		name := strings.TrimSpace(m.header[e.col])
		if name == "" {
			name = "column" + strconv.Itoa(e.col+1)
		}
		if used[strings.ToLower(name)] || isLogEventField(name) {
			name = "csv." + name
		}
		for used[strings.ToLower(name)] {
			name += "_" + strconv.Itoa(e.col+1)
		}
		used[strings.ToLower(name)] = true
		e.name = name
	}
}

func isLogEventField(name string) bool {
	_, _, ok := structField(logEventType, name, false)
	return ok
}

// insert adds a leaf for col at the end of steps, reporting false when the
// path clashes with one already there.
func (n *csvNode) insert(steps []pathStep, col int, kind leafKind) bool {
	if !n.canInsert(steps) {
		return false
	}
	for i, st := range steps {
		n.cols = append(n.cols, col)
		n = n.child(st.key, st.index >= 0)
		if st.index >= 0 {
			n.cols = append(n.cols, col)
			n = n.element(st.index)
		}
		if i == len(steps)-1 {
			n.col, n.leaf = col, kind
		}
	}
	n.cols = append(n.cols, col)
	return true
}

// canInsert reports whether steps can end in a new leaf under n.
func (n *csvNode) canInsert(steps []pathStep) bool {
	for i, st := range steps {
		c := n.find(st.key)
		if c == nil {
			return true
		}
		last := i == len(steps)-1 && st.index < 0
		if c.col >= 0 || last || c.isArray != (st.index >= 0) {
			return false
		}
		n = c
		if st.index >= 0 {
			e := n.findElement(st.index)
			if e == nil {
				return true
			}
			if e.col >= 0 || i == len(steps)-1 {
				return false
			}
			n = e
		}
	}
	return false
}

func (n *csvNode) find(key string) *csvNode {
	for _, c := range n.children {
		if c.key == key {
			return c
		}
	}
	return nil
}

func (n *csvNode) findElement(index int) *csvNode {
	for _, c := range n.children {
		if c.index == index {
			return c
		}
	}
	return nil
}

func (n *csvNode) child(key string, isArray bool) *csvNode {
	if c := n.find(key); c != nil {
		return c
	}
	c := &csvNode{key: key, member: appendKey(nil, key, true), isArray: isArray, col: -1}
	n.children = append(n.children, c)
	return c
}

// element returns the element node for index, keeping elements in index order.
func (n *csvNode) element(index int) *csvNode {
	if e := n.findElement(index); e != nil {
		return e
	}
	e := &csvNode{index: index, col: -1}
	at := len(n.children)
	for i, c := range n.children {
		if c.index > index {
			at = i
			break
		}
	}
	n.children = append(n.children[:at], append([]*csvNode{e}, n.children[at:]...)...)
	return e
}

// resolveColumn maps a column name to its path in the LogEvent and the JSON
// type of its cells. Names match LogEvent fields in snake_case or as
// written, ignoring case; a trailing number on an array field picks an
// element ("target0"); an array field followed by more steps without one is
// its first element ("request.ip_chain.ip"); below a free-form object
// (debugData, detailEntry) or an undeclared field of a declared object,
// steps are turned into camelCase. ok is false for a column whose first step
// is not a LogEvent field, or that goes below a scalar.
func resolveColumn(name string) (steps []pathStep, kind leafKind, ok bool) {
	segs := strings.Split(name, ".")
	if len(segs) == 1 && strings.EqualFold(name, "timestamp") {
		return []pathStep{{key: "published", index: -1}}, leafString, true
	}
	t := logEventType
	for i, seg := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case seg == "":
			return nil, 0, false
		case t == objectType:
			return appendFree(steps, segs[i:]), leafString, true
		case t.Kind() != reflect.Struct:
			return nil, 0, false
		}
		f, index, found := structField(t, seg, i < len(segs)-1)
		if !found {
			if i == 0 {
				return nil, 0, false
			}
			return appendFree(steps, segs[i:]), leafString, true
		}
		steps = append(steps, pathStep{key: jsonName(f), index: index})
		t = f.Type
		if index >= 0 {
			t = t.Elem()
		}
	}
	return steps, kindOf(t), true
}

// structField finds the field of t that seg names. For an array field it
// returns the element index seg picks: its trailing number, or 0 when more
// steps follow; -1 for the whole array.
func structField(t reflect.Type, seg string, more bool) (reflect.StructField, int, bool) {
	if f, ok := fieldNamed(t, seg); ok {
		if f.Type.Kind() == reflect.Slice && more {
			return f, 0, true
		}
		return f, -1, true
	}
	base := strings.TrimRight(seg, "0123456789")
	if base == seg || base == "" {
		return reflect.StructField{}, 0, false
	}
	f, ok := fieldNamed(t, base)
	if !ok || f.Type.Kind() != reflect.Slice {
		return reflect.StructField{}, 0, false
	}
	index, err := strconv.Atoi(seg[len(base):])
	if err != nil || index > 1000 {
		return reflect.StructField{}, 0, false
	}
	return f, index, true
}

// fieldNamed finds the field whose JSON name is seg, as written or in
// snake_case, ignoring case.
func fieldNamed(t reflect.Type, seg string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name != "" && (strings.EqualFold(seg, name) || strings.EqualFold(seg, snakeCase(name))) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// kindOf is the leaf kind of a value of type t.
func kindOf(t reflect.Type) leafKind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == numberType:
		return leafNumber
	case t == boolType:
		return leafBool
	case t == objectType:
		return leafObject
	case t.Kind() == reflect.Struct:
		return leafStruct
	case t.Kind() == reflect.Slice:
		return leafArray
	}
	return leafString
}

// appendFree adds the steps below a free-form object, in camelCase.
func appendFree(steps []pathStep, segs []string) []pathStep {
	for _, seg := range segs {
		steps = append(steps, pathStep{key: camelCase(seg), index: -1})
	}
	return steps
}

// snakeCase turns "externalSessionId" into "external_session_id".
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// camelCase turns "request_uri" into "requestUri".
func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if p := parts[i]; p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	if joined := strings.Join(parts, ""); joined != "" {
		return joined
	}
	return s
}

// build appends to dst the event object of one row. cells has one cell per
// header column.
func (m *csvMapping) build(dst []byte, cells [][]byte) []byte {
	m.present = m.present[:0]
	for col, cell := range cells {
		m.present = append(m.present, len(cell) > 0 && cellFits(m.kinds[col], cell))
	}
	present := m.present
	dst = append(dst, '{')
	first := true
	for _, c := range m.root.children {
		dst, first = m.member(dst, c, cells, present, first)
	}
	for _, e := range m.extra {
		if cell := cells[e.col]; len(cell) > 0 && (!e.fallback || !present[e.col]) {
			dst = appendKey(dst, e.name, first)
			dst = appendJSONString(dst, cell)
			first = false
		}
	}
	return append(dst, '}')
}

// member writes "key":value for n when any cell below it is present.
func (m *csvMapping) member(dst []byte, n *csvNode, cells [][]byte, present []bool, first bool) ([]byte, bool) {
	if !anyPresent(n.cols, present) {
		return dst, first
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, n.member...)
	return m.value(dst, n, cells, present), false
}

// value writes the value of node n.
func (m *csvMapping) value(dst []byte, n *csvNode, cells [][]byte, present []bool) []byte {
	switch {
	case n.col >= 0:
		return appendCell(dst, n.leaf, cells[n.col])
	case n.isArray:
		dst = append(dst, '[')
		first := true
		for _, e := range n.children {
			if anyPresent(e.cols, present) {
				if !first {
					dst = append(dst, ',')
				}
				dst, first = m.value(dst, e, cells, present), false
			}
		}
		return append(dst, ']')
	}
	dst = append(dst, '{')
	first := true
	for _, c := range n.children {
		dst, first = m.member(dst, c, cells, present, first)
	}
	return append(dst, '}')
}

func anyPresent(cols []int, present []bool) bool {
	for _, c := range cols {
		if present[c] {
			return true
		}
	}
	return false
}

// cellFits reports whether a cell can be written under its path: an
// object or array path needs a JSON object or array.
func cellFits(kind leafKind, cell []byte) bool {
	switch kind {
	case leafStruct:
		return isJSON(cell, '{')
	case leafArray:
		return isJSON(cell, '[')
	}
	return true
}

func isJSON(cell []byte, open byte) bool {
	t := bytes.TrimSpace(cell)
	return len(t) > 0 && t[0] == open && json.Valid(t)
}

// appendCell writes a cell as the JSON type of its leaf.
func appendCell(dst []byte, kind leafKind, cell []byte) []byte {
	switch {
	case kind == leafNumber && logevent.IsJSONNumber(cell):
		return append(dst, cell...)
	case kind == leafBool && bytes.EqualFold(cell, []byte("true")):
		return append(dst, "true"...)
	case kind == leafBool && bytes.EqualFold(cell, []byte("false")):
		return append(dst, "false"...)
	case kind == leafStruct || kind == leafArray:
		return append(dst, bytes.TrimSpace(cell)...)
	case kind == leafObject && isJSON(cell, '{'):
		return append(dst, bytes.TrimSpace(cell)...)
	}
	return appendJSONString(dst, cell)
}

func appendKey(dst []byte, key string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = appendJSONString(dst, []byte(key))
	return append(dst, ':')
}

// jsonPlain marks the ASCII bytes a JSON string holds as they are.
var jsonPlain [utf8.RuneSelf]bool

func init() {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		jsonPlain[c] = c != '"' && c != '\\'
	}
}

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst, s []byte) []byte { return appendJSONText(dst, s, false) }

// appendSafeJSONString is appendJSONString that also writes as \u escapes
// the characters a terminal would act on (render.TerminalUnsafe), so that
// the JSON can be shown on a terminal as it is and still decodes to s.
func appendSafeJSONString(dst, s []byte) []byte { return appendJSONText(dst, s, true) }

func appendJSONText(dst, s []byte, terminalSafe bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !jsonPlain[c] || terminalSafe && c == 0x7f {
				dst = appendEscape(append(dst, s[start:i]...), c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
			start = i + 1
		case terminalSafe && render.TerminalUnsafe(r):
			dst = append(dst, s[start:i]...)
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				dst = appendRuneEscape(appendRuneEscape(dst, r1), r2)
			} else {
				dst = appendRuneEscape(dst, r)
			}
			start = i + size
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"')
}

// appendRuneEscape writes the \u escape of a UTF-16 code unit.
func appendRuneEscape(dst []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}

// appendEscape writes the escape of an ASCII byte.
func appendEscape(dst []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
