// Package scope expands one indicator (a user, an IP address or an external
// session) into everything it touches in the System Log: its events,
// sessions, IP addresses (with place and network), user agents, devices and
// apps, the other users seen on the same IP addresses or sessions (followed
// in turn at greater depths), counts by event type and outcome, first and
// last seen, and the deviations of the timeline of those events
// (internal/timeline). The report is data: internal/render writes it as
// text for a terminal, Markdown, HTML or JSON (docs/scope.md).
//
// Scope reads events through a Searcher (the store's Window); it runs few
// searches (two per level of depth), batching values in or-chains of
// filters built with filter.Quote. Pivots through IP addresses only need
// the users acting from them: an IPUserFinder answers those without reading
// the addresses' events.
package scope

import (
	"context"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Searcher finds events: it calls fn with every event matching f, in
// ascending published order, and stops at the first error fn returns.
type Searcher interface {
	Search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error
}

// IPUserFinder is a Searcher that also lists the users acting from IP
// addresses, and how many events each has from each address, without
// reading those events: the store keeps that summary. Scope pivots through
// IP addresses with it when the Searcher has it; a shared office address
// can have hundreds of thousands of events.
type IPUserFinder interface {
	Searcher
	// IPUsers calls fn with each user (actor of type User) acting from one
	// of the addresses and the number of its events from that address.
	IPUsers(ctx context.Context, ips []string, fn func(ip string, user logevent.Actor, events int) error) error
}

// Options tune a scope. The zero value is usable.
type Options struct {
	// Depth is how many times to pivot through shared IP addresses and
	// sessions (default 1: the indicator's events and the users seen with
	// them; 2 also reads those users' events and the users seen with them).
	// At most MaxDepth.
	Depth int
	// MaxFollow is the most related users whose events are read at each
	// level beyond the first (default 50); the others are still listed.
	MaxFollow int
	// MaxShared is the most users an IP address or a session may have and
	// still be followed through (default DefaultMaxShared; negative: no
	// limit). An address with more users is a NAT, a proxy or a VPN exit:
	// sharing it says little about who works with whom. Users reached only
	// through such shared links are listed, not followed.
	MaxShared int
	// BatchSize is the most values one search names (default 500); more
	// values take more searches.
	BatchSize int
	// MaxEvents is the most events the report holds (default
	// DefaultMaxEvents; negative: no limit), which bounds a scope's memory
	// and time whatever the indicator: the office address of a whole
	// company can have hundreds of thousands of events. A scope that
	// reaches it stops reading events there (Report.CappedAt says so); the
	// users of IP addresses still come from the store's summary.
	MaxEvents int
	// GraphNodes is the most nodes of the report's Graph (default
	// DefaultGraphNodes); the others are counted in one node per kind.
	GraphNodes int
	// Timeline holds the thresholds of the deviation rules.
	Timeline timeline.Options
}

// MaxDepth is the deepest scope Run follows.
const MaxDepth = 5

// The defaults of Options.
const (
	DefaultDepth     = 1
	DefaultMaxFollow = 50
	DefaultMaxShared = 25
	DefaultBatchSize = 500
	// DefaultMaxEvents keeps a report within a few hundred MB and seconds
	// (docs/scope.md).
	DefaultMaxEvents = 100_000
)

func (o Options) withDefaults() Options {
	if o.Depth <= 0 {
		o.Depth = DefaultDepth
	}
	o.Depth = min(o.Depth, MaxDepth)
	if o.MaxFollow <= 0 {
		o.MaxFollow = DefaultMaxFollow
	}
	if o.MaxShared == 0 {
		o.MaxShared = DefaultMaxShared
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if o.GraphNodes <= 0 {
		o.GraphNodes = DefaultGraphNodes
	}
	o.Timeline = o.Timeline.WithDefaults()
	return o
}

// Report is everything tied to an indicator.
type Report struct {
	Indicator indicator.Indicator // what the scope started from
	Depth     int                 // the depth followed (Options.Depth)
	// Events is the number of events in the report: the indicator's, those
	// of its sessions, and those of the users followed.
	Events int
	// FirstSeen and LastSeen are the times of the first and last of them.
	FirstSeen, LastSeen time.Time
	// Users are the indicator's users (depth 0): the user itself, or the
	// users acting from the IP address or in the session.
	Users []UserSummary
	// Related are the other users seen on the same IP addresses or
	// sessions, by depth; those with Followed set have their events in the
	// report.
	Related  []UserSummary
	Sessions []SessionSummary // by first event
	// Transactions are the API transactions: requests made outside any
	// session, whose externalSessionId Okta fills with a "trs…" id
	// (logevent's session rule); not sessions, and not pivoted on. By
	// first event.
	Transactions []TransactionSummary
	IPs          []IPSummary        // most events first
	UserAgents   []UserAgentSummary // most events first
	Devices      []DeviceSummary    // most events first
	Apps         []AppSummary       // most events first
	// EventTypes and Outcomes count the report's events, most frequent first.
	EventTypes, Outcomes []Count
	// Deviations are those of the timeline of the report's events.
	Deviations []Deviation
	// Queries are the filters searched, in order (Okta filter syntax).
	Queries []string
	// NotFollowed counts related users left unfollowed by Options.MaxFollow.
	NotFollowed int
	// CappedAt is Options.MaxEvents when the scope reached it (else 0): the
	// report holds the first events read (the indicator's, oldest first,
	// then its pivots'), and no search ran after.
	CappedAt int
	// Shared are the IP addresses and sessions with more users than
	// Options.MaxShared, most users first: no user is followed through them.
	Shared []SharedLink
	// Graph is the report drawn as a graph, capped at Options.GraphNodes
	// nodes.
	Graph Graph
	// Timeline is the timeline of the report's events (not part of the
	// report's outputs; a caller may write it too).
	Timeline timeline.Timeline
}

// UserSummary is a user of the report.
type UserSummary struct {
	ID          string // Okta user id
	AlternateID string // login
	DisplayName string // name
	// Depth is 0 for the indicator's users, n for a user reached through
	// shared IP addresses or sessions at the n-th pivot.
	Depth int
	// Followed reports whether the user's events are in the report.
	Followed bool
	// Events counts the user's events seen: in the report, or, for a user
	// not followed, on the shared IP addresses and sessions.
	Events int
	// Via lists the IP addresses and sessions shared with the report's
	// users (empty at depth 0).
	Via []Link
}

// Link is an IP address or session through which a user was reached: an
// indicator of kind ip or session.
type Link = indicator.Indicator

// SharedLink is an IP address or session shared by many users.
type SharedLink struct {
	Link
	Users int // users acting on it
}

// SessionSummary is an external session of the report.
type SessionSummary struct {
	ID          string    // externalSessionId
	Users       []string  // logins (or ids) of the users acting in it
	First, Last time.Time // its first and last events in the report
	Events      int       // its events in the report
	IPs         []string  // addresses its users acted from
	UserAgents  []string  // user agents its users acted with
}

// TransactionSummary is an API transaction of the report: an
// externalSessionId that names a request, not a session.
type TransactionSummary struct {
	ID          string    // the externalSessionId ("trs…")
	Users       []string  // logins (or ids) of the users acting in it
	First, Last time.Time // its first and last events in the report
	Events      int       // its events in the report
}

// IPSummary is a client IP address of the report, with its place and
// network as Okta enriched it in the events.
type IPSummary struct {
	Address              string    // client.ipAddress
	City, State, Country string    // client.geographicalContext
	ASN                  int       // securityContext.asNumber, 0 when unknown
	ASOrg, ISP, Domain   string    // securityContext.asOrg, isp, domain
	IsProxy              bool      // securityContext.isProxy
	Zone                 string    // client.zone: the Okta network zone
	Events               int       // events from the address
	First, Last          time.Time // first and last seen
	Users                []string  // logins (or ids) of the users acting from it
}

// UserAgentSummary is a client user agent of the report.
type UserAgentSummary struct {
	Raw     string // client.userAgent.rawUserAgent
	OS      string // as Okta parsed it
	Browser string // as Okta parsed it
	Device  string // client.device: Computer, Mobile, …
	Events  int    // events with it
}

// DeviceSummary is a device (the event's device object) of the report.
type DeviceSummary struct {
	ID, Name            string // device.id, device.name
	Platform, OSVersion string // device.os_platform, device.os_version
	Managed, Registered bool   // device.managed, device.registered
	Events              int    // events naming it
}

// AppSummary is an application (a target of type AppInstance).
type AppSummary struct {
	ID          string // 0oa…
	Name        string // displayName (the app's label)
	AlternateID string // the app's integration name
	Events      int    // events targeting it
	// Granted and Denied count user.authentication.sso and
	// application.policy.sign_on.deny_access events.
	Granted, Denied int
}

// Count is a value and how many events have it.
type Count struct {
	Value string // an event type or outcome
	Count int    // events with it
}

// Deviation is a deviation of the report's timeline and the flow it was
// found in.
type Deviation struct {
	timeline.Deviation
	FlowKind timeline.Kind // the flow's kind
	Session  string        // the flow's session, if any
	User     string        // login (or id) of the flow's user
}
