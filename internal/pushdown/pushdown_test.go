package pushdown

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// testColumns are columns as a backend keeps them.
var testColumns = Columns{
	{Path: "uuid", Kind: UUID, Selective: true},
	{Path: "published", Kind: Published},
	{Path: "eventType", Kind: Required, LowCard: true},
	{Path: "actor.id", Kind: Text, Selective: true},
	{Path: "actor.alternateId", Kind: Text, Selective: true},
	{Path: "client.ipAddress", Kind: Text, Selective: true},
	{Path: "outcome.result", Kind: Text, LowCard: true},
	{Path: "displayMessage", Kind: Text},
	{Path: "target.id", Kind: Targets, Selective: true},
	{Path: "target.alternateId", Kind: Targets, Selective: true},
}

// otherPaths are paths without a column.
var otherPaths = []string{
	"actor.displayName", "actor.type", "client.userAgent.rawUserAgent", "outcome.reason", "target.displayName",
	"target.0.id", "debugContext.debugData.requestUri", "debugContext.debugData.n", "securityContext.asNumber",
	"securityContext.isProxy", "client.geographicalContext.city", "DISPLAYMESSAGE",
}

// messy are events whose JSON spells values otherwise than their text.
var messy = []string{
	`{"uuid":"m1","published":"2024-03-01T00:00:01Z","eventType":"user.session.start","displayMessage":"Login \u0041lice","actor":{"id":"00u1","alternateId":"a\/b@x.com","displayName":"\u00c9lodie"}}`,
	`{"uuid":"m2","published":"2024-03-01T00:00:02Z","eventType":"user.session.start","displayMessage":{"b":1,"a":2},"actor":{"id":"00u2","displayName":["x","y"]}}`,
	`{"uuid":"m3","published":"2024-03-01T00:00:03Z","eventType":"x","client":{"ipAddress":1234},"debugContext":{"debugData":{"n":"123","requestUri":"/api/v1/x?a=b","f":1.5e3,"b":true}},"securityContext":{"asNumber":"7018","isProxy":"true"}}`,
	`{"uuid":"m4","published":"2024-03-01T00:00:04Z","eventType":"x","actor":{"id":"00u4","displayName":"ÉLODIE Straße KELVIN"},"displayMessage":"KELVIN sign K"}`,
	"{\"uuid\":\"m5\",\"published\":\"2024-03-01T00:00:05Z\",\"eventType\":\"x\",\"displayMessage\":\"bad \xff byte\",\"outcome\":{\"result\":\"FAILURE\",\"reason\":\"INVALID_CREDENTIALS\"}}",
	`{"uuid":"m6","published":"2024-03-01T00:00:06Z","eventType":"x","target":[{"id":"00u1","alternateId":"","displayName":"2024-03-01T00:00:00Z"},{"id":"","alternateId":"b@x.com"},{"type":"User"}]}`,
	`{"uuid":"m7","published":"2024-03-01T00:00:07.5+01:00","eventType":"x","displayMessage":"true","actor":{"id":"TRUE","alternateId":"1e3","type":"user"},"client":{"userAgent":{"rawUserAgent":"curl/8.1 Mozilla"}}}`,
	`{"uuid":"m8","published":"2024-03-01T00:00:08Z","eventType":"x","DisplayMessage":"Upper key","Actor":{"ID":"00u8"}}`,
}

func testEvents(t *testing.T) []*logevent.Event {
	t.Helper()
	events := samples.Events(t)
	gen, _ := samples.Generated(t, synth.Options{Seed: 3, Events: 600, Users: 20, Incidents: true})
	events = append(events, gen...)
	for i, raw := range messy {
		e, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatalf("messy event %d: %v", i, err)
		}
		events = append(events, e)
	}
	return events
}

// eval is a Node's meaning, over a decoded event.
func eval(t *testing.T, n Node, e *logevent.Event) bool {
	switch x := n.(type) {
	case *And:
		for _, term := range x.Terms {
			if !eval(t, term, e) {
				return false
			}
		}
		return true
	case *Or:
		for _, term := range x.Terms {
			if eval(t, term, e) {
				return true
			}
		}
		return false
	case *Not:
		return !eval(t, x.X, e)
	case Const:
		return bool(x)
	case *Present:
		return len(columnValues(x.Col, e)) > 0
	case *Absent:
		return len(columnValues(x.Col, e)) == 0
	case *Compare:
		return slices.ContainsFunc(columnValues(x.Col, e), func(v string) bool { return compare(v, x.Op, x.Value) })
	case *In:
		return slices.ContainsFunc(columnValues(x.Col, e), func(v string) bool { return slices.Contains(x.Values, v) })
	case *Time:
		return compare(fmt.Sprintf("%020d", e.Time.UnixNano()), x.Op, fmt.Sprintf("%020d", x.Nanos))
	case *TimeIn:
		return slices.Contains(x.Nanos, e.Time.UnixNano())
	case *RawContains:
		f := Form(e)
		if !f.Verbatim || (x.Fold && !f.ASCII) {
			return true
		}
		if x.Fold {
			return bytes.Contains(bytes.ToLower(e.Raw), []byte(strings.ToLower(x.Text)))
		}
		return bytes.Contains(e.Raw, []byte(x.Text))
	}
	t.Fatalf("unknown node %T", n)
	return false
}

// columnValues are the non-empty string values a column holds for e.
func columnValues(c *Column, e *logevent.Event) []string {
	var out []string
	for _, v := range logevent.CompilePath(c.Path).Values(e) {
		if v.Kind == logevent.KindString {
			out = append(out, v.Str)
		}
	}
	if c.Kind == Targets { // every element, as the column holds them
		out = out[:0]
		for _, tg := range e.Target {
			s := tg.ID
			if strings.EqualFold(c.Path, "target.alternateId") {
				s = tg.AlternateID
			}
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func compare(v string, op filter.Op, s string) bool {
	c := strings.Compare(v, s)
	switch op {
	case filter.Eq:
		return c == 0
	case filter.Ne:
		return c != 0
	case filter.Gt:
		return c > 0
	case filter.Ge:
		return c >= 0
	case filter.Lt:
		return c < 0
	case filter.Le:
		return c <= 0
	case filter.Sw:
		return strings.HasPrefix(v, s)
	case filter.Co:
		return strings.Contains(v, s)
	case filter.Ew:
		return strings.HasSuffix(v, s)
	}
	panic(op)
}

// gen builds random filters from the values the events hold.
type gen struct {
	rnd   *rand.Rand
	paths []string
	pools map[string][]string
}

func newGen(seed uint64, events []*logevent.Event) *gen {
	g := &gen{rnd: rand.New(rand.NewPCG(seed, 1)), pools: map[string][]string{}}
	for _, c := range testColumns {
		g.paths = append(g.paths, c.Path)
	}
	g.paths = append(g.paths, otherPaths...)
	for _, path := range g.paths {
		seen := map[string]bool{}
		p := logevent.CompilePath(path)
		for _, e := range events {
			for _, v := range p.Values(e) {
				s := v.Str
				switch v.Kind {
				case logevent.KindNumber:
					s = fmt.Sprint(v.Num)
				case logevent.KindBool:
					s = fmt.Sprint(v.Bool)
				}
				if v.Kind != logevent.KindObject && !seen[s] {
					seen[s] = true
					g.pools[path] = append(g.pools[path], s)
				}
			}
		}
		slices.Sort(g.pools[path])
	}
	return g
}

var ops = []filter.Op{filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le, filter.Sw, filter.Co, filter.Ew}

var odd = []string{"", "K", "k", "é", "É", "Straße", "\u212a", `"`, `\`, "/", "A", "a", "{", ":2,", "u0041", "1e3", "true", "123", "7018",
	"2024-03-01T00:00:00Z", "null", "00u", "@", ".", "user.", "curl", "CURL", "\ufffd", "ÉLODIE", "élodie"}

func (g *gen) expr(depth int) filter.Expr {
	if depth >= 3 || (depth > 0 && g.rnd.IntN(3) > 0) {
		return g.leaf()
	}
	terms := make([]filter.Expr, 2+g.rnd.IntN(2))
	for i := range terms {
		terms[i] = g.expr(depth + 1)
	}
	switch g.rnd.IntN(5) {
	case 0:
		return &filter.Not{X: g.expr(depth + 1)}
	case 1, 2:
		return &filter.Or{Terms: terms}
	}
	return &filter.And{Terms: terms}
}

func (g *gen) leaf() filter.Expr {
	path := g.paths[g.rnd.IntN(len(g.paths))]
	switch g.rnd.IntN(10) {
	case 0:
		return &filter.Present{Path: path}
	case 1, 2:
		values := make([]filter.Literal, 1+g.rnd.IntN(3))
		for i := range values {
			values[i] = g.literal(path)
		}
		return &filter.In{Path: path, Values: values}
	}
	return &filter.Compare{Path: path, Op: ops[g.rnd.IntN(len(ops))], Value: g.literal(path)}
}

func (g *gen) literal(path string) filter.Literal {
	pool := g.pools[path]
	switch r := g.rnd.IntN(30); {
	case r == 0:
		return filter.Literal{Kind: filter.LitNull}
	case r == 1:
		return filter.Literal{Kind: filter.LitNumber, Str: []string{"1234", "1500", "7018", "0"}[g.rnd.IntN(4)]}
	case r == 2:
		return filter.Literal{Kind: filter.LitBool, Bool: g.rnd.IntN(2) == 0}
	case r < 8 || len(pool) == 0:
		return filter.StringLiteral(odd[g.rnd.IntN(len(odd))])
	}
	s := pool[g.rnd.IntN(len(pool))]
	switch n := len(s); g.rnd.IntN(6) {
	case 0:
		return filter.StringLiteral(s[:g.rnd.IntN(n+1)])
	case 1:
		return filter.StringLiteral(s[g.rnd.IntN(n+1):])
	case 2:
		i := g.rnd.IntN(n + 1)
		return filter.StringLiteral(s[i : i+g.rnd.IntN(n-i+1)])
	case 3:
		return filter.StringLiteral(strings.ToUpper(s))
	}
	return filter.StringLiteral(s)
}

// TestSplitKeepsSemantics checks, for thousands of random filters over
// sample, generated and odd events, that Where is exact when there is no
// residual and a superset otherwise, and that Where and Residual together
// select exactly what filter.Compile does.
func TestSplitKeepsSemantics(t *testing.T) {
	events := testEvents(t)
	g := newGen(5, events)
	const runs = 3000
	var exact, superset, none, excluded int
	for i := range runs {
		f, err := filter.Parse(g.expr(0).String())
		if err != nil {
			t.Fatalf("generated filter does not parse: %v", err)
		}
		p := Split(f, testColumns, Options{RawContains: true})
		m, rest := filter.Compile(f), filter.Compile(p.Residual)
		switch {
		case p.Residual == nil:
			exact++
		case p.Where != nil:
			superset++
		default:
			none++
		}
		for _, e := range events {
			want := m.Match(e)
			where := p.Where == nil || eval(t, p.Where, e)
			if want && !where {
				t.Fatalf("filter %d %s: Where %s excludes matching event %s", i, f, show(p.Where), e.Raw)
			}
			if p.Residual == nil && where != want {
				t.Fatalf("filter %d %s: exact Where %s selects %s, matches %v", i, f, show(p.Where), e.Raw, want)
			}
			if got := where && rest.Match(e); got != want {
				t.Fatalf("filter %d %s: Where and residual %v select %s: %v, want %v", i, f, p.Residual, e.Raw, got, want)
			}
			if p.Residual != nil && !where {
				excluded++
			}
		}
	}
	t.Logf("%d filters over %d events: %d exact, %d with a superset (excluding %d event tests), %d wholly residual",
		runs, len(events), exact, superset, excluded, none)
	if exact < runs/10 || superset < runs/10 || excluded == 0 {
		t.Errorf("the filters do not exercise every kind of split")
	}
}

// show prints a node for failure messages.
func show(n Node) string {
	switch x := n.(type) {
	case nil:
		return "-"
	case *And:
		return showAll(x.Terms, " AND ")
	case *Or:
		return showAll(x.Terms, " OR ")
	case *Not:
		return "NOT " + show(x.X)
	case Const:
		return fmt.Sprint(bool(x))
	case *Present:
		return x.Col.Path + " present"
	case *Absent:
		return x.Col.Path + " absent"
	case *Compare:
		return fmt.Sprintf("%s %s %q", x.Col.Path, x.Op, x.Value)
	case *In:
		return fmt.Sprintf("%s in %q", x.Col.Path, x.Values)
	case *Time:
		return fmt.Sprintf("published %s %d", x.Op, x.Nanos)
	case *TimeIn:
		return fmt.Sprintf("published in %d", x.Nanos)
	case *RawContains:
		if x.Fold {
			return fmt.Sprintf("raw has %q in any case", x.Text)
		}
		return fmt.Sprintf("raw has %q", x.Text)
	}
	return fmt.Sprintf("%T", n)
}

func showAll(terms []Node, sep string) string {
	parts := make([]string, len(terms))
	for i, term := range terms {
		parts[i] = show(term)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct{ filter, where, residual string }{
		{`eventType eq "a"`, `eventType in ["a"]`, ``},
		{`actor.id eq ""`, `false`, ``},
		{`actor.id in ["", "x"]`, `actor.id in ["x"]`, ``},
		{`actor.id sw ""`, `actor.id present`, ``},
		{`actor.id lt ""`, `actor.id lt ""`, ``},
		{`eventType eq "a" or eventType in ["b"] or actor.id eq "u"`, `(eventType in ["a" "b"] OR actor.id in ["u"])`, ``},
		{`target.id in [null]`, `target.id absent`, ``},
		{`uuid ne null`, `true`, ``},
		{`published ge "2024-03-01T00:00:00Z"`, `published ge 1709251200000000000`, ``},
		{`published eq "2024"`, `-`, `published eq "2024"`},
		{`actor.id eq 5`, `-`, `actor.id eq 5`},
		// Supersets from the raw JSON.
		{`debugContext.debugData.requestUri co "api"`, `raw has "api"`, `debugContext.debugData.requestUri co "api"`},
		{`actor.type eq "User"`, `raw has "\"User\""`, `actor.type eq "User"`},
		{`actor.type sw "Us"`, `raw has "\"Us"`, `actor.type sw "Us"`},
		{`actor.type ew "er"`, `raw has "er\""`, `actor.type ew "er"`},
		{`actor.type in ["User", "App"]`, `(raw has "\"User\"" OR raw has "\"App\"")`, `actor.type in ["User", "App"]`},
		{`eventType eq "a" and actor.type eq "User"`, `(eventType in ["a"] AND raw has "\"User\"")`, `actor.type eq "User"`},
		{`(actor.type eq "User" and securityContext.isProxy eq true) or actor.id eq "u"`, `(raw has "\"User\"" OR actor.id in ["u"])`,
			`(actor.type eq "User" and securityContext.isProxy eq true) or actor.id eq "u"`},
		// No superset: values a number, boolean or time may equal or hold;
		// characters JSON may escape; ne and order; or with an unbounded term.
		{`securityContext.asNumber eq "7018"`, `-`, `securityContext.asNumber eq "7018"`},
		{`securityContext.isProxy eq "TRUE"`, `-`, `securityContext.isProxy eq "TRUE"`},
		{`securityContext.asNumber co "70"`, `-`, `securityContext.asNumber co "70"`},
		{`actor.type co "ru"`, `-`, `actor.type co "ru"`},
		{`actor.type eq "2024-03-01T00:00:00Z"`, `-`, `actor.type eq "2024-03-01T00:00:00Z"`},
		{`debugContext.debugData.requestUri sw "/api"`, `raw has "\"/api"`, `debugContext.debugData.requestUri sw "/api"`},
		{`actor.type eq "a\"b"`, `raw has "\"a\"b\""`, `actor.type eq "a\"b"`},
		{`actor.type ne "User"`, `-`, `actor.type ne "User"`},
		{`actor.type eq "User" or actor.type pr`, `-`, `actor.type eq "User" or actor.type pr`},
		{`not (actor.type eq "User")`, `-`, `not (actor.type eq "User")`},
	} {
		p := Split(filter.MustParse(tt.filter), testColumns, Options{RawContains: true})
		res := ""
		if p.Residual != nil {
			res = p.Residual.String()
		}
		if got := show(p.Where); got != tt.where || res != tt.residual {
			t.Errorf("%s\n got  %s | %s\n want %s | %s", tt.filter, got, res, tt.where, tt.residual)
		}
	}
	// Without raw searches, no superset.
	p := Split(filter.MustParse(`eventType eq "a" and actor.type eq "User"`), testColumns, Options{})
	if show(p.Where) != `eventType in ["a"]` || len(p.Exact) != 1 {
		t.Errorf("without RawContains: Where %s, %d exact terms", show(p.Where), len(p.Exact))
	}
}

func TestKeywords(t *testing.T) {
	events := testEvents(t)
	for _, q := range []string{"login", "OKTA", "élodie", "straße", "kelvin", "curl", "alice", "a/b", "push-verify", "sso 00u", `"x`, "zzz", "1500"} {
		k, err := filter.ParseKeywords(q)
		if err != nil {
			t.Fatal(err)
		}
		n := Keywords(k, Options{RawContains: true})
		if n == nil {
			t.Fatalf("q=%s: no superset", q)
		}
		for _, e := range events {
			if k.Match(e) && n != nil && !eval(t, n, e) {
				t.Errorf("q=%s: superset %s excludes matching event %s", q, show(n), e.Raw)
			}
		}
	}
	if Keywords(nil, Options{RawContains: true}) != nil {
		t.Error("no keywords: want no condition")
	}
	k, _ := filter.ParseKeywords("okta")
	if Keywords(k, Options{}) != nil {
		t.Error("without RawContains: want no condition")
	}
}

func TestForm(t *testing.T) {
	for i, want := range []RawForm{{false, true}, {false, true}, {true, true}, {true, false}, {false, false}, {true, true}, {true, true}, {true, true}} {
		e, err := logevent.Decode([]byte(messy[i]))
		if err != nil {
			t.Fatal(err)
		}
		if got := Form(e); got != want {
			t.Errorf("messy[%d]: %+v, want %+v", i, got, want)
		}
	}
}

func TestInRange(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1677, 9, 21, 0, 12, 43, 145224192, time.UTC), false},
		{time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), false},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := InRange(tt.t); got != tt.want {
			t.Errorf("InRange(%v) = %v", tt.t, got)
		}
	}
}

// TestCoercedCoversEveryString sets each string field LogEvent has (in
// every struct, pointer and slice element) to an object's JSON text in
// turn, and checks that coerced sees it.
func TestCoercedCoversEveryString(t *testing.T) {
	var paths [][]int
	var walk func(typ reflect.Type, path []int)
	walk = func(typ reflect.Type, path []int) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			p := append(append([]int(nil), path...), i)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.String:
				paths = append(paths, p)
			case ft.Kind() == reflect.Struct && ft != reflect.TypeFor[logevent.Object]():
				walk(ft, p)
			}
		}
	}
	walk(reflect.TypeFor[logevent.LogEvent](), nil)
	if len(paths) < 40 {
		t.Fatalf("found %d string fields", len(paths))
	}
	for _, p := range paths {
		var e logevent.LogEvent
		v := reflect.ValueOf(&e).Elem()
		for _, i := range p {
			for v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice {
				if v.Kind() == reflect.Pointer {
					v.Set(reflect.New(v.Type().Elem()))
				} else {
					v.Set(reflect.MakeSlice(v.Type(), 2, 2))
					v = v.Index(1)
					continue
				}
				v = v.Elem()
			}
			v = v.Field(i)
		}
		v.SetString(`{"a":1}`)
		if !coerced(&e) {
			t.Errorf("field %v not looked at", p)
		}
	}
}
