package sigma

import (
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Most detections name the event types they look at ("eventType eq …",
// "eventType in […]", "eventType sw …" and-ed with the rest). A run over
// many rules uses that to skip, for each event, every rule its type rules
// out: the tests on eventType alone are evaluated once per (rule, type),
// in three-valued logic where every other test is unknown.

// verdict is what the eventType tests of a detection say about an event of
// a given type, the other tests unknown.
type verdict uint8

const (
	never  verdict = iota // no event of the type can match
	maybe                 // the other tests decide
	always                // every event of the type matches
)

func (v verdict) not() verdict { return always - v }

// MayMatchEventType reports whether an event of type eventType can satisfy
// the rule's detection (its per-event part): false when the detection's
// tests on eventType alone exclude the type, whatever the event's other
// fields. A rule that does not constrain eventType may match any type.
func (r *Rule) MayMatchEventType(eventType string) bool {
	return nodeVerdict(r.tree, eventType) != never
}

// FilterMayMatchEventType is MayMatchEventType for an Okta filter.
func FilterMayMatchEventType(e filter.Expr, eventType string) bool {
	return exprVerdict(e, eventType) != never
}

func nodeVerdict(n node, eventType string) verdict {
	switch x := n.(type) {
	case *leaf:
		return exprVerdict(x.expr, eventType)
	case *goLeaf:
		if isEventType(x.path) {
			return exact(x.match(typeOnly(eventType)))
		}
		return maybe
	case *andNode:
		return all(len(x.terms), func(i int) verdict { return nodeVerdict(x.terms[i], eventType) })
	case *orNode:
		return anyOf3(len(x.terms), func(i int) verdict { return nodeVerdict(x.terms[i], eventType) })
	case *notNode:
		return nodeVerdict(x.x, eventType).not()
	}
	return maybe
}

func exprVerdict(e filter.Expr, eventType string) verdict {
	switch x := e.(type) {
	case *filter.And:
		return all(len(x.Terms), func(i int) verdict { return exprVerdict(x.Terms[i], eventType) })
	case *filter.Or:
		return anyOf3(len(x.Terms), func(i int) verdict { return exprVerdict(x.Terms[i], eventType) })
	case *filter.Not:
		return exprVerdict(x.X, eventType).not()
	case *filter.Compare:
		return leafVerdict(x, x.Path, eventType)
	case *filter.In:
		return leafVerdict(x, x.Path, eventType)
	case *filter.Present:
		return leafVerdict(x, x.Path, eventType)
	}
	return maybe
}

// leafVerdict evaluates a comparison on eventType exactly (on an event that
// holds only that type: the comparison reads nothing else); any other
// comparison is unknown.
func leafVerdict(e filter.Expr, path, eventType string) verdict {
	if !isEventType(path) {
		return maybe
	}
	return exact(filter.Compile(e).Match(typeOnly(eventType)))
}

func isEventType(path string) bool { return strings.EqualFold(path, "eventType") }

func typeOnly(eventType string) *logevent.Event {
	return &logevent.Event{LogEvent: logevent.LogEvent{EventType: eventType}}
}

func exact(b bool) verdict {
	if b {
		return always
	}
	return never
}

// all is three-valued and: never if any term is never, always if every term
// is always.
func all(n int, term func(int) verdict) verdict { return fold3(n, term, never, always) }

// anyOf3 is three-valued or.
func anyOf3(n int, term func(int) verdict) verdict { return fold3(n, term, always, never) }

// fold3 combines the terms: decisive as soon as a term is, else maybe if a
// term is, else neutral.
func fold3(n int, term func(int) verdict, decisive, neutral verdict) verdict {
	v := neutral
	for i := range n {
		switch term(i) {
		case decisive:
			return decisive
		case maybe:
			v = maybe
		}
	}
	return v
}
