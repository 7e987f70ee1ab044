// Package sqlfrag holds a piece of SQL with its positional arguments, the
// unit in which the SQL backends (the embedded store, ClickHouse) build
// their conditions. Each backend writes its own dialect; this package only
// joins the pieces.
package sqlfrag

import "strings"

// Frag is a piece of SQL with "?" placeholders and their arguments, in
// order.
type Frag struct {
	SQL  string
	Args []any
}

// Join joins parts with sep (" AND ", " OR "), in parentheses when there
// are several, and their arguments in order. One part is returned as it
// is; parts must not be empty.
func Join(parts []Frag, sep string) Frag {
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
		b.WriteString(p.SQL)
		args = append(args, p.Args...)
	}
	b.WriteByte(')')
	return Frag{SQL: b.String(), Args: args}
}
