package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
)

// timelineOptions are what timeline runs with.
type timelineOptions struct {
	io          IO
	openBackend backendOpener

	subject    reportSubject
	thresholds timeline.Options
	format     render.Format
}

func newTimelineCmd(f *factory, runF func(context.Context, *timelineOptions) error) *cobra.Command {
	opts := &timelineOptions{io: f.io, openBackend: f.openBackend, thresholds: timeline.DefaultOptions()}
	var (
		subject subjectFlags
		format  formatFlag
	)
	cmd := &cobra.Command{
		Use:   "timeline (--session ID | --user ID|LOGIN | --ip IP)",
		Short: "Put an indicator's events into the article's flows and flag what deviates",
		Long: `timeline groups the events of a session, a user or an IP address into the flows of
Okta's article (sign in to Okta, app sign-in, MFA, self-service password reset and unlock,
logout, MFA changes), labels each event with its step, and flags deviations: a flow that
stops early, steps out of order, MFA fatigue, a session used from a new IP/ASN/country/
user agent, a recovery followed by a factor change or sign-in from a new network, and
denials. Thresholds and their defaults are in docs/timeline.md.`,
		Example: `  oktascope timeline --session 102PsWdTl3yRHmX2pQe1CzKEw
  oktascope timeline --user alice@acme.example --since 2d --format html > alice.html
  oktascope timeline --ip 198.51.100.23 --fatigue-count 3 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.format, err = format.choose(f.io.Terminal); err != nil {
				return err
			}
			if err := opts.thresholds.Validate(); err != nil {
				return asUsage(err)
			}
			if opts.subject, err = subject.parse(f.now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTimeline(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	subject.register(fl)
	registerThresholds(fl, &opts.thresholds)
	format.register(fl, render.TimelineFormats())
	return cmd
}

var errNoEvents = errors.New("no events for this indicator in the store")

// runTimeline builds the indicator's timeline and writes it.
func runTimeline(ctx context.Context, opts *timelineOptions) error {
	return opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		ind, err := resolve(ctx, st, opts.subject.indicator)
		if err != nil {
			return err
		}
		expr, err := ind.Filter()
		if err != nil {
			return err
		}
		b := timeline.NewBuilder(opts.thresholds)
		n := 0
		err = st.Search(ctx, backend.Query{Filter: expr, Since: opts.subject.since, Until: opts.subject.until}, func(e *logevent.Event, _ backend.Cursor) error {
			b.Add(e)
			n++
			return nil
		})
		if err == nil && n == 0 {
			err = errNoEvents
		}
		if err != nil {
			return err
		}
		return render.WriteTimeline(opts.io.Out, opts.format, b.Finish(), render.Options{Width: opts.io.Width})
	})
}
