package scope

import (
	"cmp"
	"slices"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// sessionID returns the event's Okta session id, or "" for none or an API
// transaction (logevent's session rule).
func sessionID(e *logevent.Event) string { return e.SessionID() }

// userName is a login, else an id.
func userName(login, id string) string {
	if login != "" {
		return login
	}
	return id
}

// summarizeUsers fills Users and Related.
func (r *run) summarizeUsers(rep *Report) {
	counts := userEventCounts(r.events)
	for _, key := range r.order {
		p := r.users[key]
		u := p.UserSummary
		if p.principal {
			u.Events = eventsOf(counts, p.ID, p.AlternateID)
		} else {
			u.Events = p.eventsSeen()
		}
		for l := range p.via {
			u.Via = append(u.Via, l)
		}
		slices.SortFunc(u.Via, func(a, b Link) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
		})
		if u.Depth == 0 {
			rep.Users = append(rep.Users, u)
		} else {
			rep.Related = append(rep.Related, u)
		}
	}
	slices.SortFunc(rep.Related, func(a, b UserSummary) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(len(b.Via), len(a.Via)), cmp.Compare(b.Events, a.Events),
			cmp.Compare(a.AlternateID, b.AlternateID), cmp.Compare(a.ID, b.ID))
	})
}

// eventsSeen counts a related user's events seen on the shared addresses
// and sessions: those an IPUserFinder counted, and those read, once each.
func (p *person) eventsSeen() int {
	n := 0
	for _, c := range p.ipEvents {
		n += c
	}
	for _, ip := range p.seen {
		if _, counted := p.ipEvents[ip]; !counted {
			n++
		}
	}
	return n
}

// userEventCounts counts, for every id and login ("id:" or "login:" then
// the value), the events whose actor or a target has it.
func userEventCounts(events []*logevent.Event) map[string]int {
	counts := map[string]int{}
	var names []string
	for _, e := range events {
		names = names[:0]
		add := func(id, login string) {
			if id != "" {
				names = append(names, "id:"+id)
			}
			if login != "" {
				names = append(names, "login:"+login)
			}
		}
		add(e.Actor.ID, e.Actor.AlternateID)
		for _, t := range e.Target {
			add(t.ID, t.AlternateID)
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			counts[n]++
		}
	}
	return counts
}

// eventsOf is a user's count in userEventCounts: by id, or by login for a
// user known only by login.
func eventsOf(counts map[string]int, id, login string) int {
	if id != "" {
		return counts["id:"+id]
	}
	return counts["login:"+login]
}

// summarize fills the per-attribute sections of the report.
func summarize(rep *Report, events []*logevent.Event) {
	s := newSummaries()
	for _, e := range events {
		s.add(e)
	}
	rep.Sessions = s.sessionList()
	rep.Transactions = s.transactionList()
	rep.IPs = s.ipList()
	rep.UserAgents = sortedValues(s.agents, func(a, b *UserAgentSummary) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Raw, b.Raw))
	})
	rep.Devices = sortedValues(s.devices, func(a, b *DeviceSummary) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.ID+a.Name, b.ID+b.Name))
	})
	rep.Apps = sortedValues(s.apps, func(a, b *AppSummary) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Name, b.Name))
	})
	rep.EventTypes = counts(s.types)
	rep.Outcomes = counts(s.outcomes)
}

// summaries accumulates the sections of a report.
type summaries struct {
	sessions map[string]*sessionAcc
	trans    map[string]*sessionAcc // API transactions
	ips      map[string]*ipAcc
	agents   map[string]*UserAgentSummary
	devices  map[string]*DeviceSummary
	apps     map[string]*AppSummary
	types    map[string]int
	outcomes map[string]int
}

type sessionAcc struct {
	SessionSummary
	users, ips, agents set
}

type ipAcc struct {
	IPSummary
	users set
}

// set is a set of strings that remembers their order of insertion.
type set struct {
	in    map[string]bool
	order []string
}

func (s *set) add(v string) {
	if v == "" || s.in[v] {
		return
	}
	if s.in == nil {
		s.in = map[string]bool{}
	}
	s.in[v] = true
	s.order = append(s.order, v)
}

func newSummaries() *summaries {
	return &summaries{
		sessions: map[string]*sessionAcc{}, trans: map[string]*sessionAcc{}, ips: map[string]*ipAcc{},
		agents: map[string]*UserAgentSummary{}, devices: map[string]*DeviceSummary{},
		apps: map[string]*AppSummary{}, types: map[string]int{}, outcomes: map[string]int{},
	}
}

func (s *summaries) add(e *logevent.Event) {
	s.types[e.EventType]++
	s.outcomes[cmp.Or(e.Outcome.Result, "(none)")]++
	user := ""
	if a, ok := e.ActingUser(); ok {
		user = userName(a.AlternateID, a.ID)
	}
	s.addSession(e, user)
	s.addIP(e, user)
	s.addAgent(e)
	s.addDevice(e)
	s.addApps(e)
}

// addSession counts an event in its session, or in its API transaction
// (kept apart: not a session).
func (s *summaries) addSession(e *logevent.Event, user string) {
	m, id := s.sessions, sessionID(e)
	if id == "" {
		m, id = s.trans, e.APITransaction()
	}
	if id == "" {
		return
	}
	acc := m[id]
	if acc == nil {
		acc = &sessionAcc{SessionSummary: SessionSummary{ID: id, First: e.Time}}
		m[id] = acc
	}
	acc.Events++
	acc.Last = e.Time
	acc.users.add(user)
	if user != "" {
		acc.ips.add(e.ClientIP())
		acc.agents.add(e.Client.UserAgent.RawUserAgent)
	}
}

func (s *summaries) addIP(e *logevent.Event, user string) {
	ip := e.ClientIP()
	if ip == "" {
		return
	}
	acc := s.ips[ip]
	if acc == nil {
		g, sc := e.Client.GeographicalContext, e.SecurityContext
		acc = &ipAcc{IPSummary: IPSummary{
			Address: ip, City: g.City, State: g.State, Country: g.Country,
			ASN: int(sc.AsNumber.Value), ASOrg: sc.AsOrg, ISP: sc.ISP, Domain: sc.Domain,
			IsProxy: sc.IsProxy.Value, Zone: e.Client.Zone, First: e.Time,
		}}
		s.ips[ip] = acc
	}
	acc.Events++
	acc.Last = e.Time
	acc.users.add(user)
}

func (s *summaries) addAgent(e *logevent.Event) {
	ua := e.Client.UserAgent
	if ua.RawUserAgent == "" {
		return
	}
	acc := s.agents[ua.RawUserAgent]
	if acc == nil {
		acc = &UserAgentSummary{Raw: ua.RawUserAgent, OS: ua.OS, Browser: ua.Browser, Device: e.Client.Device}
		s.agents[ua.RawUserAgent] = acc
	}
	acc.Events++
}

func (s *summaries) addDevice(e *logevent.Event) {
	d := e.Device
	if d == nil || (d.ID == "" && d.Name == "") {
		return
	}
	key := d.ID + "\x00" + d.Name
	acc := s.devices[key]
	if acc == nil {
		acc = &DeviceSummary{ID: d.ID, Name: d.Name, Platform: d.OSPlatform, OSVersion: d.OSVersion,
			Managed: d.Managed.Value, Registered: d.Registered.Value}
		s.devices[key] = acc
	}
	acc.Events++
}

func (s *summaries) addApps(e *logevent.Event) {
	for _, t := range e.Target {
		if !strings.EqualFold(t.Type, "AppInstance") {
			continue
		}
		key := cmp.Or(t.ID, t.AlternateID, t.DisplayName)
		acc := s.apps[key]
		if acc == nil {
			acc = &AppSummary{ID: t.ID, Name: t.DisplayName, AlternateID: t.AlternateID}
			s.apps[key] = acc
		}
		acc.Events++
		switch e.EventType {
		case "user.authentication.sso":
			acc.Granted++
		case "application.policy.sign_on.deny_access":
			acc.Denied++
		}
	}
}

func (s *summaries) sessionList() []SessionSummary {
	var out []SessionSummary
	for _, acc := range s.sessions {
		acc.Users, acc.IPs, acc.UserAgents = acc.users.order, acc.ips.order, acc.agents.order
		out = append(out, acc.SessionSummary)
	}
	slices.SortFunc(out, func(a, b SessionSummary) int { return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.ID, b.ID)) })
	return out
}

func (s *summaries) transactionList() []TransactionSummary {
	out := []TransactionSummary{}
	for _, acc := range s.trans {
		out = append(out, TransactionSummary{ID: acc.ID, Users: acc.users.order, First: acc.First, Last: acc.Last, Events: acc.Events})
	}
	slices.SortFunc(out, func(a, b TransactionSummary) int { return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.ID, b.ID)) })
	return out
}

func (s *summaries) ipList() []IPSummary {
	var out []IPSummary
	for _, acc := range s.ips {
		acc.Users = acc.users.order
		out = append(out, acc.IPSummary)
	}
	slices.SortFunc(out, func(a, b IPSummary) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Address, b.Address))
	})
	return out
}

// sortedValues returns the values of m sorted by compare.
func sortedValues[T any](m map[string]*T, compare func(a, b *T) int) []T {
	ptrs := make([]*T, 0, len(m))
	for _, v := range m {
		ptrs = append(ptrs, v)
	}
	slices.SortFunc(ptrs, compare)
	out := make([]T, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out
}

// counts returns the counts most frequent first, ties by value.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for v, n := range m {
		out = append(out, Count{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
	return out
}
