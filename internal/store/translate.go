package store

import (
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Filter pushdown.
//
// translate splits a filter into a SQL condition over the events table
// (alias e) and a residual filter evaluated in Go. A subtree is pushed down
// only when SQL answers it exactly as filter.Compile would:
//
//   - comparisons of the stored columns (colKind) with a string literal
//     that is not an RFC 3339 time (a time literal compares as an instant
//     with any value that parses as one), with null, and pr;
//   - published (always present) against time literals, as instants;
//   - target.id and target.alternateId through the targets table, "any
//     element" becoming membership of e.id in a subquery;
//   - and, or and not of such subtrees.
//
// Of a top-level "and", the translatable terms are pushed down and the
// others form the residual. A literal of another type (number, boolean),
// any other path, or an or/not with an untranslatable part stays residual
// whole.
//
// Three-valued logic: every pushed-down leaf is NULL only where the Go
// evaluator says false (a comparison with an absent, NULL column), and
// and/or preserve that; "not" wraps its operand in coalesce(…, 0) so that
// NOT never sees a NULL.

type colKind uint8

const (
	textCol      colKind = iota + 1 // nullable TEXT of events, NULL for absent or ""
	textNotNull                     // TEXT of events, always present
	publishedCol                    // e.published, Unix nanoseconds, always present
	targetCol                       // a TEXT column of targets, any element
	uuidCol                         // e.uuid, always present; equality goes to e.uuid_key
)

// column is a LogEvent path the store holds in a column.
type column struct {
	path string
	name string
	kind colKind
	// selective: an equality on the column picks few events (an
	// indicator); lowCard: its values are few (event types, results).
	selective, lowCard bool
}

// columns lists the pushed-down paths.
var columns = []column{
	{"uuid", "e.uuid", uuidCol, true, false},
	{"published", "e.published", publishedCol, false, false},
	{"eventType", "e.event_type", textNotNull, false, true},
	{"actor.id", "e.actor_id", textCol, true, false},
	{"actor.alternateId", "e.actor_alternate_id", textCol, true, false},
	{"actor.displayName", "e.actor_display_name", textCol, false, false},
	{"client.ipAddress", "e.client_ip", textCol, true, false},
	{"authenticationContext.externalSessionId", "e.session_id", textCol, true, false},
	{"outcome.result", "e.outcome_result", textCol, false, true},
	{"severity", "e.severity", textCol, false, false},
	{"displayMessage", "e.display_message", textCol, false, false},
	{"client.geographicalContext.city", "e.city", textCol, false, false},
	{"client.geographicalContext.country", "e.country", textCol, false, false},
	{"target.id", "target_id", targetCol, true, false},
	{"target.alternateId", "target_alternate_id", targetCol, true, false},
}

// columnFor finds the column of a path, matching names case-insensitively
// as logevent.CompilePath does.
func columnFor(path string) *column {
	for i := range columns {
		if strings.EqualFold(columns[i].path, path) {
			return &columns[i]
		}
	}
	return nil
}

// frag is a piece of SQL and its arguments, in order.
type frag struct {
	sql  string
	args []any
}

var (
	sqlTrue  = frag{sql: "1"}
	sqlFalse = frag{sql: "0"}
)

// translate splits e into a SQL condition (empty when nothing is pushed
// down) and a residual filter (nil when SQL answers everything).
func translate(e filter.Expr) (where frag, residual filter.Expr) {
	if e == nil {
		return frag{}, nil
	}
	terms := []filter.Expr{e}
	if and, ok := e.(*filter.And); ok {
		terms = and.Terms
	}
	var t translator
	var pushable, rest []filter.Expr
	for _, term := range terms {
		if _, ok := t.node(term); ok {
			pushable = append(pushable, term)
			t.demote = t.demote || selective(term)
		} else {
			rest = append(rest, term)
		}
	}
	switch len(rest) {
	case 0:
	case 1:
		residual = rest[0]
	default:
		residual = &filter.And{Terms: rest}
	}
	if len(pushable) == 0 {
		return frag{}, residual
	}
	pushed := make([]frag, len(pushable))
	for i, term := range pushable {
		pushed[i], _ = t.node(term)
	}
	return join(pushed, " AND "), residual
}

// translator builds SQL for filter subtrees.
//
// demote is set when a top-level term selects few events by an indicator
// (an equality on actor.id, an IP, a session…): the terms on columns with
// few values (eventType, outcome.result) are then written "+column",
// which keeps SQLite from using their indexes, so that it drives the
// search by the indicator's index. Without this, the article's playbooks
// ("actor.id eq X and (eventType eq a or … )", two dozen event types)
// can lead it to read every event of those types.
type translator struct{ demote bool }

// col is the SQL for a column in a comparison.
func (t translator) col(c *column) string {
	if t.demote && c.lowCard {
		return "+" + c.name
	}
	return c.name
}

// selective reports whether a pushed-down term selects by an indicator:
// an equality or in-list on a selective column, an "and" with such a term,
// or an "or" of such terms.
func selective(e filter.Expr) bool {
	switch x := e.(type) {
	case *filter.And:
		for _, term := range x.Terms {
			if selective(term) {
				return true
			}
		}
	case *filter.Or:
		for _, term := range x.Terms {
			if !selective(term) {
				return false
			}
		}
		return true
	case *filter.Compare, *filter.In:
		c, _, ok := equalities(x)
		return ok && c.selective
	}
	return false
}

// node translates a whole subtree, or reports false.
func (t translator) node(e filter.Expr) (frag, bool) {
	switch x := e.(type) {
	case *filter.And:
		return t.all(x.Terms, " AND ")
	case *filter.Or:
		return t.or(x.Terms)
	case *filter.Not:
		inner, ok := t.node(x.X)
		if !ok {
			return frag{}, false
		}
		return frag{sql: "NOT coalesce(" + inner.sql + ", 0)", args: inner.args}, true
	case *filter.Present:
		c := columnFor(x.Path)
		if c == nil {
			return frag{}, false
		}
		return t.present(c), true
	case *filter.Compare:
		return t.compare(x)
	case *filter.In:
		return t.in(x)
	}
	return frag{}, false
}

func (t translator) all(terms []filter.Expr, sep string) (frag, bool) {
	parts := make([]frag, 0, len(terms))
	for _, term := range terms {
		f, ok := t.node(term)
		if !ok {
			return frag{}, false
		}
		parts = append(parts, f)
	}
	return join(parts, sep), true
}

// or translates a disjunction, merging equality tests of one column
// ("eventType eq a or eventType eq b", in lists) into one IN list, which
// an index answers in one pass.
func (t translator) or(terms []filter.Expr) (frag, bool) {
	var parts []frag
	lists := map[*column]int{} // column → index in parts of its merged list
	values := map[*column][]string{}
	var order []*column
	for _, term := range terms {
		if c, vs, ok := equalities(term); ok {
			if _, seen := lists[c]; !seen {
				lists[c] = len(parts)
				parts = append(parts, frag{})
				order = append(order, c)
			}
			values[c] = append(values[c], vs...)
			continue
		}
		f, ok := t.node(term)
		if !ok {
			return frag{}, false
		}
		parts = append(parts, f)
	}
	for _, c := range order {
		parts[lists[c]] = t.textIn(c, values[c])
	}
	return join(parts, " OR "), true
}

// equalities recognizes "path eq s" and "path in [s…]" with plain strings
// (no null, no time) on a text or target column.
func equalities(e filter.Expr) (*column, []string, bool) {
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
	c := columnFor(path)
	if c == nil || c.kind == publishedCol || len(lits) == 0 {
		return nil, nil, false
	}
	values := make([]string, len(lits))
	for i, l := range lits {
		if !plainString(l) {
			return nil, nil, false
		}
		values[i] = l.Str
	}
	return c, values, true
}

// plainString reports whether l is a string that compares bytewise with a
// string value: not an RFC 3339 time, which would compare as an instant.
func plainString(l filter.Literal) bool {
	if l.Kind != filter.LitString {
		return false
	}
	_, err := logevent.ParseTime(l.Str)
	return err != nil
}

func join(parts []frag, sep string) frag {
	if len(parts) == 1 {
		return parts[0]
	}
	var b strings.Builder
	var args []any
	b.WriteByte('(')
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p.sql)
		args = append(args, p.args...)
	}
	b.WriteByte(')')
	return frag{sql: b.String(), args: args}
}

// present is "path pr" (and "path ne null").
func (t translator) present(c *column) frag {
	switch c.kind {
	case textCol:
		return frag{sql: t.col(c) + " IS NOT NULL"}
	case targetCol:
		return inTargets(frag{sql: t.col(c) + " IS NOT NULL"})
	}
	return sqlTrue
}

// absent is "path eq null".
func (t translator) absent(c *column) frag {
	switch c.kind {
	case textCol:
		return frag{sql: t.col(c) + " IS NULL"}
	case targetCol:
		return frag{sql: "e.id NOT IN (SELECT event FROM targets WHERE " + t.col(c) + " IS NOT NULL)"}
	}
	return sqlFalse
}

// inTargets is "some element of target[] satisfies cond".
func inTargets(cond frag) frag {
	return frag{sql: "e.id IN (SELECT event FROM targets WHERE " + cond.sql + ")", args: cond.args}
}

func (t translator) compare(x *filter.Compare) (frag, bool) {
	c := columnFor(x.Path)
	if c == nil {
		return frag{}, false
	}
	switch {
	case x.Value.Kind == filter.LitNull:
		return t.compareNull(c, x.Op), true
	case c.kind == publishedCol:
		return comparePublished(x.Op, x.Value)
	case !plainString(x.Value):
		return frag{}, false
	case c.kind == uuidCol && x.Op == filter.Eq:
		return t.textIn(c, []string{x.Value.Str}), true
	}
	leaf := textCompare(t.col(c), x.Op, x.Value.Str)
	if c.kind == targetCol {
		return inTargets(leaf), true
	}
	return leaf, true
}

// compareNull: only "eq null" (absent) and "ne null" (present) can hold.
func (t translator) compareNull(c *column, op filter.Op) frag {
	switch op {
	case filter.Eq:
		return t.absent(c)
	case filter.Ne:
		return t.present(c)
	}
	return sqlFalse
}

var sqlOps = map[filter.Op]string{
	filter.Eq: "=", filter.Ne: "<>", filter.Gt: ">", filter.Ge: ">=", filter.Lt: "<", filter.Le: "<=",
}

// textCompare compares a TEXT column with a plain string, bytewise (SQLite's
// BINARY collation compares with memcmp, as Go does). It is NULL or false
// when the column is NULL.
func textCompare(col string, op filter.Op, s string) frag {
	if sqlOp, ok := sqlOps[op]; ok {
		return frag{sql: col + " " + sqlOp + " ?", args: []any{s}}
	}
	if s == "" { // every present value starts with, contains and ends with ""
		return frag{sql: col + " IS NOT NULL"}
	}
	switch op {
	case filter.Sw:
		return prefixRange(col, s)
	case filter.Co:
		return frag{sql: "instr(CAST(" + col + " AS BLOB), ?) > 0", args: []any{[]byte(s)}}
	case filter.Ew:
		return frag{sql: "substr(CAST(" + col + " AS BLOB), ?) = ?", args: []any{-len(s), []byte(s)}}
	}
	panic("store: unknown operator " + string(op))
}

// prefixRange is "col starts with p" as a range of the index: p <= col <
// successor(p), where the successor increments the last byte that is not
// 0xFF. (LIKE would ignore case; GLOB would need escaping.)
func prefixRange(col, p string) frag {
	hi := []byte(p)
	for len(hi) > 0 && hi[len(hi)-1] == 0xFF {
		hi = hi[:len(hi)-1]
	}
	if len(hi) == 0 {
		return frag{sql: col + " >= ?", args: []any{p}}
	}
	hi[len(hi)-1]++
	return frag{sql: "(" + col + " >= ? AND " + col + " < ?)", args: []any{p, string(hi)}}
}

// comparePublished compares published with a time literal, as instants.
// Other literals (a string that is not a time compares with published's
// text) stay residual.
func comparePublished(op filter.Op, lit filter.Literal) (frag, bool) {
	n, ok := instantLiteral(lit)
	sqlOp, isOrder := sqlOps[op]
	if !ok || !isOrder {
		return frag{}, false
	}
	return frag{sql: "e.published " + sqlOp + " ?", args: []any{n}}, true
}

// instantLiteral is a string literal's instant in Unix nanoseconds, when it
// is a time within the range the column holds exactly.
func instantLiteral(lit filter.Literal) (int64, bool) {
	if lit.Kind != filter.LitString {
		return 0, false
	}
	t, err := logevent.ParseTime(lit.Str)
	if err != nil || !inRange(t) {
		return 0, false
	}
	return t.UnixNano(), true
}

func (t translator) in(x *filter.In) (frag, bool) {
	c := columnFor(x.Path)
	if c == nil {
		return frag{}, false
	}
	if c.kind == publishedCol {
		return inPublished(x.Values)
	}
	var values []string
	hasNull := false
	for _, l := range x.Values {
		switch {
		case l.Kind == filter.LitNull:
			hasNull = true
		case plainString(l):
			values = append(values, l.Str)
		default:
			return frag{}, false
		}
	}
	var parts []frag
	if hasNull {
		parts = append(parts, t.absent(c))
	}
	if len(values) > 0 {
		parts = append(parts, t.textIn(c, values))
	}
	if len(parts) == 0 {
		return sqlFalse, true
	}
	return join(parts, " OR "), true
}

// textIn is "column equals one of values" for a text or target column;
// for uuid, the indexed uuid_key equals one of the values' keys.
func (t translator) textIn(c *column, values []string) frag {
	name := t.col(c)
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
		if c.kind == uuidCol {
			name, args[i] = "e.uuid_key", uuidKey(v)
		}
	}
	leaf := frag{sql: name + " IN (" + placeholders(len(values)) + ")", args: args}
	if len(values) == 1 {
		leaf.sql = name + " = ?"
	}
	if c.kind == targetCol {
		return inTargets(leaf)
	}
	return leaf
}

// inPublished is "published in [t1, t2…]" with time literals; null never
// matches (published is always present).
func inPublished(lits []filter.Literal) (frag, bool) {
	var args []any
	for _, l := range lits {
		if l.Kind == filter.LitNull {
			continue
		}
		n, ok := instantLiteral(l)
		if !ok {
			return frag{}, false
		}
		args = append(args, n)
	}
	if len(args) == 0 {
		return sqlFalse, true
	}
	return frag{sql: "e.published IN (" + placeholders(len(args)) + ")", args: args}, true
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
