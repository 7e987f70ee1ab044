package store

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// Filter pushdown: the SQLite dialect.
//
// internal/pushdown decides which parts of a filter the columns below
// answer exactly (see its package comment); translate turns them into a SQL
// condition over the events table (alias e), and leaves the rest as a
// residual filter evaluated in Go. The store does not search raw bytes, so
// every pushed-down part is exact. Here:
//
//   - text columns hold NULL for an absent or empty value;
//   - target.id and target.alternateId live in the targets table, "any
//     element" becoming membership of e.id in a subquery;
//   - published is Unix nanoseconds.
//
// Three-valued logic: every pushed-down leaf is NULL only where the Go
// evaluator says false (a comparison with an absent, NULL column), and
// and/or preserve that; "not" wraps its operand in coalesce(…, 0) so that
// NOT never sees a NULL.

// columns lists the pushed-down paths and their SQL names.
var columns = pushdown.Columns{
	{Path: "uuid", Name: "e.uuid", Kind: pushdown.UUID, Selective: true}, // equality goes to e.uuid_key
	{Path: "published", Name: "e.published", Kind: pushdown.Published},
	{Path: "eventType", Name: "e.event_type", Kind: pushdown.Required, LowCard: true},
	{Path: "actor.id", Name: "e.actor_id", Kind: pushdown.Text, Selective: true},
	{Path: "actor.alternateId", Name: "e.actor_alternate_id", Kind: pushdown.Text, Selective: true},
	{Path: "actor.displayName", Name: "e.actor_display_name", Kind: pushdown.Text},
	{Path: "client.ipAddress", Name: "e.client_ip", Kind: pushdown.Text, Selective: true},
	{Path: "authenticationContext.externalSessionId", Name: "e.session_id", Kind: pushdown.Text, Selective: true},
	{Path: "outcome.result", Name: "e.outcome_result", Kind: pushdown.Text, LowCard: true},
	{Path: "severity", Name: "e.severity", Kind: pushdown.Text},
	{Path: "displayMessage", Name: "e.display_message", Kind: pushdown.Text},
	{Path: "client.geographicalContext.city", Name: "e.city", Kind: pushdown.Text},
	{Path: "client.geographicalContext.country", Name: "e.country", Kind: pushdown.Text},
	{Path: "target.id", Name: "target_id", Kind: pushdown.Targets, Selective: true},
	{Path: "target.alternateId", Name: "target_alternate_id", Kind: pushdown.Targets, Selective: true},
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
	p := pushdown.Split(e, columns, pushdown.Options{})
	if len(p.Exact) == 0 {
		return frag{}, p.Residual
	}
	var t translator
	for _, n := range p.Exact {
		t.demote = t.demote || pushdown.Selective(n)
	}
	pushed := make([]frag, len(p.Exact))
	for i, n := range p.Exact {
		pushed[i] = t.node(n)
	}
	return join(pushed, " AND "), p.Residual
}

// translator writes SQL for pushed-down nodes.
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
func (t translator) col(c *pushdown.Column) string {
	if t.demote && c.LowCard {
		return "+" + c.Name
	}
	return c.Name
}

func (t translator) node(n pushdown.Node) frag {
	switch x := n.(type) {
	case *pushdown.And:
		return t.all(x.Terms, " AND ")
	case *pushdown.Or:
		return t.all(x.Terms, " OR ")
	case *pushdown.Not:
		inner := t.node(x.X)
		return frag{sql: "NOT coalesce(" + inner.sql + ", 0)", args: inner.args}
	case pushdown.Const:
		if x {
			return sqlTrue
		}
		return sqlFalse
	case *pushdown.Present:
		return t.present(x.Col)
	case *pushdown.Absent:
		return t.absent(x.Col)
	case *pushdown.Compare:
		leaf := textCompare(t.col(x.Col), x.Op, x.Value)
		if x.Col.Kind == pushdown.Targets {
			return inTargets(leaf)
		}
		return leaf
	case *pushdown.In:
		return t.textIn(x.Col, x.Values)
	case *pushdown.Time:
		return frag{sql: "e.published " + sqlOps[x.Op] + " ?", args: []any{x.Nanos}}
	case *pushdown.TimeIn:
		args := make([]any, len(x.Nanos))
		for i, n := range x.Nanos {
			args[i] = n
		}
		return frag{sql: "e.published IN (" + placeholders(len(args)) + ")", args: args}
	}
	// RawContains: translate asks for no superset.
	panic(fmt.Sprintf("store: no SQL for %T", n))
}

func (t translator) all(terms []pushdown.Node, sep string) frag {
	parts := make([]frag, len(terms))
	for i, term := range terms {
		parts[i] = t.node(term)
	}
	return join(parts, sep)
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

// present is "path pr" on a text or target column.
func (t translator) present(c *pushdown.Column) frag {
	leaf := frag{sql: t.col(c) + " IS NOT NULL"}
	if c.Kind == pushdown.Targets {
		return inTargets(leaf)
	}
	return leaf
}

// absent is "path eq null" on a text or target column.
func (t translator) absent(c *pushdown.Column) frag {
	if c.Kind == pushdown.Targets {
		return frag{sql: "e.id NOT IN (SELECT event FROM targets WHERE " + t.col(c) + " IS NOT NULL)"}
	}
	return frag{sql: t.col(c) + " IS NULL"}
}

// inTargets is "some element of target[] satisfies cond".
func inTargets(cond frag) frag {
	return frag{sql: "e.id IN (SELECT event FROM targets WHERE " + cond.sql + ")", args: cond.args}
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

// textIn is "column equals one of values" for a text or target column;
// for uuid, the indexed uuid_key equals one of the values' keys.
func (t translator) textIn(c *pushdown.Column, values []string) frag {
	name := t.col(c)
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
		if c.Kind == pushdown.UUID {
			name, args[i] = "e.uuid_key", uuidKey(v)
		}
	}
	leaf := frag{sql: name + " IN (" + placeholders(len(values)) + ")", args: args}
	if len(values) == 1 {
		leaf.sql = name + " = ?"
	}
	if c.Kind == pushdown.Targets {
		return inTargets(leaf)
	}
	return leaf
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
