package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// indicatorFlags name one user, IP or session, as timeline and scope take.
type indicatorFlags struct {
	user, ip, session string
	since, until      string
}

func (f *indicatorFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.user, "user", "", "Okta user id (00u…) or login")
	fl.StringVar(&f.ip, "ip", "", "client IP address")
	fl.StringVar(&f.session, "session", "", "external session id")
	fl.StringVar(&f.since, "since", "", "from this time on: RFC 3339, a date, or a duration ago (90m, 24h, 7d)")
	fl.StringVar(&f.until, "until", "", "before this time: RFC 3339, a date, or a duration ago")
}

// indicator returns the one indicator given.
func (f *indicatorFlags) indicator() (scope.Indicator, error) {
	var given []scope.Indicator
	for kind, v := range map[scope.Kind]string{scope.User: f.user, scope.IP: f.ip, scope.Session: f.session} {
		if v != "" {
			given = append(given, scope.Indicator{Kind: kind, Value: v})
		}
	}
	if len(given) != 1 {
		return scope.Indicator{}, usageError("give exactly one of --user, --ip or --session")
	}
	return given[0], nil
}

func (f *indicatorFlags) window(now time.Time) (since, until time.Time, err error) {
	if since, err = parseTimeFlag("since", f.since, now); err != nil {
		return
	}
	until, err = parseTimeFlag("until", f.until, now)
	return
}

// thresholdFlags set the timeline's deviation thresholds (docs/timeline.md).
type thresholdFlags struct{ opts timeline.Options }

func (t *thresholdFlags) register(cmd *cobra.Command) {
	t.opts = timeline.DefaultOptions()
	fl := cmd.Flags()
	fl.IntVar(&t.opts.FatigueCount, "fatigue-count", t.opts.FatigueCount, "MFA challenges to one user that make fatigue")
	fl.DurationVar(&t.opts.FatigueWindow, "fatigue-window", t.opts.FatigueWindow, "window of the fatigue count")
	fl.DurationVar(&t.opts.RecoveryWindow, "recovery-window", t.opts.RecoveryWindow, "how long after a reset or unlock a new network is a takeover")
	fl.DurationVar(&t.opts.JoinWindow, "join-window", t.opts.JoinWindow, "how far apart events without a session may join one flow")
}

func (t *thresholdFlags) options() (timeline.Options, error) {
	if err := t.opts.Validate(); err != nil {
		return t.opts, &ExitError{Code: ExitUsage, Err: err}
	}
	return t.opts, nil
}

// indicatorFilter is the filter of every event of an indicator; a login is
// resolved to the user's id first.
func indicatorFilter(ctx context.Context, st backend.Reader, ind scope.Indicator) (filter.Expr, error) {
	switch ind.Kind {
	case scope.IP:
		return filter.Parse("client.ipAddress eq " + filter.Quote(ind.Value))
	case scope.Session:
		return filter.Parse("authenticationContext.externalSessionId eq " + filter.Quote(ind.Value))
	}
	id, err := resolveUser(ctx, st, ind.Value)
	if err != nil {
		return nil, err
	}
	q := filter.Quote(id)
	return filter.Parse("actor.id eq " + q + " or target.id eq " + q)
}

// checkFormat accepts one of the formats a report command writes.
func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usageError("--format %q: want one of %v", format, allowed)
}

// defaultTextFormat is "text" on a terminal and "json" when piped.
func (a *app) defaultTextFormat(format string) string {
	if format != "" {
		return format
	}
	if a.io.Terminal {
		return "text"
	}
	return "json"
}

var errNoEvents = fmt.Errorf("no events for this indicator in the store")
