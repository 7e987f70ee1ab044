// Package pushdown decides, for an Okta filter and the columns a backend
// keeps, which parts of the filter the backend's queries can answer, and
// how: exactly, only as a superset (the Go evaluator then decides over the
// returned events' raw JSON), or not at all. It knows no SQL: each backend
// has a dialect that turns a Plan's Nodes into its own query language (the
// embedded store's in internal/store/translate.go, ClickHouse's in
// internal/clickhouse).
//
// The decisions follow filter.Compile's semantics exactly:
//
//   - a column holds one string field (or one field of every element of
//     target[]) as the decoded event has it, an empty or absent value being
//     "absent", which satisfies no comparison but "eq null";
//   - a comparison with a string literal that is not an RFC 3339 time is
//     bytewise (a time literal compares as an instant with any value that
//     parses as one, so it stays with the evaluator), as is a literal of
//     another type (number, boolean);
//   - published compares with time literals as instants;
//   - "and", "or" and "not" of exact parts are exact.
//
// A part that no column answers may still exclude events by the bytes of
// their raw JSON (RawContains), when the backend can search them: a string
// that a matching event must hold in one of its string values must occur in
// its JSON, unless the JSON spells that value otherwise (escapes), which
// the backend must account for.
package pushdown

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Kind is how a column holds its field.
type Kind uint8

// The kinds of column.
const (
	// Text holds a string field, "" when the field is absent, null or
	// empty (which the evaluator treats alike).
	Text Kind = iota + 1
	// Required holds a string field every stored event has (eventType).
	Required
	// Published holds published, as an instant.
	Published
	// Targets holds a string field of each element of target[]; a
	// comparison holds when it holds for any element.
	Targets
	// UUID holds the uuid, which every stored event has.
	UUID
)

// Column is a field a backend keeps in a column.
type Column struct {
	// Path is the field's path, as filters name it (matched
	// case-insensitively, as logevent.CompilePath does).
	Path string
	// Name is the backend's name for the column; pushdown does not read it.
	Name string
	Kind Kind
	// Selective: an equality on the column picks few events (an
	// indicator: a user, an address, a session). LowCard: the column has
	// few distinct values (event types, results).
	Selective, LowCard bool
}

// Columns are the columns of a backend.
type Columns []Column

// Lookup finds the column of a path, or nil.
func (cs Columns) Lookup(path string) *Column {
	for i := range cs {
		if strings.EqualFold(cs[i].Path, path) {
			return &cs[i]
		}
	}
	return nil
}

// Options say what else than columns a backend can search.
type Options struct {
	// RawContains: the backend answers RawContains nodes.
	RawContains bool
}

// Node is a condition a backend's query evaluates on each event: *And,
// *Or, *Not, Const, *Present, *Absent, *Compare, *In, *Time, *TimeIn or
// *RawContains.
type Node interface{ node() }

// And holds when every term holds.
type And struct{ Terms []Node }

// Or holds when any term holds.
type Or struct{ Terms []Node }

// Not holds when X does not. X is always exact.
type Not struct{ X Node }

// Const is a condition that always holds (true) or never does (false).
type Const bool

// Present holds when the column's field is present: not absent, null or
// empty (for Targets, in some element).
type Present struct{ Col *Column }

// Absent holds when Present does not.
type Absent struct{ Col *Column }

// Compare holds when the column's value (for Targets, some element's) is
// present and compares with Value by Op, bytewise: Op is one of eq, ne, gt,
// ge, lt, le, sw, co, ew; for sw, co and ew Value is not empty. An
// equality with a single value is an In instead.
type Compare struct {
	Col   *Column
	Op    filter.Op
	Value string
}

// In holds when the column's value (for Targets, some element's) equals
// one of Values (at least one; none empty).
type In struct {
	Col    *Column
	Values []string
}

// Time holds when published compares with the instant by Op (eq, ne, gt,
// ge, lt or le). Nanos is Unix nanoseconds, strictly within the int64
// range.
type Time struct {
	Op    filter.Op
	Nanos int64
}

// TimeIn holds when published is one of the instants (at least one).
type TimeIn struct{ Nanos []int64 }

// RawContains is a superset test: it must hold for every event whose raw
// JSON holds Text byte for byte (ASCII letters in any case, when Fold), and
// for every event whose JSON may spell its values otherwise than their
// decoded text: with escape sequences, or values the decoder coerced into
// strings, or (when Fold) other than ASCII characters. Text is never empty.
type RawContains struct {
	Text string
	Fold bool
}

func (*And) node()         {}
func (*Or) node()          {}
func (*Not) node()         {}
func (Const) node()        {}
func (*Present) node()     {}
func (*Absent) node()      {}
func (*Compare) node()     {}
func (*In) node()          {}
func (*Time) node()        {}
func (*TimeIn) node()      {}
func (*RawContains) node() {}

// Plan is a filter split for a backend.
type Plan struct {
	// Where is the condition the backend evaluates (nil: none). It is
	// exact when Residual is nil, and a superset of the filter otherwise.
	Where Node
	// Residual is what the Go evaluator must still decide on the events
	// Where selects (nil: nothing).
	Residual filter.Expr
	// Exact lists the top-level terms of Where that are exact, in the
	// filter's order (a filter's top-level "and" is split into terms);
	// Where's other terms are supersets of parts of Residual.
	Exact []Node
}

// Split splits e for a backend with the columns cs. Of a top-level "and",
// the exact terms go to Where and the others to Residual (with their
// superset, when they have one, in Where too); any other filter is exact or
// not as a whole.
func Split(e filter.Expr, cs Columns, opts Options) Plan {
	if e == nil {
		return Plan{}
	}
	terms := []filter.Expr{e}
	if and, ok := e.(*filter.And); ok {
		terms = and.Terms
	}
	d := decider{cols: cs, opts: opts}
	var p Plan
	var rest []filter.Expr
	var supersets []Node
	for _, term := range terms {
		if n, ok := d.exact(term); ok {
			p.Exact = append(p.Exact, n)
			continue
		}
		rest = append(rest, term)
		if n := d.superset(term); n != nil {
			supersets = append(supersets, n)
		}
	}
	switch len(rest) {
	case 0:
	case 1:
		p.Residual = rest[0]
	default:
		p.Residual = &filter.And{Terms: rest}
	}
	p.Where = all(append(append([]Node(nil), p.Exact...), supersets...))
	return p
}

// all is the conjunction of terms: nil for none, the term itself for one.
func all(terms []Node) Node {
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return terms[0]
	}
	return &And{Terms: terms}
}

// decider translates filter subtrees for one backend.
type decider struct {
	cols Columns
	opts Options
}

// exact translates a subtree that the columns answer exactly, or reports
// false.
func (d decider) exact(e filter.Expr) (Node, bool) {
	switch x := e.(type) {
	case *filter.And:
		terms := make([]Node, len(x.Terms))
		for i, term := range x.Terms {
			n, ok := d.exact(term)
			if !ok {
				return nil, false
			}
			terms[i] = n
		}
		return &And{Terms: terms}, true
	case *filter.Or:
		return d.or(x.Terms)
	case *filter.Not:
		inner, ok := d.exact(x.X)
		if !ok {
			return nil, false
		}
		return &Not{X: inner}, true
	case *filter.Present:
		c := d.cols.Lookup(x.Path)
		if c == nil {
			return nil, false
		}
		return present(c), true
	case *filter.Compare:
		return d.compare(x)
	case *filter.In:
		return d.in(x)
	}
	return nil, false
}

// or translates a disjunction, merging the equalities of one column
// ("eventType eq a or eventType eq b", in lists) into one In, at the place
// of the first.
func (d decider) or(terms []filter.Expr) (Node, bool) {
	var out []Node
	lists := map[*Column]*In{}
	for _, term := range terms {
		if c, vs, ok := d.equalities(term); ok {
			if in := lists[c]; in != nil {
				in.Values = append(in.Values, vs...)
				continue
			}
			in := &In{Col: c, Values: vs}
			lists[c] = in
			out = append(out, in)
			continue
		}
		n, ok := d.exact(term)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return &Or{Terms: out}, true
}

// equalities recognizes "path eq s" and "path in [s…]" with plain strings
// (no null, no time) on a column other than published.
func (d decider) equalities(e filter.Expr) (*Column, []string, bool) {
	var path string
	var lits []filter.Literal
	switch x := e.(type) {
	case *filter.Compare:
		if x.Op != filter.Eq {
			return nil, nil, false
		}
		path, lits = x.Path, []filter.Literal{x.Value}
	case *filter.In:
		path, lits = x.Path, x.Values
	default:
		return nil, nil, false
	}
	c := d.cols.Lookup(path)
	if c == nil || c.Kind == Published || len(lits) == 0 {
		return nil, nil, false
	}
	values := make([]string, len(lits))
	for i, l := range lits {
		if !PlainString(l) || l.Str == "" {
			return nil, nil, false
		}
		values[i] = l.Str
	}
	return c, values, true
}

// PlainString reports whether l is a string that compares bytewise with a
// string value: not an RFC 3339 time, which would compare as an instant.
func PlainString(l filter.Literal) bool {
	if l.Kind != filter.LitString {
		return false
	}
	_, err := logevent.ParseTime(l.Str)
	return err != nil
}

// present is "path pr" (and "path ne null") on a column.
func present(c *Column) Node {
	switch c.Kind {
	case Text, Targets:
		return &Present{Col: c}
	}
	return Const(true)
}

// absent is "path eq null" on a column.
func absent(c *Column) Node {
	switch c.Kind {
	case Text, Targets:
		return &Absent{Col: c}
	}
	return Const(false)
}

func (d decider) compare(x *filter.Compare) (Node, bool) {
	c := d.cols.Lookup(x.Path)
	if c == nil {
		return nil, false
	}
	switch {
	case x.Value.Kind == filter.LitNull:
		switch x.Op { // only "eq null" (absent) and "ne null" (present) can hold
		case filter.Eq:
			return absent(c), true
		case filter.Ne:
			return present(c), true
		}
		return Const(false), true
	case c.Kind == Published:
		n, ok := instant(x.Value)
		if !ok || !isOrder(x.Op) {
			return nil, false // a string that is not a time compares with published's text
		}
		return &Time{Op: x.Op, Nanos: n}, true
	case !PlainString(x.Value):
		return nil, false
	case x.Op == filter.Eq && x.Value.Str == "": // an empty value is absent
		return Const(false), true
	case x.Op == filter.Eq:
		return &In{Col: c, Values: []string{x.Value.Str}}, true
	case x.Value.Str == "" && !isOrder(x.Op): // every present value starts with, contains and ends with ""
		return present(c), true
	}
	return &Compare{Col: c, Op: x.Op, Value: x.Value.Str}, true
}

// isOrder reports whether op is an equality or order comparison.
func isOrder(op filter.Op) bool {
	switch op {
	case filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le:
		return true
	}
	return false
}

// instant is a string literal's instant in Unix nanoseconds, when it is a
// time strictly within the int64 range (so that a backend clamping
// out-of-range instants to the ends never equals it).
func instant(lit filter.Literal) (int64, bool) {
	if lit.Kind != filter.LitString {
		return 0, false
	}
	t, err := logevent.ParseTime(lit.Str)
	if err != nil || !InRange(t) {
		return 0, false
	}
	return t.UnixNano(), true
}

// InRange reports whether t lies strictly within the instants an int64 of
// Unix nanoseconds holds (years 1677 to 2262): a backend that clamps
// published to that range compares such an instant exactly.
func InRange(t time.Time) bool {
	return t.After(time.Unix(0, math.MinInt64)) && t.Before(time.Unix(0, math.MaxInt64))
}

func (d decider) in(x *filter.In) (Node, bool) {
	c := d.cols.Lookup(x.Path)
	if c == nil {
		return nil, false
	}
	if c.Kind == Published {
		var ns []int64
		for _, l := range x.Values {
			if l.Kind == filter.LitNull {
				continue // published is always present
			}
			n, ok := instant(l)
			if !ok {
				return nil, false
			}
			ns = append(ns, n)
		}
		if len(ns) == 0 {
			return Const(false), true
		}
		return &TimeIn{Nanos: ns}, true
	}
	var values []string
	hasNull := false
	for _, l := range x.Values {
		switch {
		case l.Kind == filter.LitNull:
			hasNull = true
		case PlainString(l):
			if l.Str != "" { // an empty value is absent: equals nothing
				values = append(values, l.Str)
			}
		default:
			return nil, false
		}
	}
	var parts []Node
	if hasNull {
		parts = append(parts, absent(c))
	}
	if len(values) > 0 {
		parts = append(parts, &In{Col: c, Values: values})
	}
	switch len(parts) {
	case 0:
		return Const(false), true
	case 1:
		return parts[0], true
	}
	return &Or{Terms: parts}, true
}

// Selective reports whether an exact node selects by an indicator: an
// equality on a selective column, an "and" with such a term, or an "or" of
// such terms.
func Selective(n Node) bool {
	switch x := n.(type) {
	case *And:
		for _, term := range x.Terms {
			if Selective(term) {
				return true
			}
		}
	case *Or:
		for _, term := range x.Terms {
			if !Selective(term) {
				return false
			}
		}
		return len(x.Terms) > 0
	case *In:
		return x.Col.Selective
	}
	return false
}

// superset returns a condition that holds for every event matching e (and
// for others), or nil when there is none better than "every event". It is
// called for subtrees that are not exact.
func (d decider) superset(e filter.Expr) Node {
	if n, ok := d.exact(e); ok {
		return n
	}
	switch x := e.(type) {
	case *filter.And: // the terms that have one
		var terms []Node
		for _, term := range x.Terms {
			if n := d.superset(term); n != nil {
				terms = append(terms, n)
			}
		}
		return all(terms)
	case *filter.Or: // only when every term has one
		terms := make([]Node, len(x.Terms))
		for i, term := range x.Terms {
			if terms[i] = d.superset(term); terms[i] == nil {
				return nil
			}
		}
		return &Or{Terms: terms}
	case *filter.Compare:
		if d.opts.RawContains {
			return rawCompare(x.Op, x.Value)
		}
	case *filter.In:
		if d.opts.RawContains {
			terms := make([]Node, len(x.Values))
			for i, v := range x.Values {
				if terms[i] = rawCompare(filter.Eq, v); terms[i] == nil {
					return nil
				}
			}
			if len(terms) == 1 {
				return terms[0]
			}
			return &Or{Terms: terms}
		}
	}
	return nil
}

// rawCompare is the raw-bytes superset of "path op lit" on any path, or
// nil. A matching value must be a JSON string (the literal is a string
// that no number, boolean or time can equal or contain), so its text
// occurs in the raw JSON of an event whose JSON spells its values
// verbatim: quoted for eq, opening the quoted string for sw, closing it
// for ew. (A literal with a character JSON escapes, such as a quote, only
// matches events whose JSON has an escape: not verbatim, which
// RawContains includes.)
func rawCompare(op filter.Op, lit filter.Literal) Node {
	if lit.Kind != filter.LitString || lit.Str == "" {
		return nil
	}
	s := lit.Str
	switch op {
	case filter.Eq:
		if !stringOnlyValue(s) {
			return nil
		}
		return &RawContains{Text: `"` + s + `"`}
	case filter.Sw, filter.Co, filter.Ew:
		if !stringOnlyText(s) {
			return nil
		}
		switch op {
		case filter.Sw:
			s = `"` + s
		case filter.Ew:
			s += `"`
		}
		return &RawContains{Text: s}
	}
	return nil
}

// stringOnlyValue reports whether a string literal equals only string
// values bytewise: it is not a number, a boolean word or a time, which
// the evaluator compares by value with numbers, booleans and times.
func stringOnlyValue(s string) bool {
	if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return false
	}
	if strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
		return false
	}
	return !logevent.LooksLikeTime(s)
}

// stringOnlyText reports whether s can only be part of a string value's
// text: not of a number's or a boolean's text, as the evaluator prints them
// for sw, co and ew and as the decoder turns them into strings (digits,
// '-' and '.'; "true" and "false").
func stringOnlyText(s string) bool {
	return !strings.Contains("true", s) && !strings.Contains("false", s) &&
		strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789-.", r) })
}

// Keywords is the raw-bytes superset of Okta's q (nil when there is none
// or the backend cannot search raw bytes): every keyword, which
// filter.Keywords matches case-insensitively in the event's text fields,
// occurs in the raw JSON in some case.
func Keywords(k *filter.Keywords, opts Options) Node {
	if k.Empty() || !opts.RawContains {
		return nil
	}
	terms := make([]Node, len(k.Words()))
	for i, w := range k.Words() {
		terms[i] = &RawContains{Text: w, Fold: true}
	}
	return all(terms)
}
