package sigma

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
)

// NotConvertibleError says why a rule has no equivalent Okta System Log
// filter. Reasons name each construct that cannot be expressed.
type NotConvertibleError struct {
	Rule    string   // the rule's title, or its file when it has one
	Reasons []string // e.g. "field modifier |re on actor.alternateId has no equivalent in Okta's filter language"
}

// Error names the rule and every reason.
func (e *NotConvertibleError) Error() string {
	return fmt.Sprintf("%s: not convertible to an Okta filter: %s", e.Rule, strings.Join(e.Reasons, "; "))
}

// Filter returns the rule's detection as an Okta filter expression. The
// error is nil only when the whole rule (aggregation included) is
// expressible; otherwise it is a *NotConvertibleError and the returned Expr
// is a prefilter: every event the rule's Matcher accepts also satisfies it
// (a nil Expr matches every event). Run the Matcher on what the prefilter
// selects to get the rule's exact matches.
func (r *Rule) Filter() (filter.Expr, error) {
	b := approx(r.tree, true)
	why := reasons(r.tree, map[string]bool{}, nil)
	if r.Aggregation != nil {
		why = append(why, r.Aggregation.reason())
	}
	if len(why) > 0 {
		return b.expr, &NotConvertibleError{Rule: r.name(), Reasons: why}
	}
	return b.expr, nil
}

// Convertible reports whether Convert succeeds for the rule.
func (r *Rule) Convertible() bool {
	_, err := r.Filter()
	return err == nil
}

// Convert prints the Okta System Log filter equivalent to the rule, in the
// canonical form filter.Expr.String() prints, ready to paste into the Okta
// console or the filter parameter of /api/v1/logs. When the rule uses what
// Okta's filter cannot express, the error (a *NotConvertibleError) says
// exactly what.
func Convert(r *Rule) (string, error) {
	expr, err := r.Filter()
	if err != nil {
		return "", err
	}
	text := expr.String()
	back, perr := filter.Parse(text)
	if perr != nil || back.String() != text {
		return "", &NotConvertibleError{Rule: r.name(), Reasons: []string{fmt.Sprintf("the filter %q does not parse back (%v)", text, perr)}}
	}
	return text, nil
}

// bound is an approximation of a node by a filter: an expression, or the
// constant true (k = 1) or false (k = -1).
type bound struct {
	expr filter.Expr
	k    int8
}

// approx approximates n by a filter: from above (every event n matches
// satisfies the result) when over is true, from below otherwise. Go-side
// leaves become the constant true from above and false from below.
func approx(n node, over bool) bound {
	switch x := n.(type) {
	case *leaf:
		return bound{expr: x.expr}
	case *goLeaf:
		if over {
			return bound{k: 1}
		}
		return bound{k: -1}
	case *andNode:
		return combine(approxAll(x.terms, over), -1)
	case *orNode:
		return combine(approxAll(x.terms, over), 1)
	case *notNode:
		b := approx(x.x, !over)
		if b.k != 0 {
			return bound{k: -b.k}
		}
		return bound{expr: &filter.Not{X: b.expr}}
	}
	panic("sigma: unknown node type")
}

func approxAll(nodes []node, over bool) []bound {
	out := make([]bound, len(nodes))
	for i, n := range nodes {
		out[i] = approx(n, over)
	}
	return out
}

// combine joins bounds with and (absorb = -1: false absorbs, true is
// dropped) or with or (absorb = 1), flattening nested chains of the same
// operator as the filter parser does.
func combine(bs []bound, absorb int8) bound {
	var terms []filter.Expr
	for _, b := range bs {
		switch {
		case b.k == absorb:
			return bound{k: absorb}
		case b.k != 0:
			continue
		}
		terms = appendFlat(terms, b.expr, absorb)
	}
	switch len(terms) {
	case 0:
		return bound{k: -absorb}
	case 1:
		return bound{expr: terms[0]}
	}
	if absorb < 0 {
		return bound{expr: &filter.And{Terms: terms}}
	}
	return bound{expr: &filter.Or{Terms: terms}}
}

func appendFlat(terms []filter.Expr, e filter.Expr, absorb int8) []filter.Expr {
	switch x := e.(type) {
	case *filter.And:
		if absorb < 0 {
			return append(terms, x.Terms...)
		}
	case *filter.Or:
		if absorb > 0 {
			return append(terms, x.Terms...)
		}
	}
	return append(terms, e)
}
