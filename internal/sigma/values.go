package sigma

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// fieldCompiler compiles the values of one detection key.
type fieldCompiler struct {
	path string // canonical LogEvent path
	mods modifiers
}

// value compiles one value of the key.
func (c fieldCompiler) value(v filter.Literal) (node, error) {
	switch c.mods.kind {
	case "re":
		return c.regexp(v)
	case "cidr":
		return c.cidr(v)
	case "exists":
		return c.exists(v)
	case "gt", "gte", "lt", "lte":
		return c.order(v)
	}
	if v.Kind == filter.LitNull {
		if c.mods.kind != "" {
			return nil, fmt.Errorf("a null value cannot be used with |%s", c.mods.kind)
		}
		return c.expr(&filter.Compare{Path: c.path, Op: filter.Eq, Value: v}), nil
	}
	if v.Kind != filter.LitString {
		if c.mods.kind == "" {
			return c.expr(&filter.Compare{Path: c.path, Op: filter.Eq, Value: v}), nil
		}
		return c.pattern([]patToken{{lit: literalText(v)}}), nil
	}
	return c.pattern(parsePattern(v.Str)), nil
}

// expr wraps a filter expression as a leaf, or as a Go-side test when the
// field name cannot be written in Okta's filter syntax.
func (c fieldCompiler) expr(e filter.Expr) node {
	if !validPath(c.path) {
		return &goLeaf{
			reason: fmt.Sprintf("field name %q cannot be written as an attribute path in Okta's filter language", c.path),
			path:   c.path,
			match:  filter.Compile(e).Match,
		}
	}
	return &leaf{expr: e}
}

// validPath reports whether path can be printed in a filter and read back.
func validPath(path string) bool {
	e, err := filter.Parse(path + " pr")
	p, ok := e.(*filter.Present)
	return err == nil && ok && p.Path == path
}

// pattern compiles a string value with Sigma wildcards, after applying the
// contains, startswith or endswith modifier.
func (c fieldCompiler) pattern(p []patToken) node {
	switch c.mods.kind {
	case "contains":
		p = append(appendWild(nil, '*'), p...)
		p = appendWild(p, '*')
	case "startswith":
		p = appendWild(p, '*')
	case "endswith":
		p = append([]patToken{{wild: '*'}}, p...)
	}
	p = mergeStars(p)
	if e := patternExpr(c.path, p); e != nil {
		return c.expr(e)
	}
	return c.glob(p)
}

// mergeStars collapses runs of '*' (which prepending one may create).
func mergeStars(p []patToken) []patToken {
	var out []patToken
	for _, t := range p {
		if t.wild != 0 {
			out = appendWild(out, t.wild)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// patternExpr maps a pattern to eq, co, sw, ew or pr when it has that
// shape, or returns nil.
func patternExpr(path string, p []patToken) filter.Expr {
	compare := func(op filter.Op, s string) filter.Expr {
		return &filter.Compare{Path: path, Op: op, Value: filter.StringLiteral(s)}
	}
	star := func(t patToken) bool { return t.wild == '*' }
	switch {
	case len(p) == 0:
		return compare(filter.Eq, "")
	case !hasWildcard(p) && len(p) == 1:
		return compare(filter.Eq, p[0].lit)
	case len(p) == 1 && star(p[0]):
		return &filter.Present{Path: path}
	case len(p) == 2 && star(p[1]) && p[0].wild == 0:
		return compare(filter.Sw, p[0].lit)
	case len(p) == 2 && star(p[0]) && p[1].wild == 0:
		return compare(filter.Ew, p[1].lit)
	case len(p) == 3 && star(p[0]) && star(p[2]) && p[1].wild == 0:
		return compare(filter.Co, p[1].lit)
	}
	return nil
}

// glob compiles a pattern with inner wildcards to a Go-side matcher.
func (c fieldCompiler) glob(p []patToken) node {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, t := range p {
		switch t.wild {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(t.lit))
		}
	}
	b.WriteString(`$`)
	re := regexp.MustCompile(b.String())
	return &goLeaf{
		reason: fmt.Sprintf("value %q of %s has a wildcard inside it, which Okta's filter language cannot express (only a leading or trailing * maps to co, sw or ew)", patternText(p), c.path),
		path:   c.path,
		match:  valuesMatch(c.path, re.MatchString),
	}
}

// regexp compiles a |re value to a Go-side matcher.
func (c fieldCompiler) regexp(v filter.Literal) (node, error) {
	if v.Kind == filter.LitNull {
		return nil, errors.New("a null value cannot be used with |re")
	}
	expr := literalText(v)
	if c.mods.reFlags != "" {
		expr = "(?" + c.mods.reFlags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("|re value %q is not a regular expression Go accepts (RE2 syntax: no lookaround, no backreferences): %v", literalText(v), err)
	}
	return &goLeaf{
		reason: fmt.Sprintf("field modifier |re on %s has no equivalent in Okta's filter language", c.path),
		path:   c.path,
		match:  valuesMatch(c.path, re.MatchString),
	}, nil
}

// cidr compiles a |cidr value to a Go-side prefix match.
func (c fieldCompiler) cidr(v filter.Literal) (node, error) {
	prefix, err := netip.ParsePrefix(strings.TrimSpace(literalText(v)))
	if err != nil {
		return nil, fmt.Errorf("|cidr value %q is not a CIDR prefix: %v", literalText(v), err)
	}
	prefix = prefix.Masked()
	contains := func(s string) bool {
		addr, err := netip.ParseAddr(strings.TrimSpace(s))
		return err == nil && prefix.Contains(addr.Unmap().WithZone(""))
	}
	return &goLeaf{
		reason: fmt.Sprintf("field modifier |cidr on %s has no equivalent in Okta's filter language", c.path),
		path:   c.path,
		match:  valuesMatch(c.path, contains),
	}, nil
}

// exists compiles |exists: true to pr, false to not (pr).
func (c fieldCompiler) exists(v filter.Literal) (node, error) {
	if v.Kind != filter.LitBool {
		return nil, fmt.Errorf("|exists takes true or false, not %s", v)
	}
	var e filter.Expr = &filter.Present{Path: c.path}
	if !v.Bool {
		e = &filter.Not{X: e}
	}
	return c.expr(e), nil
}

var orderOps = map[string]filter.Op{"gt": filter.Gt, "gte": filter.Ge, "lt": filter.Lt, "lte": filter.Le}

// order compiles |gt, |gte, |lt and |lte to Okta's gt, ge, lt and le.
func (c fieldCompiler) order(v filter.Literal) (node, error) {
	if v.Kind == filter.LitNull || v.Kind == filter.LitBool {
		return nil, fmt.Errorf("|%s takes a number or a string, not %s", c.mods.kind, v)
	}
	return c.expr(&filter.Compare{Path: c.path, Op: orderOps[c.mods.kind], Value: v}), nil
}

// valuesMatch tests every value the path reaches in an event with test.
func valuesMatch(path string, test func(string) bool) func(*logevent.Event) bool {
	p := logevent.CompilePath(path)
	return func(e *logevent.Event) bool {
		return p.Any(e, func(v logevent.Value) bool {
			s, ok := v.Text()
			return ok && test(s)
		})
	}
}
