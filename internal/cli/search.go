package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/filter"
)

func (a *app) searchCommand() *cobra.Command {
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
			expr, err := filter.Parse(strings.Join(args, " "))
			if err != nil {
				return err
			}
			q, err := flags.query(expr, time.Now())
			if err != nil {
				return err
			}
			st, err := a.openBackend(cmd.Context(), mustExist)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := a.listEvents(cmd.Context(), st, q, &flags, nil)
			if err == nil && a.io.Terminal {
				fmt.Fprintf(a.io.Err, "%d events\n", n)
			}
			return err
		},
	}
	flags.register(cmd)
	return cmd
}
