package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/render"
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
func (f *indicatorFlags) indicator() (indicator.Indicator, error) {
	var given []indicator.Indicator
	for _, ind := range []indicator.Indicator{{Kind: indicator.User, Value: f.user}, {Kind: indicator.IP, Value: f.ip}, {Kind: indicator.Session, Value: f.session}} {
		if ind.Value != "" {
			given = append(given, ind)
		}
	}
	if len(given) != 1 {
		return indicator.Indicator{}, usageError("give exactly one of --user, --ip or --session")
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

// resolve resolves a user indicator's login to the user's id
// (indicator.Resolve), listing the candidates when a login names several.
func resolve(ctx context.Context, r indicator.Resolver, ind indicator.Indicator) (indicator.Indicator, error) {
	resolved, err := indicator.Resolve(ctx, r, ind)
	var userErr *indicator.UserError
	if !errors.As(err, &userErr) || len(userErr.Candidates) == 0 {
		return resolved, err
	}
	var b strings.Builder
	for _, r := range userErr.Candidates {
		fmt.Fprintf(&b, "\n  %s  (%d events as actor, %d as target)", render.Terminal(r.ID), r.ActorEvents, r.TargetEvents)
	}
	return resolved, fmt.Errorf("%w:%s", err, b.String())
}

// format chooses the output format from a --format value: one of the
// formats, the first by default on a terminal, the second when piped
// (render.Formats).
func (a *app) format(formats render.Formats, value string) (render.Format, error) {
	f, err := formats.Choose(value, a.io.Terminal)
	if err != nil {
		return "", &ExitError{Code: ExitUsage, Err: err}
	}
	return f, nil
}

var errNoEvents = fmt.Errorf("no events for this indicator in the store")
