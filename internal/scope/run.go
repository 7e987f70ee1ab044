package scope

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Run builds the report of an indicator with default options and the given
// depth (see Options.Depth).
func Run(ctx context.Context, s Searcher, ind Indicator, depth int) (*Report, error) {
	return RunOptions(ctx, s, ind, Options{Depth: depth})
}

// RunOptions builds the report of an indicator. It searches the indicator's
// events; then, at each level of depth, the events of the IP addresses and
// sessions found so far (the events of those sessions join the report; the
// users acting on them are related users), and, below the last level, all
// the events of the related users found (who join the report's users) and
// of the indicator's own users (for an IP address or a session).
func RunOptions(ctx context.Context, s Searcher, ind Indicator, opts Options) (*Report, error) {
	if err := ind.Validate(); err != nil {
		return nil, err
	}
	r := newRun(s, ind, opts.withDefaults())
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	return r.report(), nil
}

// run is one scope in progress.
type run struct {
	s      Searcher
	ind    Indicator
	opts   Options
	events []*logevent.Event // the report's events, in arrival order
	have   map[string]bool   // uuids in events
	users  map[string]*person
	order  []string // user keys in order of discovery
	// pivoted holds the IP addresses and sessions already searched.
	pivoted     map[Link]bool
	queries     []string
	notFollowed int
}

// person is a user met by the scope.
type person struct {
	UserSummary
	via       map[Link]bool
	seen      map[string]bool // uuids of the user's events seen while pivoting
	principal bool            // one of the report's users
	read      bool            // all the user's events were searched
}

func newRun(s Searcher, ind Indicator, opts Options) *run {
	return &run{
		s: s, ind: ind, opts: opts, have: map[string]bool{},
		users: map[string]*person{}, pivoted: map[Link]bool{},
	}
}

func (r *run) run(ctx context.Context) error {
	if err := r.searchIndicator(ctx); err != nil {
		return err
	}
	for level := 1; level <= r.opts.Depth; level++ {
		if err := r.pivot(ctx, level); err != nil {
			return err
		}
		if level == r.opts.Depth {
			break
		}
		if err := r.follow(ctx, level); err != nil {
			return err
		}
	}
	return nil
}

// searchIndicator reads the indicator's events and marks its users.
func (r *run) searchIndicator(ctx context.Context) error {
	v := filter.Quote(r.ind.Value)
	var text string
	switch r.ind.Kind {
	case User:
		text = "actor.id eq " + v + " or target.id eq " + v + " or actor.alternateId eq " + v + " or target.alternateId eq " + v
	case IP:
		text = "client.ipAddress eq " + v
	default:
		text = "authenticationContext.externalSessionId eq " + v
	}
	return r.search(ctx, text, func(e *logevent.Event) error {
		r.add(e)
		for _, p := range r.indicatorUsers(e) {
			u := r.meet(p, 0)
			u.principal = true
			u.read = r.ind.Kind == User
		}
		return nil
	})
}

// indicatorUsers returns the users of an indicator's event: for a user, the
// actor or target it names; for an IP address or a session, the user acting.
func (r *run) indicatorUsers(e *logevent.Event) []logevent.Actor {
	if r.ind.Kind != User {
		if a, ok := actingUser(e); ok {
			return []logevent.Actor{a}
		}
		return nil
	}
	match := func(id, login string) bool { return id == r.ind.Value || login == r.ind.Value }
	if match(e.Actor.ID, e.Actor.AlternateID) {
		return []logevent.Actor{e.Actor}
	}
	for _, t := range e.Target {
		if match(t.ID, t.AlternateID) {
			return []logevent.Actor{{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID, DisplayName: t.DisplayName}}
		}
	}
	return nil
}

// pivot reads the events of the report's IP addresses and sessions not yet
// searched: events of those sessions join the report, and the users acting
// on them who are not the report's become related users at this level.
func (r *run) pivot(ctx context.Context, level int) error {
	links := r.frontier()
	if len(links) == 0 {
		return nil
	}
	sessions := map[string]bool{}
	for _, l := range links {
		r.pivoted[l] = true
		if l.Kind == Session {
			sessions[l.Value] = true
		}
	}
	return r.searchBatches(ctx, links, linkTerm, func(e *logevent.Event) error {
		r.pivotEvent(e, sessions, level)
		return nil
	})
}

// pivotEvent takes in one event found by a pivot: the event joins the
// report if it belongs to one of the sessions searched; its user, if not
// one of the report's, is a related user at this level.
func (r *run) pivotEvent(e *logevent.Event, sessions map[string]bool, level int) {
	id := e.AuthenticationContext.ExternalSessionID
	if sessions[id] {
		r.add(e)
	}
	a, ok := actingUser(e)
	if !ok {
		return
	}
	p := r.meet(a, level)
	if p.principal {
		return
	}
	p.seen[e.UUID] = true
	if ip := clientIP(e); ip != "" && r.pivoted[Link{IP, ip}] {
		p.via[Link{IP, ip}] = true
	}
	if sessions[id] {
		p.via[Link{Session, id}] = true
	}
}

// frontier returns the IP addresses and sessions of the report's users not
// yet searched, in order of appearance: the addresses they acted from, and
// the sessions of their events (an administrator acting on them brings
// neither).
func (r *run) frontier() []Link {
	var out []Link
	seen := map[Link]bool{}
	add := func(l Link) {
		if l.Value != "" && !r.pivoted[l] && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, e := range r.events {
		a, isUser := actingUser(e)
		own := isUser && r.isPrincipal(a)
		if own {
			add(Link{IP, clientIP(e)})
		}
		if own || !isUser {
			add(Link{Session, sessionID(e)})
		}
	}
	return out
}

// isPrincipal reports whether a user's events are in the report.
func (r *run) isPrincipal(a logevent.Actor) bool {
	key := a.ID
	if key == "" {
		key = a.AlternateID
	}
	p := r.users[key]
	return p != nil && p.principal
}

// follow reads the events of the related users met at this level (the most
// connected first, at most MaxFollow), who become the report's users, and
// those of the indicator's own users not read yet (the users of an IP
// address or a session).
func (r *run) follow(ctx context.Context, level int) error {
	var candidates, own []*person
	for _, key := range r.order {
		switch p := r.users[key]; {
		case p.principal && !p.read:
			own = append(own, p)
		case !p.principal && p.Depth == level && len(p.via) > 0:
			candidates = append(candidates, p)
		}
	}
	sort.SliceStable(candidates, func(i, j int) bool { return len(candidates[i].via) > len(candidates[j].via) })
	if len(candidates) > r.opts.MaxFollow {
		r.notFollowed += len(candidates) - r.opts.MaxFollow
		candidates = candidates[:r.opts.MaxFollow]
	}
	var links []Link
	for _, p := range own {
		p.read = true
		links = append(links, Link{User, p.ID})
	}
	for _, p := range candidates {
		p.principal, p.Followed, p.read = true, true, true
		links = append(links, Link{User, p.ID})
	}
	return r.searchBatches(ctx, links, linkTerm, func(e *logevent.Event) error {
		r.add(e)
		return nil
	})
}

// linkTerm is the filter of one IP address, session or user.
func linkTerm(l Link) string {
	v := filter.Quote(l.Value)
	switch l.Kind {
	case IP:
		return "client.ipAddress eq " + v
	case Session:
		return "authenticationContext.externalSessionId eq " + v
	}
	return "actor.id eq " + v + " or target.id eq " + v
}

// searchBatches searches the or-chain of the links' terms, BatchSize links
// at a time.
func (r *run) searchBatches(ctx context.Context, links []Link, term func(Link) string, fn func(*logevent.Event) error) error {
	for batch := range slices.Chunk(links, r.opts.BatchSize) {
		terms := make([]string, len(batch))
		for i, l := range batch {
			terms[i] = term(l)
		}
		if err := r.search(ctx, strings.Join(terms, " or "), fn); err != nil {
			return err
		}
	}
	return nil
}

// search parses the filter text (built from quoted values only) and runs it.
func (r *run) search(ctx context.Context, text string, fn func(*logevent.Event) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	expr, err := filter.Parse(text)
	if err != nil {
		return err
	}
	r.queries = append(r.queries, text)
	return r.s.Search(ctx, expr, fn)
}

// add puts an event in the report once.
func (r *run) add(e *logevent.Event) {
	if e == nil || r.have[e.UUID] {
		return
	}
	r.have[e.UUID] = true
	r.events = append(r.events, e)
}

// meet returns the person of a user, creating it at the given depth.
func (r *run) meet(a logevent.Actor, depth int) *person {
	key := a.ID
	if key == "" {
		key = a.AlternateID
	}
	p := r.users[key]
	if p == nil {
		p = &person{
			UserSummary: UserSummary{ID: a.ID, AlternateID: a.AlternateID, DisplayName: a.DisplayName, Depth: depth},
			via:         map[Link]bool{}, seen: map[string]bool{},
		}
		r.users[key] = p
		r.order = append(r.order, key)
	}
	if p.AlternateID == "" {
		p.AlternateID = a.AlternateID
	}
	if p.DisplayName == "" {
		p.DisplayName = a.DisplayName
	}
	return p
}

// report summarizes the run.
func (r *run) report() *Report {
	sort.SliceStable(r.events, func(i, j int) bool { return r.events[i].Time.Before(r.events[j].Time) })
	rep := &Report{Indicator: r.ind, Depth: r.opts.Depth, Events: len(r.events), Queries: r.queries, NotFollowed: r.notFollowed}
	if len(r.events) > 0 {
		rep.FirstSeen, rep.LastSeen = r.events[0].Time, r.events[len(r.events)-1].Time
	}
	r.summarizeUsers(rep)
	summarize(rep, r.events)
	rep.Timeline = timeline.Build(slices.Values(r.events), r.opts.Timeline)
	for _, fd := range rep.Timeline.Deviations() {
		rep.Deviations = append(rep.Deviations, Deviation{
			Deviation: fd.Deviation, FlowKind: fd.Flow.Kind, Session: fd.Flow.Session, User: userName(fd.Flow.Actor.AlternateID, fd.Flow.Actor.ID),
		})
	}
	return rep
}
