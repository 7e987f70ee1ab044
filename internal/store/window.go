package store

import (
	"context"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Window is the store seen through a time window: published in [Since,
// Until), a zero time leaving that side unbounded. It is the event source
// the analysis packages read (internal/scope's Searcher and IPUserFinder).
type Window struct {
	Store        *Store
	Since, Until time.Time
}

// Search calls fn with every event of the window matching f, in ascending
// published order.
func (w Window) Search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error {
	return w.Store.Search(ctx, Query{Filter: f, Since: w.Since, Until: w.Until}, fn)
}

// IPUsers calls fn with every user acting from one of the addresses in the
// window and the number of their events from it (see Store.IPUsers).
func (w Window) IPUsers(ctx context.Context, ips []string, fn func(ip string, user logevent.Actor, events int) error) error {
	return w.Store.IPUsers(ctx, ips, w.Since, w.Until, func(u IPUser) error { return fn(u.IP, u.User, u.Events) })
}
