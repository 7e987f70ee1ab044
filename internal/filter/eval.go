package filter

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Matcher is a compiled filter, ready to test events. A nil Expr compiles to
// a Matcher that matches everything. A Matcher is safe for concurrent use,
// but one Event must not be matched from several goroutines at once (paths
// LogEvent does not declare decode its raw JSON lazily).
type Matcher struct {
	root matchFunc
}

type matchFunc func(*logevent.Event) bool

// Compile prepares e for evaluation: paths are resolved and literals are
// converted once, not per event.
func Compile(e Expr) *Matcher {
	if e == nil {
		return &Matcher{root: func(*logevent.Event) bool { return true }}
	}
	return &Matcher{root: compile(e)}
}

// Match reports whether the event satisfies the filter.
func (m *Matcher) Match(ev *logevent.Event) bool { return m.root(ev) }

func compile(e Expr) matchFunc {
	switch x := e.(type) {
	case *And:
		terms := compileAll(x.Terms)
		return func(ev *logevent.Event) bool {
			for _, t := range terms {
				if !t(ev) {
					return false
				}
			}
			return true
		}
	case *Or:
		terms := compileAll(x.Terms)
		return func(ev *logevent.Event) bool {
			for _, t := range terms {
				if t(ev) {
					return true
				}
			}
			return false
		}
	case *Not:
		inner := compile(x.X)
		return func(ev *logevent.Event) bool { return !inner(ev) }
	case *Present:
		path := compilePath(x.Path)
		return func(ev *logevent.Event) bool { return path.Any(ev, present) }
	case *In:
		return compileIn(x)
	case *Compare:
		return compileCompare(x)
	}
	panic("filter: unknown expression type")
}

func compileAll(exprs []Expr) []matchFunc {
	out := make([]matchFunc, len(exprs))
	for i, e := range exprs {
		out[i] = compile(e)
	}
	return out
}

// pathCache shares compiled paths between filters: there are few distinct
// paths and resolving one walks the LogEvent type.
var pathCache sync.Map

func compilePath(text string) *logevent.Path {
	if p, ok := pathCache.Load(text); ok {
		return p.(*logevent.Path)
	}
	p, _ := pathCache.LoadOrStore(text, logevent.CompilePath(text))
	return p.(*logevent.Path)
}

func present(logevent.Value) bool { return true }

func compileIn(in *In) matchFunc {
	path := compilePath(in.Path)
	tests := make([]func(logevent.Value) bool, 0, len(in.Values))
	matchesNull := false
	for _, lit := range in.Values {
		if lit.Kind == LitNull {
			matchesNull = true
			continue
		}
		tests = append(tests, newOperand(lit).compareFunc(Eq))
	}
	anyTest := func(v logevent.Value) bool {
		for _, t := range tests {
			if t(v) {
				return true
			}
		}
		return false
	}
	return func(ev *logevent.Event) bool {
		if matchesNull && !path.Any(ev, present) {
			return true
		}
		return path.Any(ev, anyTest)
	}
}

func compileCompare(c *Compare) matchFunc {
	path := compilePath(c.Path)
	if c.Value.Kind == LitNull {
		switch c.Op {
		case Eq: // absent or null
			return func(ev *logevent.Event) bool { return !path.Any(ev, present) }
		case Ne: // present and not null
			return func(ev *logevent.Event) bool { return path.Any(ev, present) }
		}
		return func(*logevent.Event) bool { return false }
	}
	test := newOperand(c.Value).compareFunc(c.Op)
	return func(ev *logevent.Event) bool { return path.Any(ev, test) }
}

// operand is a literal prepared for comparison with event values of any
// type: its string, numeric, boolean and time readings.
type operand struct {
	lit     Literal
	text    string // the string form
	num     float64
	isNum   bool
	boolean bool
	isBool  bool
	instant time.Time
	isTime  bool
}

func newOperand(lit Literal) *operand {
	o := &operand{lit: lit, text: lit.Str}
	switch lit.Kind {
	case LitBool:
		o.text = strconv.FormatBool(lit.Bool)
		o.boolean, o.isBool = lit.Bool, true
	case LitString:
		if b, err := strconv.ParseBool(strings.ToLower(lit.Str)); err == nil && isBoolWord(lit.Str) {
			o.boolean, o.isBool = b, true
		}
		if t, err := logevent.ParseTime(lit.Str); err == nil {
			o.instant, o.isTime = t, true
		}
	}
	if n, err := strconv.ParseFloat(strings.TrimSpace(o.text), 64); err == nil && lit.Kind != LitBool {
		o.num, o.isNum = n, true
	}
	return o
}

func isBoolWord(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// compareFunc returns the test "value op operand" for one event value.
func (o *operand) compareFunc(op Op) func(logevent.Value) bool {
	switch op {
	case Eq:
		return func(v logevent.Value) bool { c, ok := o.compare(v); return ok && c == 0 }
	case Ne:
		return func(v logevent.Value) bool { c, ok := o.compare(v); return !ok || c != 0 }
	case Gt:
		return func(v logevent.Value) bool { c, ok := o.order(v); return ok && c > 0 }
	case Ge:
		return func(v logevent.Value) bool { c, ok := o.order(v); return ok && c >= 0 }
	case Lt:
		return func(v logevent.Value) bool { c, ok := o.order(v); return ok && c < 0 }
	case Le:
		return func(v logevent.Value) bool { c, ok := o.order(v); return ok && c <= 0 }
	case Sw:
		return o.stringTest(strings.HasPrefix)
	case Co:
		return o.stringTest(strings.Contains)
	case Ew:
		return o.stringTest(strings.HasSuffix)
	}
	panic("filter: unknown operator " + string(op))
}

func (o *operand) stringTest(test func(s, part string) bool) func(logevent.Value) bool {
	return func(v logevent.Value) bool {
		s, ok := v.Text()
		return ok && test(s, o.text)
	}
}

// compare compares the event value v with the operand for equality: it
// returns 0 when they are equal and ok=false when the types cannot be
// compared (which never satisfies eq, and always satisfies ne).
func (o *operand) compare(v logevent.Value) (int, bool) {
	switch v.Kind {
	case logevent.KindString:
		if o.isTime && logevent.LooksLikeTime(v.Str) {
			if t, err := logevent.ParseTime(v.Str); err == nil {
				return t.Compare(o.instant), true
			}
		}
		if o.lit.Kind == LitBool {
			return boolCompare(strings.EqualFold(v.Str, o.text)), true
		}
		if o.lit.Kind == LitNumber {
			return o.numberCompare(v.Str)
		}
		return strings.Compare(v.Str, o.text), true
	case logevent.KindNumber:
		if !o.isNum {
			return 0, false
		}
		return cmpFloat(v.Num, o.num), true
	case logevent.KindBool:
		if !o.isBool {
			return 0, false
		}
		return boolCompare(v.Bool == o.boolean), true
	}
	return 0, false
}

// order compares for gt/ge/lt/le: numbers numerically, times as instants,
// other strings bytewise. Booleans and objects have no order.
func (o *operand) order(v logevent.Value) (int, bool) {
	if v.Kind == logevent.KindBool {
		return 0, false
	}
	return o.compare(v)
}

func (o *operand) numberCompare(s string) (int, bool) {
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, false
	}
	return cmpFloat(n, o.num), true
}

// boolCompare maps equality to a comparison result.
func boolCompare(equal bool) int {
	if equal {
		return 0
	}
	return 1
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
