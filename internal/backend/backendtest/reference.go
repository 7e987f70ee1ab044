package backendtest

import (
	"slices"
	"sort"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Reference is the storage contract evaluated in memory: fed the same
// Insert calls as a backend, it says what the backend must answer. It
// holds the first event of each uuid, in the order of insertion, and
// evaluates filters with filter.Compile.
type Reference struct {
	events []refEvent          // first of each uuid, in insertion order
	byUUID map[string]refEvent // the same, by uuid
	calls  int                 // Insert calls so far
}

// refEvent is a held event and the Insert call that stored it.
type refEvent struct {
	e    *logevent.Event
	call int
}

// NewReference returns an empty reference.
func NewReference() *Reference { return &Reference{byUUID: map[string]refEvent{}} }

// Insert records one Insert call and returns the result a backend must
// return for it: an event whose uuid is held (or came earlier in the call)
// is a duplicate when backend.SameContent says so, else a conflict.
func (r *Reference) Insert(events []*logevent.Event) backend.InsertResult {
	r.calls++
	var res backend.InsertResult
	for i, e := range events {
		held, ok := r.byUUID[e.UUID]
		switch {
		case !ok:
			re := refEvent{e: e, call: r.calls}
			r.events = append(r.events, re)
			r.byUUID[e.UUID] = re
			res.Inserted++
		case backend.SameContent(held.e.Raw, e.Raw):
			res.Duplicates++
		default:
			res.Conflicts = append(res.Conflicts, backend.Conflict{Index: i, Stored: held.e.Raw})
		}
	}
	return res
}

// Held returns the event held under uuid, or nil.
func (r *Reference) Held(uuid string) *logevent.Event { return r.byUUID[uuid].e }

// Len is the number of events held.
func (r *Reference) Len() int { return len(r.events) }

// Matches returns every event matching q's filter, keywords and window
// (After and Limit aside), in q's order: by published, ties in insertion
// order, or by insertion; reversed when q.Desc.
func (r *Reference) Matches(q backend.Query) []*logevent.Event {
	m := filter.Compile(q.Filter)
	var out []*logevent.Event
	for _, re := range r.events {
		if inWindow(re.e.Time, q.Since, q.Until) && m.Match(re.e) && q.Keywords.Match(re.e) {
			out = append(out, re.e)
		}
	}
	if q.Order == backend.ByPublished {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	}
	if q.Desc {
		slices.Reverse(out)
	}
	return out
}

// inWindow reports whether t is in [since, until), a zero time leaving
// that side open.
func inWindow(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}

// rank is an event's place in an order, up to ties: its published
// instant for ByPublished, the Insert call that stored it for ByReceived
// (a backend may order the events of one call as it likes).
func (r *Reference) rank(o backend.Order, e *logevent.Event) int64 {
	if o == backend.ByReceived {
		return int64(r.byUUID[e.UUID].call)
	}
	return e.Time.UnixNano()
}

// Histogram counts the matches of q in b's buckets.
func (r *Reference) Histogram(q backend.Query, b backend.Buckets) []int {
	q.Order, q.Desc = backend.ByPublished, false
	counts := make([]int, b.N)
	for _, e := range r.Matches(q) {
		if i, ok := b.Index(e.Time); ok {
			counts[i]++
		}
	}
	return counts
}

// Stats returns what Reader.Stats must.
func (r *Reference) Stats() backend.Stats {
	var st backend.Stats
	for _, re := range r.events {
		t := re.e.Time
		if st.Events == 0 || t.Before(st.First) {
			st.First = t
		}
		if st.Events == 0 || t.After(st.Last) {
			st.Last = t
		}
		st.Events++
	}
	return st
}

// EventTypeCounts returns what Reader.EventTypeCounts must.
func (r *Reference) EventTypeCounts() []backend.TypeCount {
	n := map[string]int{}
	for _, re := range r.events {
		n[re.e.EventType]++
	}
	var out []backend.TypeCount
	for t, c := range n {
		out = append(out, backend.TypeCount{EventType: t, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].EventType < out[j].EventType
	})
	return out
}

// ResolveUser returns what Reader.ResolveUser must for login.
func (r *Reference) ResolveUser(login string) []backend.UserRef {
	refs := map[string]*backend.UserRef{}
	ref := func(id string) *backend.UserRef {
		if refs[id] == nil {
			refs[id] = &backend.UserRef{ID: id}
		}
		return refs[id]
	}
	for _, re := range r.events {
		e := re.e
		if login != "" && e.Actor.AlternateID == login && e.Actor.ID != "" {
			ref(e.Actor.ID).ActorEvents++
		}
		seen := map[string]bool{}
		for _, t := range e.Target {
			if login != "" && t.AlternateID == login && t.ID != "" && t.Type == "User" && !seen[t.ID] {
				seen[t.ID] = true
				ref(t.ID).TargetEvents++
			}
		}
	}
	out := []backend.UserRef{}
	for _, u := range refs {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		ni, nj := out[i].ActorEvents+out[i].TargetEvents, out[j].ActorEvents+out[j].TargetEvents
		if ni != nj {
			return ni > nj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// IPUserKey names one answer of IPUsers: an address and a user (actor.id,
// else actor.alternateId).
type IPUserKey struct{ IP, User string }

// IPUsers returns what Reader.IPUsers must for every address, in
// [since, until): a user's id and login are the greatest seen over all the
// events held (not only the window's); the display name is left empty, as
// SameIPUser ignores it.
func (r *Reference) IPUsers(since, until time.Time) map[IPUserKey]backend.IPUser {
	out := map[IPUserKey]backend.IPUser{}
	ids := map[IPUserKey]logevent.Actor{}
	for _, re := range r.events {
		e := re.e
		a, ok := e.ActingUser()
		ip := e.ClientIP()
		if !ok || ip == "" {
			continue
		}
		k := IPUserKey{ip, a.Key()}
		id := ids[k]
		ids[k] = logevent.Actor{ID: max(id.ID, a.ID), AlternateID: max(id.AlternateID, a.AlternateID)}
		if !inWindow(e.Time, since, until) {
			continue
		}
		u, ok := out[k]
		if !ok {
			u = backend.IPUser{IP: ip, First: e.Time, Last: e.Time}
		}
		u.Events++
		if e.Time.Before(u.First) {
			u.First = e.Time
		}
		if e.Time.After(u.Last) {
			u.Last = e.Time
		}
		out[k] = u
	}
	for k, u := range out {
		u.User = ids[k]
		out[k] = u
	}
	return out
}

// SameIPUser compares the fields IPUsers fills, but the display name.
func SameIPUser(a, b backend.IPUser) bool {
	return a.IP == b.IP && a.User.ID == b.User.ID && a.User.AlternateID == b.User.AlternateID &&
		a.Events == b.Events && a.First.Equal(b.First) && a.Last.Equal(b.Last)
}
