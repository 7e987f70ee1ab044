package backendtest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
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

// ExprGen builds random filters from the values a log holds: every path a
// backend may hold in a column (in odd cases too), paths it may not, every
// operator, literals of each type, near misses and odd strings.
type ExprGen struct {
	rnd   *rand.Rand
	pools map[string][]string // path (lower case) → string values seen
}

// NewExprGen returns a generator of filters over the values of events.
func NewExprGen(seed uint64, events []*logevent.Event) *ExprGen {
	g := &ExprGen{rnd: rand.New(rand.NewPCG(seed, 7)), pools: map[string][]string{}}
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

// Expr returns a random filter, printed and parsed again so that it is a
// filter as users write them.
func (g *ExprGen) Expr() filter.Expr {
	e := g.expr(0)
	parsed, err := filter.Parse(e.String())
	if err != nil {
		panic(fmt.Sprintf("generated filter does not parse: %v\n%s", err, e))
	}
	return parsed
}

func (g *ExprGen) expr(depth int) filter.Expr {
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

func (g *ExprGen) terms(depth int) []filter.Expr {
	out := make([]filter.Expr, 2+g.rnd.IntN(3))
	for i := range out {
		out[i] = g.expr(depth + 1)
	}
	return out
}

func (g *ExprGen) leaf() filter.Expr {
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

func (g *ExprGen) literal(path string) filter.Literal {
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
func (g *ExprGen) timeLiteral() string {
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
func (g *ExprGen) mutate(s string) string {
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

// Query returns a random query: a filter (Expr), either order and
// direction, and sometimes a limit, time bounds at or about the instants
// of held events, and keywords.
func (g *ExprGen) Query(held []*logevent.Event) backend.Query {
	q := backend.Query{Filter: g.Expr(), Desc: g.rnd.IntN(3) == 0}
	if g.rnd.IntN(3) == 0 {
		q.Order = backend.ByReceived
	}
	if g.rnd.IntN(4) == 0 {
		q.Limit = 1 + g.rnd.IntN(20)
	}
	if g.rnd.IntN(5) == 0 && len(held) > 0 {
		q.Since = held[g.rnd.IntN(len(held))].Time
	}
	if g.rnd.IntN(5) == 0 && len(held) > 0 {
		q.Until = held[g.rnd.IntN(len(held))].Time.Add(time.Duration(g.rnd.IntN(3)-1) * time.Nanosecond)
	}
	if g.rnd.IntN(10) == 0 {
		q.Keywords = g.Keywords()
	}
	return q
}

// Keywords returns a random keyword search (Okta's q).
func (g *ExprGen) Keywords() *filter.Keywords {
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
