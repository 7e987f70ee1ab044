package cli

import (
	"bufio"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/synth"
)

func (a *app) generateCommand() *cobra.Command {
	opts := synth.Options{Seed: 1, Users: 200, Events: 10000}
	var duration time.Duration
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a synthetic org's System Log as NDJSON (for tests, benchmarks and drills)",
		Long: `generate writes a realistic, seeded System Log of a made-up org to stdout, one event
per line, in published order: users, devices, locations and apps; sign-ins with each MFA
factor, app sign-ins, password resets and unlocks by email, SMS and voice, logouts and
factor changes, each following Okta's documented sequences. --incidents plants MFA push
fatigue, a password-reset takeover and a hijacked session; --travel an impossible journey.
--classic makes an Okta Classic Engine org (no user.authentication.verify; the MFA of a
sign-in logged under the session it establishes). Any size streams in constant memory;
the same flags always give the same bytes.`,
		Example: `  oktascope generate --events 1000000 --incidents > org.ndjson
  oktascope generate --seed 7 --users 50 --duration 72h | gzip > small.ndjson.gz`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.Duration = duration
			w := bufio.NewWriterSize(a.io.Out, 1<<20)
			if _, err := synth.New(opts).WriteTo(w); err != nil {
				return err
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.Seed, "seed", opts.Seed, "random seed")
	f.IntVar(&opts.Users, "users", opts.Users, "users in the org")
	f.IntVar(&opts.Events, "events", opts.Events, "approximate number of events")
	f.DurationVar(&duration, "duration", 24*time.Hour, "time span of the log")
	f.BoolVar(&opts.Incidents, "incidents", false, "plant the three incidents")
	f.BoolVar(&opts.Travel, "travel", false, "plant an impossible-travel incident")
	f.BoolVar(&opts.Classic, "classic", false, "a Classic Engine org")
	return cmd
}
