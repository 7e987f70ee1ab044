package clickhouse

import (
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/pushdown"
)

// Filter pushdown: the ClickHouse dialect.
//
// internal/pushdown decides which parts of a filter the columns answer,
// exactly or as a superset; this file writes them as SQL over events_local's
// columns. Text columns hold "" for an absent value and are never NULL, so
// the logic is two-valued: every leaf is false where the evaluator says
// false, and NOT negates exactly. Strings compare bytewise (memcmp), as Go
// does; position, startsWith and endsWith work on bytes. Target fields are
// arrays with an element for every element of target[] ("" where absent).

// columns lists the pushed-down paths and their columns.
var columns = pushdown.Columns{
	{Path: "uuid", Name: "uuid", Kind: pushdown.UUID, Selective: true},
	{Path: "published", Name: "published_ns", Kind: pushdown.Published},
	{Path: "eventType", Name: "event_type", Kind: pushdown.Required, LowCard: true},
	{Path: "severity", Name: "severity", Kind: pushdown.Text, LowCard: true},
	{Path: "displayMessage", Name: "display_message", Kind: pushdown.Text},
	{Path: "actor.id", Name: "actor_id", Kind: pushdown.Text, Selective: true},
	{Path: "actor.alternateId", Name: "actor_alternate_id", Kind: pushdown.Text, Selective: true},
	{Path: "actor.displayName", Name: "actor_display_name", Kind: pushdown.Text},
	{Path: "actor.type", Name: "actor_type", Kind: pushdown.Text, LowCard: true},
	{Path: "target.id", Name: "target_id", Kind: pushdown.Targets, Selective: true},
	{Path: "target.alternateId", Name: "target_alternate_id", Kind: pushdown.Targets, Selective: true},
	{Path: "target.type", Name: "target_type", Kind: pushdown.Targets, LowCard: true},
	{Path: "client.ipAddress", Name: "client_ip", Kind: pushdown.Text, Selective: true},
	{Path: "client.userAgent.rawUserAgent", Name: "user_agent", Kind: pushdown.Text},
	{Path: "client.geographicalContext.city", Name: "city", Kind: pushdown.Text},
	{Path: "client.geographicalContext.country", Name: "country", Kind: pushdown.Text},
	{Path: "authenticationContext.externalSessionId", Name: "session_id", Kind: pushdown.Text, Selective: true},
	{Path: "outcome.result", Name: "outcome_result", Kind: pushdown.Text, LowCard: true},
	{Path: "outcome.reason", Name: "outcome_reason", Kind: pushdown.Text},
}

// pivotKinds are the pivots of the selective columns.
var pivotKinds = map[string]uint8{
	"uuid": pivotUUID, "actor_id": pivotActorID, "actor_alternate_id": pivotActorAlternateID,
	"target_id": pivotTargetID, "target_alternate_id": pivotTargetAlternateID,
	"client_ip": pivotClientIP, "session_id": pivotSession,
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

// sql writes a pushdown node.
func sql(n pushdown.Node) frag {
	switch x := n.(type) {
	case *pushdown.And:
		return all(x.Terms, " AND ")
	case *pushdown.Or:
		return all(x.Terms, " OR ")
	case *pushdown.Not:
		inner := sql(x.X)
		return frag{sql: "NOT (" + inner.sql + ")", args: inner.args}
	case pushdown.Const:
		if x {
			return sqlTrue
		}
		return sqlFalse
	case *pushdown.Present:
		if x.Col.Kind == pushdown.Targets {
			return frag{sql: "arrayExists(x -> x != '', " + x.Col.Name + ")"}
		}
		return frag{sql: x.Col.Name + " != ''"}
	case *pushdown.Absent:
		if x.Col.Kind == pushdown.Targets {
			return frag{sql: "NOT arrayExists(x -> x != '', " + x.Col.Name + ")"}
		}
		return frag{sql: x.Col.Name + " = ''"}
	case *pushdown.Compare:
		if x.Col.Kind == pushdown.Targets {
			leaf := compare("x", x.Op, x.Value)
			return frag{sql: "arrayExists(x -> " + leaf.sql + ", " + x.Col.Name + ")", args: leaf.args}
		}
		return compare(x.Col.Name, x.Op, x.Value)
	case *pushdown.In:
		return in(x.Col, x.Values)
	case *pushdown.Time:
		return compareTime(x.Op, x.Nanos)
	case *pushdown.TimeIn:
		args := make([]any, len(x.Nanos))
		for i, n := range x.Nanos {
			args[i] = n
		}
		return frag{sql: "published_ns IN (" + placeholders(len(args)) + ")", args: args}
	case *pushdown.RawContains:
		if x.Fold {
			return frag{sql: "(raw_form != 0 OR positionCaseInsensitive(raw, ?) > 0)", args: []any{x.Text}}
		}
		return frag{sql: "(bitAnd(raw_form, 1) != 0 OR position(raw, ?) > 0)", args: []any{x.Text}}
	}
	panic("clickhouse: no SQL for a pushdown node")
}

func all(terms []pushdown.Node, sep string) frag {
	parts := make([]frag, len(terms))
	for i, term := range terms {
		parts[i] = sql(term)
	}
	return join(parts, sep)
}

var sqlOps = map[filter.Op]string{
	filter.Eq: "=", filter.Ne: "!=", filter.Gt: ">", filter.Ge: ">=", filter.Lt: "<", filter.Le: "<=",
}

// compare compares a String column (or lambda variable) with a string,
// bytewise, false where the column is "" (absent).
func compare(col string, op filter.Op, s string) frag {
	args := []any{s}
	switch op {
	case filter.Sw: // s is not empty: false for ""
		return frag{sql: "startsWith(" + col + ", ?)", args: args}
	case filter.Co:
		return frag{sql: "position(" + col + ", ?) > 0", args: args}
	case filter.Ew:
		return frag{sql: "endsWith(" + col + ", ?)", args: args}
	case filter.Gt:
		if s != "" { // "" is greater than nothing
			return frag{sql: col + " > ?", args: args}
		}
	}
	return frag{sql: "(" + col + " != '' AND " + col + " " + sqlOps[op] + " ?)", args: args}
}

// in is "the column (some element of it) equals one of values"; values
// are not empty.
func in(c *pushdown.Column, values []string) frag {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	if c.Kind == pushdown.Targets {
		if len(values) == 1 {
			return frag{sql: "has(" + c.Name + ", ?)", args: args}
		}
		return frag{sql: "hasAny(" + c.Name + ", [" + placeholders(len(values)) + "])", args: args}
	}
	if len(values) == 1 {
		return frag{sql: c.Name + " = ?", args: args}
	}
	return frag{sql: c.Name + " IN (" + placeholders(len(values)) + ")", args: args}
}

// compareTime compares published with an instant: exactly on
// published_ns, and on the second in published too, which the primary key
// answers (the exact test implies it).
func compareTime(op filter.Op, ns int64) frag {
	exact := frag{sql: "published_ns " + sqlOps[op] + " ?", args: []any{ns}}
	sec := secondOf(ns)
	switch op {
	case filter.Eq:
		return frag{sql: "(published = toDateTime(?) AND " + exact.sql + ")", args: []any{sec, ns}}
	case filter.Gt, filter.Ge:
		return frag{sql: "(published >= toDateTime(?) AND " + exact.sql + ")", args: []any{sec, ns}}
	case filter.Lt, filter.Le:
		return frag{sql: "(published <= toDateTime(?) AND " + exact.sql + ")", args: []any{sec, ns}}
	}
	return exact
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// pivotTerms returns, for a selective exact node (pushdown.Selective),
// the pivots whose seconds hold every event it selects: kind and values.
func pivotTerms(n pushdown.Node) []pivotTerm {
	switch x := n.(type) {
	case *pushdown.In:
		kind, ok := pivotKinds[x.Col.Name]
		if !ok {
			return nil
		}
		return []pivotTerm{{kind, x.Values}}
	case *pushdown.And: // any term's pivots
		for _, term := range x.Terms {
			if p := pivotTerms(term); p != nil {
				return p
			}
		}
	case *pushdown.Or: // every term's
		var out []pivotTerm
		for _, term := range x.Terms {
			p := pivotTerms(term)
			if p == nil {
				return nil
			}
			out = append(out, p...)
		}
		return out
	}
	return nil
}

// pivotTerm is a pivot lookup: the seconds of one of values of a field
// (a kind of pivot).
type pivotTerm struct {
	kind   uint8
	values []string
}

// pivotCond is the condition "published is a second of one of the
// pivots", which the primary key answers.
func (b *Backend) pivotCond(terms []pivotTerm) frag {
	keys := map[uint8][]any{}
	var kinds []uint8
	for _, t := range terms {
		for _, v := range t.values {
			kind, key := pivotKey(t.kind, v)
			if keys[kind] == nil {
				kinds = append(kinds, kind)
			}
			keys[kind] = append(keys[kind], key)
		}
	}
	parts := make([]frag, len(kinds))
	for i, kind := range kinds {
		parts[i] = frag{sql: "(kind = ? AND key IN (" + placeholders(len(keys[kind])) + "))", args: append([]any{kind}, keys[kind]...)}
	}
	cond := join(parts, " OR ")
	return frag{sql: "published IN (SELECT published FROM " + b.pivots + " WHERE " + cond.sql + ")", args: cond.args}
}
