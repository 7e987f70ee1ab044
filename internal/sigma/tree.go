package sigma

import (
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// node is a compiled piece of a detection: *leaf, *goLeaf, *andNode,
// *orNode or *notNode.
type node interface{ isNode() }

// leaf is a test Okta's filter language can express.
type leaf struct{ expr filter.Expr }

// goLeaf is a test only Go can evaluate; reason says why Okta's filter
// cannot express it.
type goLeaf struct {
	reason string
	path   string // the field it reads
	match  func(*logevent.Event) bool
}

type andNode struct{ terms []node }

type orNode struct{ terms []node }

type notNode struct{ x node }

func (*leaf) isNode()    {}
func (*goLeaf) isNode()  {}
func (*andNode) isNode() {}
func (*orNode) isNode()  {}
func (*notNode) isNode() {}

// allOf joins terms with and; a single term stands alone.
func allOf(terms []node) node {
	if len(terms) == 1 {
		return terms[0]
	}
	return &andNode{terms: terms}
}

// anyOf joins terms with or; a single term stands alone.
func anyOf(terms []node) node {
	if len(terms) == 1 {
		return terms[0]
	}
	return &orNode{terms: terms}
}

// Matcher evaluates a rule's per-event detection (everything before the
// aggregation, if any) on events, Go-side parts included. It is safe for
// concurrent use.
type Matcher struct {
	match func(*logevent.Event) bool
}

// Match reports whether the event satisfies the rule's detection.
func (m *Matcher) Match(e *logevent.Event) bool { return m.match(e) }

func compileNode(n node) func(*logevent.Event) bool {
	switch x := n.(type) {
	case *leaf:
		return filter.Compile(CheapFirst(x.expr)).Match
	case *goLeaf:
		return x.match
	case *andNode:
		return allMatch(compileNodes(cheapFirst(x.terms, nodeCost)))
	case *orNode:
		return anyMatch(compileNodes(cheapFirst(x.terms, nodeCost)))
	case *notNode:
		inner := compileNode(x.x)
		return func(e *logevent.Event) bool { return !inner(e) }
	}
	panic("sigma: unknown node type")
}

func compileNodes(nodes []node) []func(*logevent.Event) bool {
	out := make([]func(*logevent.Event) bool, len(nodes))
	for i, n := range nodes {
		out[i] = compileNode(n)
	}
	return out
}

func allMatch(terms []func(*logevent.Event) bool) func(*logevent.Event) bool {
	return func(e *logevent.Event) bool {
		for _, t := range terms {
			if !t(e) {
				return false
			}
		}
		return true
	}
}

func anyMatch(terms []func(*logevent.Event) bool) func(*logevent.Event) bool {
	return func(e *logevent.Event) bool {
		for _, t := range terms {
			if t(e) {
				return true
			}
		}
		return false
	}
}

// reasons lists, in order and without repeats, why the parts of n that Okta's
// filter cannot express are not convertible.
func reasons(n node, seen map[string]bool, out []string) []string {
	switch x := n.(type) {
	case *goLeaf:
		if !seen[x.reason] {
			seen[x.reason] = true
			out = append(out, x.reason)
		}
	case *andNode:
		for _, t := range x.terms {
			out = reasons(t, seen, out)
		}
	case *orNode:
		for _, t := range x.terms {
			out = reasons(t, seen, out)
		}
	case *notNode:
		out = reasons(x.x, seen, out)
	}
	return out
}
