package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/timeline"
)

func (a *app) timelineCommand() *cobra.Command {
	var (
		ind        indicatorFlags
		thresholds thresholdFlags
		format     string
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
			format, err := a.format(render.TimelineFormats(), format)
			if err != nil {
				return err
			}
			opts, err := thresholds.options()
			if err != nil {
				return err
			}
			tl, err := a.buildTimeline(cmd.Context(), &ind, opts)
			if err != nil {
				return err
			}
			return render.WriteTimeline(a.io.Out, format, tl, render.Options{Width: a.io.Width})
		},
	}
	ind.register(cmd)
	thresholds.register(cmd)
	cmd.Flags().StringVar(&format, "format", "", render.TimelineFormats().Help())
	return cmd
}

func (a *app) buildTimeline(ctx context.Context, flags *indicatorFlags, opts timeline.Options) (timeline.Timeline, error) {
	ind, err := flags.indicator()
	if err != nil {
		return timeline.Timeline{}, err
	}
	since, until, err := flags.window(time.Now())
	if err != nil {
		return timeline.Timeline{}, err
	}
	st, err := a.openStore()
	if err != nil {
		return timeline.Timeline{}, err
	}
	defer st.Close()
	if ind, err = resolve(ctx, st, ind); err != nil {
		return timeline.Timeline{}, err
	}
	expr, err := ind.Filter()
	if err != nil {
		return timeline.Timeline{}, err
	}
	b := timeline.NewBuilder(opts)
	n := 0
	err = st.Search(ctx, store.Query{Filter: expr, Since: since, Until: until}, func(e *logevent.Event) error {
		b.Add(e)
		n++
		return nil
	})
	if err == nil && n == 0 {
		err = errNoEvents
	}
	return b.Finish(), err
}
