package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/histogram"
	"github.com/oktascope/oktascope/internal/render"
)

// statsOptions are what stats runs with.
type statsOptions struct {
	io          IO
	openBackend backendOpener

	query   backend.Query // its filter, keywords and window
	buckets int
	format  render.Format
}

func newStatsCmd(f *factory, runF func(context.Context, *statsOptions) error) *cobra.Command {
	opts := &statsOptions{io: f.io, openBackend: f.openBackend}
	var (
		format   formatFlag
		window   windowFlags
		keywords string
	)
	cmd := &cobra.Command{
		Use:   "stats [FILTER]",
		Short: "Count the events that match a filter over time (a histogram)",
		Long: `stats counts the events matching an Okta System Log filter (no filter: every
event) in consecutive intervals of time of a round width (a minute, an hour, a day…),
at most --buckets of them, over --since to --until or, with a side left open, the
first or last matching event: the web UI's histogram, for the terminal or a program.`,
		Example: `  oktascope stats
  oktascope stats 'eventType eq "user.session.start" and outcome.result eq "FAILURE"' --since 7d
  oktascope stats --buckets 24 --since 2025-03-05 --until 2025-03-06 --format csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.query.Filter, err = filter.Parse(strings.Join(args, " ")); err != nil {
				return err
			}
			if opts.format, err = format.choose(f.io.Terminal); err != nil {
				return err
			}
			if opts.query.Since, opts.query.Until, err = window.parse(f.now()); err != nil {
				return err
			}
			if opts.query.Keywords, err = filter.ParseKeywords(keywords); err != nil {
				return asUsage(err)
			}
			if opts.buckets < 1 || opts.buckets > backend.MaxBuckets {
				return usageError("--buckets %d: want 1 to %d", opts.buckets, backend.MaxBuckets)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runStats(cmd.Context(), opts)
		},
	}
	format.register(cmd.Flags(), render.HistogramFormats())
	window.register(cmd.Flags())
	cmd.Flags().StringVar(&keywords, "q", "", "keyword search, as Okta's q parameter: every keyword must occur")
	cmd.Flags().IntVar(&opts.buckets, "buckets", histogram.MaxBuckets, "the most intervals to count")
	return cmd
}

func runStats(ctx context.Context, opts *statsOptions) error {
	return opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		h, err := histogram.Count(ctx, st, opts.query, opts.buckets, 0)
		if err != nil {
			return err
		}
		return render.Histogram(opts.io.Out, h, opts.format)
	})
}
