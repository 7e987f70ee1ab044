package scope

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/indicator"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// indexSearcher answers the or-chains of eq that scope sends from indexes,
// as the store does, so that a benchmark measures scope and not a scan.
type indexSearcher struct {
	index   map[string][]int // "path\x00value" → positions in events
	all     []*logevent.Event
	ipUsers map[string][]ipUser
}

var indexedPaths = []string{"actor.id", "target.id", "actor.alternateId", "target.alternateId",
	"client.ipAddress", "authenticationContext.externalSessionId"}

func newIndexSearcher(events []*logevent.Event) *indexSearcher {
	s := &indexSearcher{index: map[string][]int{}, all: events}
	for i, e := range events {
		for _, p := range indexedPaths {
			for _, v := range logevent.CompilePath(p).Values(e) {
				k := p + "\x00" + v.Str
				if n := len(s.index[k]); n == 0 || s.index[k][n-1] != i {
					s.index[k] = append(s.index[k], i)
				}
			}
		}
	}
	s.summarizeIPUsers()
	return s
}

func (s *indexSearcher) Search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error {
	match := filter.Compile(f)
	chain := f
	if and, ok := f.(*filter.And); ok { // "(…) and not (users already read)"
		chain = and.Terms[0]
	}
	terms := []filter.Expr{chain}
	if or, ok := chain.(*filter.Or); ok {
		terms = or.Terms
	}
	var hits []int
	for _, t := range terms {
		c, ok := t.(*filter.Compare)
		if !ok || c.Op != filter.Eq {
			return fmt.Errorf("indexSearcher: unsupported term %s", t)
		}
		hits = append(hits, s.index[c.Path+"\x00"+c.Value.Str]...)
	}
	slices.Sort(hits)
	for _, i := range slices.Compact(hits) {
		if !match.Match(s.all[i]) {
			continue
		}
		if err := fn(s.all[i]); err != nil {
			return err
		}
	}
	return nil
}

// IPUsers answers from a summary made beforehand, as the store does.
func (s *indexSearcher) IPUsers(ctx context.Context, ips []string, fn func(ip string, user logevent.Actor, events int) error) error {
	for _, ip := range ips {
		for _, u := range s.ipUsers[ip] {
			if err := fn(ip, u.actor, u.events); err != nil {
				return err
			}
		}
	}
	return nil
}

// ipUser is a user acting from an address and its events from there.
type ipUser struct {
	actor  logevent.Actor
	events int
}

// summarizeIPUsers fills ipUsers from the events.
func (s *indexSearcher) summarizeIPUsers() {
	s.ipUsers = map[string][]ipUser{}
	at := map[[2]string]int{}
	for _, e := range s.all {
		a, ok := e.ActingUser()
		ip := e.ClientIP()
		if !ok || ip == "" {
			continue
		}
		k := [2]string{ip, a.Key()}
		i, seen := at[k]
		if !seen {
			i = len(s.ipUsers[ip])
			at[k] = i
			s.ipUsers[ip] = append(s.ipUsers[ip], ipUser{actor: a})
		}
		s.ipUsers[ip][i].events++
	}
}

// BenchmarkDepth2 scopes the busiest office user of 100,000 generated
// events at depth 2, searches answered from indexes (the store's part is
// measured by the store's own benchmarks).
func BenchmarkDepth2(b *testing.B) {
	events, _ := samples.Generated(b, synth.Options{Seed: 7, Events: 100000, Incidents: true})
	s := newIndexSearcher(events)
	busiest := busiestUser(events)
	b.ResetTimer()
	var r *Report
	for range b.N {
		var err error
		if r, err = Run(context.Background(), s, indicatorOf(indicator.User, busiest), 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Events), "events/report")
	b.ReportMetric(float64(len(r.Related)), "related")
}

// busiestUser returns the user with the most events from office addresses
// (192.0.2.0/24, shared by everyone in a building): the widest reach.
func busiestUser(events []*logevent.Event) string {
	count := map[string]int{}
	for _, e := range events {
		if a, ok := e.ActingUser(); ok && strings.HasPrefix(e.ClientIP(), "192.0.2.") {
			count[a.ID]++
		}
	}
	best := ""
	for id, n := range count {
		if best == "" || cmp.Or(cmp.Compare(n, count[best]), cmp.Compare(best, id)) > 0 {
			best = id
		}
	}
	return best
}

// BenchmarkGraph builds the graph of the depth-2 scope of
// BenchmarkDepth2 (the busiest office user of 100,000 generated events),
// cut to DefaultGraphNodes nodes: the part of a scope the graph adds.
func BenchmarkGraph(b *testing.B) {
	events, _ := samples.Generated(b, synth.Options{Seed: 7, Events: 100000, Incidents: true})
	r := newRun(newIndexSearcher(events), indicatorOf(indicator.User, busiestUser(events)), Options{Depth: 2}.withDefaults())
	if err := r.run(context.Background()); err != nil {
		b.Fatal(err)
	}
	rep := r.report()
	b.ResetTimer()
	var g Graph
	for range b.N {
		g = r.graph(rep)
	}
	more := 0
	for _, n := range g.Nodes {
		more += n.More
	}
	b.ReportMetric(float64(rep.Events), "events/report")
	b.ReportMetric(float64(len(rep.Related)), "related")
	b.ReportMetric(float64(len(g.Nodes)), "nodes")
	b.ReportMetric(float64(more), "left-out")
}
