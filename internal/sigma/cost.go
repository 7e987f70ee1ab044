package sigma

import (
	"reflect"
	"slices"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// The terms of an and (or an or) may be tested in any order: every test is
// a pure function of the event. Matchers test first what the decoded event
// answers at once, then what needs a Go-side test (a regular expression, a
// CIDR range), and last what the typed LogEvent does not declare, which
// decodes the event's whole raw JSON once more. On a large store that
// second decoding, for a term that a cheaper one would have ruled out, is
// most of a rule's cost. A key of a free-form object (debugData,
// detailEntry) sits between a field and a Go-side test: a map lookup,
// which tries every key in turn when the exact spelling is missing.

// cost ranks how much a test costs.
type cost uint8

const (
	costTyped  cost = iota // a field of the decoded event
	costObject             // a key of a decoded free-form object
	costGo                 // a Go-side test on a decoded field
	costRaw                // a path the typed LogEvent does not declare
)

// readsRaw reports whether reading path decodes the event's raw JSON: the
// path leaves the typed LogEvent before reaching a free-form object
// (debugData, detailEntry), which is decoded already.
func readsRaw(path string) bool { return pathCost(path) == costRaw }

// pathCost ranks reading path: a field of the typed LogEvent, a key of one
// of its free-form objects, or the raw JSON.
func pathCost(path string) cost {
	t := reflect.TypeFor[logevent.LogEvent]()
	objectType := reflect.TypeFor[logevent.Object]()
	steps := strings.Split(path, ".")
	for i := 0; i < len(steps); i++ {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == objectType:
			return costObject
		case t.Kind() == reflect.Slice:
			t = t.Elem()
			if !isIndex(steps[i]) {
				i-- // the step applies to every element
			}
			continue
		case t.Kind() != reflect.Struct:
			return costRaw
		}
		f, ok := fieldByName(t, steps[i])
		if !ok {
			return costRaw
		}
		t = f.Type
	}
	return costTyped
}

// fieldByName finds a struct field by its JSON name, in any case.
func fieldByName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag != "" && strings.EqualFold(tag, name) {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// exprCost is the cost of the dearest test in e.
func exprCost(e filter.Expr) cost {
	switch x := e.(type) {
	case *filter.And:
		return maxCost(x.Terms, exprCost)
	case *filter.Or:
		return maxCost(x.Terms, exprCost)
	case *filter.Not:
		return exprCost(x.X)
	case *filter.Compare:
		return pathCost(x.Path)
	case *filter.In:
		return pathCost(x.Path)
	case *filter.Present:
		return pathCost(x.Path)
	}
	return costRaw
}

func nodeCost(n node) cost {
	switch x := n.(type) {
	case *leaf:
		return exprCost(x.expr)
	case *goLeaf:
		return max(costGo, pathCost(x.path))
	case *andNode:
		return maxCost(x.terms, nodeCost)
	case *orNode:
		return maxCost(x.terms, nodeCost)
	case *notNode:
		return nodeCost(x.x)
	}
	return costRaw
}

func maxCost[T any](terms []T, of func(T) cost) cost {
	c := costTyped
	for _, t := range terms {
		c = max(c, of(t))
	}
	return c
}

// cheapFirst returns terms, stably sorted by cost.
func cheapFirst[T any](terms []T, of func(T) cost) []T {
	out := slices.Clone(terms)
	slices.SortStableFunc(out, func(a, b T) int { return int(of(a)) - int(of(b)) })
	return out
}

// CheapFirst returns an Okta filter equal to e whose and/or terms are in
// the order a matcher should test them: tests of the decoded event first,
// paths the typed LogEvent does not declare last. e is not changed.
func CheapFirst(e filter.Expr) filter.Expr {
	switch x := e.(type) {
	case *filter.And:
		return &filter.And{Terms: cheapFirst(mapExprs(x.Terms, CheapFirst), exprCost)}
	case *filter.Or:
		return &filter.Or{Terms: cheapFirst(mapExprs(x.Terms, CheapFirst), exprCost)}
	case *filter.Not:
		return &filter.Not{X: CheapFirst(x.X)}
	}
	return e
}

func mapExprs(es []filter.Expr, f func(filter.Expr) filter.Expr) []filter.Expr {
	out := make([]filter.Expr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}
