package cli

import (
	"bufio"
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/synth"
)

// generateOptions are what generate runs with.
type generateOptions struct {
	io  IO
	org synth.Options
}

func newGenerateCmd(f *factory, runF func(context.Context, *generateOptions) error) *cobra.Command {
	opts := &generateOptions{io: f.io, org: synth.Options{Seed: 1, Users: 200, Events: 10000}}
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.org.Duration = duration
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runGenerate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&opts.org.Seed, "seed", opts.org.Seed, "random seed")
	fl.IntVar(&opts.org.Users, "users", opts.org.Users, "users in the org")
	fl.IntVar(&opts.org.Events, "events", opts.org.Events, "approximate number of events")
	fl.DurationVar(&duration, "duration", 24*time.Hour, "time span of the log")
	fl.BoolVar(&opts.org.Incidents, "incidents", false, "plant the three incidents")
	fl.BoolVar(&opts.org.Travel, "travel", false, "plant an impossible-travel incident")
	fl.BoolVar(&opts.org.Classic, "classic", false, "a Classic Engine org")
	return cmd
}

func runGenerate(_ context.Context, opts *generateOptions) error {
	w := bufio.NewWriterSize(opts.io.Out, 1<<20)
	if _, err := synth.New(opts.org).WriteTo(w); err != nil {
		return err
	}
	return w.Flush()
}
