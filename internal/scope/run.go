package scope

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Run builds the report of an indicator with default options and the given
// depth (see Options.Depth).
func Run(ctx context.Context, s Searcher, ind indicator.Indicator, depth int) (*Report, error) {
	return RunOptions(ctx, s, ind, Options{Depth: depth})
}

// RunOptions builds the report of an indicator. It searches the indicator's
// events; then, at each level of depth, the events of the IP addresses and
// sessions found so far (the events of those sessions join the report; the
// users acting on them are related users), and, below the last level, all
// the events of the related users found (who join the report's users) and
// of the indicator's own users (for an IP address or a session). A user
// indicator's value is an id: resolve a login first (indicator.Resolve).
func RunOptions(ctx context.Context, s Searcher, ind indicator.Indicator, opts Options) (*Report, error) {
	if err := ind.Validate(); err != nil {
		return nil, fmt.Errorf("scope: %w", err)
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
	ind    indicator.Indicator
	opts   Options
	events []*logevent.Event // the report's events, in arrival order
	have   map[string]bool   // uuids in events
	users  map[string]*person
	order  []string // user keys in order of discovery
	// pivoted holds the IP addresses and sessions already searched.
	pivoted map[Link]bool
	// linkUsers holds the keys of the users acting on each pivoted link.
	linkUsers   map[Link]map[string]bool
	queries     []string
	notFollowed int
	capped      bool // the report holds Options.MaxEvents events
}

// errCapped stops a search when the report is full.
var errCapped = errors.New("scope: the report holds its most events")

// person is a user met by the scope.
type person struct {
	UserSummary
	via      map[Link]bool
	seen     map[string]string // address of each event (by uuid) seen while pivoting
	ipEvents map[string]int    // events from each address, counted by an IPUserFinder
	// linkEvents counts the events seen on each shared link (for a user
	// not followed, the edges of the report's graph).
	linkEvents map[Link]int
	principal  bool // one of the report's users
	read       bool // all the user's events were searched
}

func newRun(s Searcher, ind indicator.Indicator, opts Options) *run {
	return &run{
		s: s, ind: ind, opts: opts, have: map[string]bool{},
		users: map[string]*person{}, pivoted: map[Link]bool{}, linkUsers: map[Link]map[string]bool{},
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
	f, err := r.ind.Filter()
	if err != nil {
		return err
	}
	return r.search(ctx, f, func(e *logevent.Event) error {
		if err := r.add(e); err != nil {
			return err
		}
		for _, p := range r.indicatorUsers(e) {
			u := r.meet(p, 0)
			u.principal = true
			u.read = r.ind.Kind == indicator.User
		}
		return nil
	})
}

// indicatorUsers returns the users of an indicator's event: for a user, the
// actor or target its id names; for an IP address or a session, the user
// acting.
func (r *run) indicatorUsers(e *logevent.Event) []logevent.Actor {
	if r.ind.Kind != indicator.User {
		if a, ok := e.ActingUser(); ok {
			return []logevent.Actor{a}
		}
		return nil
	}
	if e.Actor.ID == r.ind.Value {
		return []logevent.Actor{e.Actor}
	}
	for _, t := range e.Target {
		if t.ID == r.ind.Value {
			return []logevent.Actor{{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID, DisplayName: t.DisplayName}}
		}
	}
	return nil
}

// pivot reads the events of the report's IP addresses and sessions not yet
// searched: events of those sessions join the report, and the users acting
// on them who are not the report's become related users at this level.
// With an IPUserFinder, the addresses' users are listed without their
// events.
func (r *run) pivot(ctx context.Context, level int) error {
	links := r.frontier()
	if len(links) == 0 {
		return nil
	}
	sessions := map[string]bool{}
	var ips []string
	for _, l := range links {
		r.pivoted[l] = true
		switch l.Kind {
		case indicator.Session:
			sessions[l.Value] = true
		case indicator.IP:
			ips = append(ips, l.Value)
		}
	}
	finder, ok := r.s.(IPUserFinder)
	if ok {
		links = slices.DeleteFunc(links, func(l Link) bool { return l.Kind == indicator.IP })
		if err := r.findIPUsers(ctx, finder, ips, level); err != nil {
			return err
		}
	}
	terms, err := linkTerms(links)
	if err != nil {
		return err
	}
	return r.searchBatches(ctx, terms, r.readActors(), func(e *logevent.Event) error {
		return r.pivotEvent(e, sessions, level)
	})
}

// readActors is the filter of the events whose actor is a user whose events
// were all read: a pivot need not read them again (they are in the report,
// and their user is not a related one). Nil when there is none.
func (r *run) readActors() filter.Expr {
	var terms []filter.Expr
	for _, key := range r.order {
		if p := r.users[key]; p.read {
			if p.ID != "" {
				terms = append(terms, filter.Equal(indicator.ActorID, p.ID))
			} else {
				terms = append(terms, filter.Equal(actorLogin, p.AlternateID))
			}
		}
	}
	if len(terms) == 0 {
		return nil
	}
	return anyOf(terms)
}

// findIPUsers meets the users acting from the addresses, by batches; each
// batch is listed in the report's queries as the search it stands for.
func (r *run) findIPUsers(ctx context.Context, finder IPUserFinder, ips []string, level int) error {
	for batch := range slices.Chunk(ips, r.opts.BatchSize) {
		links := make([]Link, len(batch))
		for i, ip := range batch {
			links[i] = ipLink(ip)
		}
		terms, err := linkTerms(links)
		if err != nil {
			return err
		}
		r.queries = append(r.queries, anyOf(terms).String())
		err = finder.IPUsers(ctx, batch, func(ip string, a logevent.Actor, events int) error {
			r.onLink(ipLink(ip), a)
			if p := r.meet(a, level); !p.principal {
				p.ipEvents[ip] += events
				p.linkEvents[ipLink(ip)] += events
				p.via[ipLink(ip)] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// pivotEvent takes in one event found by a pivot: the event joins the
// report if it belongs to one of the sessions searched; its user, if not
// one of the report's, is a related user at this level.
func (r *run) pivotEvent(e *logevent.Event, sessions map[string]bool, level int) error {
	id := sessionID(e)
	if sessions[id] {
		if err := r.add(e); err != nil {
			return err
		}
	}
	a, ok := e.ActingUser()
	if !ok {
		return nil
	}
	ip := e.ClientIP()
	if r.pivoted[ipLink(ip)] {
		r.onLink(ipLink(ip), a)
	}
	if sessions[id] {
		r.onLink(sessionLink(id), a)
	}
	p := r.meet(a, level)
	if p.principal {
		return nil
	}
	_, again := p.seen[e.UUID]
	p.seen[e.UUID] = ip
	if ip != "" && r.pivoted[ipLink(ip)] {
		p.via[ipLink(ip)] = true
		if _, counted := p.ipEvents[ip]; !counted && !again {
			p.linkEvents[ipLink(ip)]++
		}
	}
	if sessions[id] {
		p.via[sessionLink(id)] = true
		if !again {
			p.linkEvents[sessionLink(id)]++
		}
	}
	return nil
}

// onLink records a user acting on a pivoted link.
func (r *run) onLink(l Link, a logevent.Actor) {
	users := r.linkUsers[l]
	if users == nil {
		users = map[string]bool{}
		r.linkUsers[l] = users
	}
	users[a.Key()] = true
}

// shared reports whether a link has more users than Options.MaxShared.
func (r *run) shared(l Link) bool {
	return r.opts.MaxShared >= 0 && len(r.linkUsers[l]) > r.opts.MaxShared
}

// specificity weighs how closely a related user is tied to the report's
// users: each link shared with them counts one over its number of users,
// links too shared to follow through nothing.
func (r *run) specificity(p *person) float64 {
	w := 0.0
	for l := range p.via {
		if n := len(r.linkUsers[l]); n > 0 && !r.shared(l) {
			w += 1 / float64(n)
		}
	}
	return w
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
		a, isUser := e.ActingUser()
		own := isUser && r.isPrincipal(a)
		ip, session := ipLink(e.ClientIP()), sessionLink(sessionID(e))
		if own {
			add(ip)
			add(session)
			// The report's users count among a link's users; a pivot's
			// search leaves out the events of those already read.
			for _, l := range []Link{ip, session} {
				if seen[l] {
					r.onLink(l, a)
				}
			}
		} else if !isUser {
			add(session)
		}
	}
	return out
}

// isPrincipal reports whether a user's events are in the report.
func (r *run) isPrincipal(a logevent.Actor) bool {
	p := r.users[a.Key()]
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
		case !p.principal && p.Depth == level && r.specificity(p) > 0:
			candidates = append(candidates, p)
		}
	}
	slices.SortStableFunc(candidates, func(a, b *person) int {
		return cmp.Or(cmp.Compare(r.specificity(b), r.specificity(a)), cmp.Compare(b.eventsSeen(), a.eventsSeen()),
			cmp.Compare(a.ID+a.AlternateID, b.ID+b.AlternateID))
	})
	if len(candidates) > r.opts.MaxFollow {
		r.notFollowed += len(candidates) - r.opts.MaxFollow
		candidates = candidates[:r.opts.MaxFollow]
	}
	for _, p := range own {
		p.read = true
	}
	for _, p := range candidates {
		p.principal, p.Followed, p.read = true, true, true
	}
	terms, err := userTerms(append(own, candidates...))
	if err != nil {
		return err
	}
	return r.searchBatches(ctx, terms, nil, r.add)
}

// sortEvents orders the report's events by time, then uuid.
func (r *run) sortEvents() {
	slices.SortStableFunc(r.events, func(a, b *logevent.Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.UUID, b.UUID))
	})
}

// searchBatches searches the or-chain of the terms, BatchSize terms at a
// time, leaving out the events that except matches (if not nil).
func (r *run) searchBatches(ctx context.Context, terms []filter.Expr, except filter.Expr, fn func(*logevent.Event) error) error {
	for batch := range slices.Chunk(terms, r.opts.BatchSize) {
		f := anyOf(batch)
		if except != nil {
			f = &filter.And{Terms: []filter.Expr{f, &filter.Not{X: except}}}
		}
		if err := r.search(ctx, f, fn); err != nil {
			return err
		}
	}
	return nil
}

// search runs a filter and lists it in the report's queries; once the
// report is full (Options.MaxEvents), it runs nothing.
func (r *run) search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.capped {
		return nil
	}
	r.queries = append(r.queries, f.String())
	err := r.s.Search(ctx, f, fn)
	if errors.Is(err, errCapped) {
		return nil
	}
	return err
}

// add puts an event in the report once, as a compact copy: a report can
// hold tens of thousands. It returns errCapped, which stops the search,
// when the report is full.
func (r *run) add(e *logevent.Event) error {
	if e == nil || r.have[e.UUID] {
		return nil
	}
	if r.opts.MaxEvents >= 0 && len(r.events) >= r.opts.MaxEvents {
		r.capped = true
		return errCapped
	}
	r.have[e.UUID] = true
	r.events = append(r.events, e.Compact())
	return nil
}

// meet returns the person of a user, creating it at the given depth.
func (r *run) meet(a logevent.Actor, depth int) *person {
	key := a.Key()
	p := r.users[key]
	if p == nil {
		p = &person{
			UserSummary: UserSummary{ID: a.ID, AlternateID: a.AlternateID, DisplayName: a.DisplayName, Depth: depth},
			via:         map[Link]bool{}, seen: map[string]string{}, ipEvents: map[string]int{}, linkEvents: map[Link]int{},
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
	r.sortEvents()
	rep := &Report{Indicator: r.ind, Depth: r.opts.Depth, Events: len(r.events), Queries: r.queries, NotFollowed: r.notFollowed}
	if r.capped {
		rep.CappedAt = r.opts.MaxEvents
	}
	if len(r.events) > 0 {
		rep.FirstSeen, rep.LastSeen = r.events[0].Time, r.events[len(r.events)-1].Time
	}
	r.summarizeUsers(rep)
	rep.Shared = r.sharedLinks()
	summarize(rep, r.events)
	rep.Timeline = timeline.Build(slices.Values(r.events), r.opts.Timeline)
	for _, fd := range rep.Timeline.Deviations() {
		rep.Deviations = append(rep.Deviations, Deviation{
			Deviation: fd.Deviation, FlowKind: fd.Flow.Kind, Session: fd.Flow.Session, User: userName(fd.Flow.Actor.AlternateID, fd.Flow.Actor.ID),
		})
	}
	rep.Graph = r.graph(rep)
	return rep
}

// sharedLinks lists the links too shared to follow through, most users
// first.
func (r *run) sharedLinks() []SharedLink {
	var out []SharedLink
	for l, users := range r.linkUsers {
		if r.shared(l) {
			out = append(out, SharedLink{Link: l, Users: len(users)})
		}
	}
	slices.SortFunc(out, func(a, b SharedLink) int {
		return cmp.Or(cmp.Compare(b.Users, a.Users), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return out
}
