package backend

import (
	"context"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Window is a Reader seen through a time window: published in [Since,
// Until), a zero time leaving that side unbounded. It is the event source
// the analysis packages read (internal/scope's Searcher and IPUserFinder),
// so that they know nothing of queries and cursors.
type Window struct {
	Reader       Reader
	Since, Until time.Time
}

// Search calls fn with every event of the window matching f, oldest first.
func (w Window) Search(ctx context.Context, f filter.Expr, fn func(*logevent.Event) error) error {
	q := Query{Filter: f, Since: w.Since, Until: w.Until}
	return w.Reader.Search(ctx, q, func(e *logevent.Event, _ Cursor) error { return fn(e) })
}

// IPUsers calls fn with every user acting from one of the addresses in the
// window and the number of their events from it (see Reader.IPUsers).
func (w Window) IPUsers(ctx context.Context, ips []string, fn func(ip string, user logevent.Actor, events int) error) error {
	return w.Reader.IPUsers(ctx, ips, w.Since, w.Until, func(u IPUser) error { return fn(u.IP, u.User, u.Events) })
}
