package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
)

// searchOptions are what search runs with.
type searchOptions struct {
	io          IO
	openBackend backendOpener

	filter  filter.Expr // nil: every event
	listing listing
}

func newSearchCmd(f *factory, runF func(context.Context, *searchOptions) error) *cobra.Command {
	opts := &searchOptions{io: f.io, openBackend: f.openBackend}
	var flags listFlags
	cmd := &cobra.Command{
		Use:   "search [FILTER]",
		Short: "List the events that match an Okta System Log filter",
		Long: `search lists the events matching a filter in Okta's System Log filter language
(the filter parameter of /api/v1/logs), with Okta's semantics: a query copied from
the Okta console or from Okta's articles runs unchanged, line breaks included.
No filter lists every event. A syntax error exits with status 2.`,
		Example: `  oktascope search 'eventType eq "user.session.start" and outcome.result eq "FAILURE"'
  oktascope search 'target.id eq "00u1abcd" or actor.id eq "00u1abcd"' --since 7d --format csv
  oktascope search --q 'reset password' --order desc --limit 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.filter, err = filter.Parse(strings.Join(args, " ")); err != nil {
				return err
			}
			if opts.listing, err = flags.parse(f.now(), f.io.Terminal); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSearch(cmd.Context(), opts)
		},
	}
	flags.register(cmd.Flags())
	return cmd
}

func runSearch(ctx context.Context, opts *searchOptions) error {
	return opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		n, err := listEvents(ctx, st, opts.io, opts.listing, opts.filter, nil)
		if err == nil && opts.io.Terminal {
			fmt.Fprintf(opts.io.Err, "%d events\n", n)
		}
		return err
	})
}
