package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// propPaths are the paths random filters use: every pushed-down column (in
// odd cases too), and paths that stay residual.
var propPaths = []string{
	"eventType", "EVENTTYPE", "uuid", "published", "Published",
	"actor.id", "Actor.ID", "actor.alternateId", "actor.displayName",
	"client.ipAddress", "client.ipaddress", "authenticationContext.externalSessionId",
	"outcome.result", "severity", "displayMessage",
	"client.geographicalContext.city", "client.geographicalContext.country",
	"target.id", "target.alternateId", "TARGET.ID",
}

// residualPaths are paths the store has no column for.
var residualPaths = []string{
	"client.zone", "securityContext.isProxy", "securityContext.asNumber", "outcome.reason",
	"debugContext.debugData.requestUri", "target.0.id", "target.displayName", "request.ipChain.ip", "actor.type",
}

var propOps = []filter.Op{filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le, filter.Sw, filter.Co, filter.Ew}

// exprGen builds random filters from the values the log holds.
type exprGen struct {
	rnd   *rand.Rand
	pools map[string][]string // path (lower case) → string values seen
}

func newExprGen(seed uint64, events []*logevent.Event) *exprGen {
	g := &exprGen{rnd: rand.New(rand.NewPCG(seed, 7)), pools: map[string][]string{}}
	for _, path := range append(propPaths, residualPaths...) {
		key := strings.ToLower(path)
		if _, done := g.pools[key]; done {
			continue
		}
		p := logevent.CompilePath(path)
		seen := map[string]bool{}
		for _, e := range events {
			for _, v := range p.Values(e) {
				if v.Kind == logevent.KindString && !seen[v.Str] {
					seen[v.Str] = true
					g.pools[key] = append(g.pools[key], v.Str)
				}
			}
		}
		sort.Strings(g.pools[key])
	}
	return g
}

func (g *exprGen) expr(depth int) filter.Expr {
	if depth >= 3 || g.rnd.IntN(3) > depth%2 && depth > 0 {
		return g.leaf()
	}
	switch g.rnd.IntN(5) {
	case 0:
		return &filter.Not{X: g.expr(depth + 1)}
	case 1, 2:
		return &filter.Or{Terms: g.terms(depth)}
	}
	return &filter.And{Terms: g.terms(depth)}
}

func (g *exprGen) terms(depth int) []filter.Expr {
	out := make([]filter.Expr, 2+g.rnd.IntN(3))
	for i := range out {
		out[i] = g.expr(depth + 1)
	}
	return out
}

func (g *exprGen) leaf() filter.Expr {
	path := propPaths[g.rnd.IntN(len(propPaths))]
	if g.rnd.IntN(8) == 0 {
		path = residualPaths[g.rnd.IntN(len(residualPaths))]
	}
	switch g.rnd.IntN(10) {
	case 0:
		return &filter.Present{Path: path}
	case 1, 2:
		values := make([]filter.Literal, 1+g.rnd.IntN(4))
		for i := range values {
			values[i] = g.literal(path)
		}
		return &filter.In{Path: path, Values: values}
	}
	return &filter.Compare{Path: path, Op: propOps[g.rnd.IntN(len(propOps))], Value: g.literal(path)}
}

func (g *exprGen) literal(path string) filter.Literal {
	pool := g.pools[strings.ToLower(path)]
	if strings.EqualFold(path, "published") && g.rnd.IntN(2) == 0 {
		return filter.StringLiteral(g.timeLiteral())
	}
	switch r := g.rnd.IntN(40); {
	case r == 0:
		return filter.Literal{Kind: filter.LitNull}
	case r == 1:
		return filter.Literal{Kind: filter.LitNumber, Str: []string{"9009", "9010", "0", "-1.5"}[g.rnd.IntN(4)]}
	case r == 2:
		return filter.Literal{Kind: filter.LitBool, Bool: g.rnd.IntN(2) == 0}
	case r == 3:
		return filter.StringLiteral(oddStrings[g.rnd.IntN(len(oddStrings))])
	case r == 4:
		return filter.StringLiteral("")
	case r == 5 || len(pool) == 0:
		return filter.StringLiteral(g.timeLiteral())
	}
	return filter.StringLiteral(g.mutate(pool[g.rnd.IntN(len(pool))]))
}

// timeLiteral is an instant near the generated log's, in various forms.
func (g *exprGen) timeLiteral() string {
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.rnd.IntN(1800)) * time.Second)
	t = t.Add(time.Duration(g.rnd.IntN(3)-1) * time.Nanosecond)
	switch g.rnd.IntN(4) {
	case 0:
		return t.Format(time.RFC3339)
	case 1:
		return t.In(time.FixedZone("", -5*3600)).Format(time.RFC3339Nano)
	case 2:
		return "2024-03-01T00:00:10.000Z"
	}
	return t.Format(time.RFC3339Nano)
}

// mutate returns the value, a part of it, or a near miss.
func (g *exprGen) mutate(s string) string {
	n := len(s)
	switch g.rnd.IntN(8) {
	case 0:
		return s[:g.rnd.IntN(n+1)]
	case 1:
		return s[g.rnd.IntN(n+1):]
	case 2:
		i := g.rnd.IntN(n + 1)
		return s[i : i+g.rnd.IntN(n-i+1)]
	case 3:
		return strings.ToUpper(s)
	case 4:
		return s + "x"
	}
	return s
}

func (g *exprGen) keywords() *filter.Keywords {
	words := []string{"login", "OKTA", "user", "paris", "sso", "push-verify", "SUCCESS", "zzz"}
	var q []string
	for range 1 + g.rnd.IntN(2) {
		q = append(q, words[g.rnd.IntN(len(words))])
	}
	k, err := filter.ParseKeywords(strings.Join(q, " "))
	if err != nil {
		panic(err)
	}
	return k
}

// reference is the store's contract evaluated in memory: the first event of
// each uuid, in (published, insertion) order, filtered with filter.Compile.
type reference struct{ events []*logevent.Event }

func newReference(events []*logevent.Event) *reference {
	seen := map[string]bool{}
	var r reference
	for _, e := range events {
		if !seen[e.UUID] {
			seen[e.UUID] = true
			r.events = append(r.events, e)
		}
	}
	sort.SliceStable(r.events, func(i, j int) bool { return r.events[i].Time.Before(r.events[j].Time) })
	return &r
}

func (r *reference) search(q Query) []string {
	m := filter.Compile(q.Filter)
	var out []string
	for _, e := range r.events {
		if (!q.Since.IsZero() && e.Time.Before(q.Since)) || (!q.Until.IsZero() && !e.Time.Before(q.Until)) {
			continue
		}
		if m.Match(e) && q.Keywords.Match(e) {
			out = append(out, e.UUID)
		}
	}
	if q.Desc {
		slices.Reverse(out)
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// TestSearchMatchesEvaluator checks, on a messy generated log, that Search
// and Count return exactly what filter.Compile selects, in the same order,
// for hundreds of random filters.
func TestSearchMatchesEvaluator(t *testing.T) {
	gen := newGenerator(genOptions{Seed: 11, Users: 12, Messy: true})
	events := gen.events(800)
	s := openTemp(t)
	insertUneven(t, s, events, 97)
	ref := newReference(events)
	eg := newExprGen(12, events)
	rnd := rand.New(rand.NewPCG(13, 14))
	const runs = 600
	pushed, partial := 0, 0
	for i := range runs {
		expr := reparse(t, eg.expr(0))
		q := Query{Filter: expr, Desc: rnd.IntN(3) == 0}
		if rnd.IntN(4) == 0 {
			q.Limit = 1 + rnd.IntN(20)
		}
		if rnd.IntN(5) == 0 {
			q.Since = ref.events[rnd.IntN(len(ref.events))].Time
		}
		if rnd.IntN(5) == 0 {
			q.Until = ref.events[rnd.IntN(len(ref.events))].Time.Add(time.Duration(rnd.IntN(3)-1) * time.Nanosecond)
		}
		if rnd.IntN(10) == 0 {
			q.Keywords = eg.keywords()
		}
		where, residual := translate(expr)
		switch {
		case residual == nil:
			pushed++
		case where.sql != "":
			partial++
		}
		checkQuery(t, s, ref, q, i)
	}
	t.Logf("%d filters: %d wholly pushed down, %d partly", runs, pushed, partial)
	if pushed < runs/5 || partial < runs/20 {
		t.Errorf("too few filters pushed down (%d wholly, %d partly): the test does not exercise SQL", pushed, partial)
	}
}

// reparse prints and parses a generated filter, so that the test also
// holds for filters as users write them.
func reparse(t *testing.T, e filter.Expr) filter.Expr {
	t.Helper()
	parsed, err := filter.Parse(e.String())
	if err != nil {
		t.Fatalf("generated filter does not parse: %v\n%s", err, e)
	}
	return parsed
}

func checkQuery(t *testing.T, s *Store, ref *reference, q Query, i int) {
	t.Helper()
	want := ref.search(q)
	got := searchUUIDs(t, s, q)
	if !slices.Equal(got, want) {
		where, residual := translate(q.Filter)
		t.Fatalf("filter %d: %s\nsince %v until %v desc %v limit %d q %v\nSQL %s %v\nresidual %v\ngot  %d %v\nwant %d %v",
			i, q.Filter, q.Since, q.Until, q.Desc, q.Limit, q.Keywords, where.sql, where.args, residual,
			len(got), head(got), len(want), head(want))
	}
	q.Limit, q.Desc = 0, false
	n, err := s.Count(context.Background(), q)
	if want := len(ref.search(q)); err != nil || n != want {
		t.Fatalf("filter %d: %s: Count = %d, %v; want %d", i, q.Filter, n, err, want)
	}
}

func head(s []string) string {
	if len(s) > 8 {
		return fmt.Sprint(s[:8]) + "…"
	}
	return fmt.Sprint(s)
}
