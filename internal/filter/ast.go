// Package filter implements Okta's System Log filter language (the SCIM-style
// `filter` parameter of /api/v1/logs) and its keyword search (`q`): a lexer, a
// parser to an AST, a canonical printer and an evaluator over logevent.Event.
//
// Semantics are docs/filter.md's: operators eq ne gt ge lt le sw co ew pr and in;
// and, or, not ( … ) with precedence not > and > or; operators and keywords
// case-insensitive; a path through an array matches when any element does; an
// absent attribute or null satisfies no comparison but "eq null".
package filter

import (
	"strings"
)

// Expr is a node of a parsed filter: *And, *Or, *Not, *Compare, *Present or
// *In. String prints the canonical filter text, which parses back to an
// equal Expr.
type Expr interface {
	String() string
	expr()
}

// And is true when every term is true. Terms has at least two elements;
// nested conjunctions are flattened.
type And struct{ Terms []Expr }

// Or is true when any term is true. Terms has at least two elements; nested
// disjunctions are flattened.
type Or struct{ Terms []Expr }

// Not negates X. It is written "not ( X )".
type Not struct{ X Expr }

// Op is a comparison operator.
type Op string

// The comparison operators.
const (
	Eq Op = "eq"
	Ne Op = "ne"
	Gt Op = "gt"
	Ge Op = "ge"
	Lt Op = "lt"
	Le Op = "le"
	Sw Op = "sw"
	Co Op = "co"
	Ew Op = "ew"
)

// comparisonOps lists the binary operators, in the order error messages
// name them.
var comparisonOps = []Op{Eq, Ne, Gt, Ge, Lt, Le, Sw, Co, Ew}

// Compare is "Path Op Value".
type Compare struct {
	Path  string
	Op    Op
	Value Literal
}

// Present is "Path pr": the attribute is present and not null or empty.
type Present struct{ Path string }

// In is "Path in [v1, v2, …]": the attribute equals one of the values.
type In struct {
	Path   string
	Values []Literal
}

// LiteralKind is the type of a Literal.
type LiteralKind uint8

// The literal types.
const (
	LitString LiteralKind = iota + 1
	LitNumber
	LitBool
	LitNull
)

// Literal is a value in a filter: a string, number, true, false or null.
type Literal struct {
	Kind LiteralKind
	Str  string // the unescaped string, or a number's text as written
	Bool bool
}

// Equal returns the comparison "path eq value" of a string value.
func Equal(path, value string) *Compare {
	return &Compare{Path: path, Op: Eq, Value: StringLiteral(value)}
}

// StringLiteral returns the literal for s.
func StringLiteral(s string) Literal { return Literal{Kind: LitString, Str: s} }

// String prints the literal as filter text.
func (l Literal) String() string {
	switch l.Kind {
	case LitString:
		return Quote(l.Str)
	case LitNumber:
		return l.Str
	case LitBool:
		if l.Bool {
			return "true"
		}
		return "false"
	}
	return "null"
}

func (*And) expr()     {}
func (*Or) expr()      {}
func (*Not) expr()     {}
func (*Compare) expr() {}
func (*Present) expr() {}
func (*In) expr()      {}

func (a *And) String() string { return joinTerms(a.Terms, " and ") }
func (o *Or) String() string  { return joinTerms(o.Terms, " or ") }
func (n *Not) String() string { return "not (" + n.X.String() + ")" }
func (c *Compare) String() string {
	return c.Path + " " + string(c.Op) + " " + c.Value.String()
}
func (p *Present) String() string { return p.Path + " pr" }
func (in *In) String() string {
	values := make([]string, len(in.Values))
	for i, v := range in.Values {
		values[i] = v.String()
	}
	return in.Path + " in [" + strings.Join(values, ", ") + "]"
}

// joinTerms prints the terms of an And or Or, parenthesizing any term that is
// itself an And or Or so that the grouping survives a re-parse.
func joinTerms(terms []Expr, sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		switch t.(type) {
		case *And, *Or:
			parts[i] = "(" + t.String() + ")"
		default:
			parts[i] = t.String()
		}
	}
	return strings.Join(parts, sep)
}
