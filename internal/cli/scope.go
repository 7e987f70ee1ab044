package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// scopeOptions are what scope runs with.
type scopeOptions struct {
	io          IO
	openBackend backendOpener

	subject reportSubject
	scope   scope.Options
	format  render.Format
}

func newScopeCmd(f *factory, runF func(context.Context, *scopeOptions) error) *cobra.Command {
	opts := &scopeOptions{io: f.io, openBackend: f.openBackend}
	var (
		subject    subjectFlags
		format     formatFlag
		depth      int
		maxShared  int
		maxEvents  int
		thresholds = timeline.DefaultOptions()
	)
	cmd := &cobra.Command{
		Use:   "scope (--user ID|LOGIN | --ip IP | --session ID) [--depth N]",
		Short: "Everything an indicator touches: sessions, IPs, user agents, devices, apps, other users",
		Long: `scope expands one indicator into its reach: its sessions, IP addresses (with city,
country, ASN, ISP, proxy), user agents, devices and apps, the other users seen on the same
IP addresses or sessions (--depth 2 follows those too, except through addresses and
sessions shared by more than --max-shared users), counts by event type and outcome,
first and last seen, and the timeline's deviations. Reports print for a terminal, or as
Markdown, HTML or JSON (schema in docs/scope.md) to hand on.`,
		Example: `  oktascope scope --user alice@acme.example
  oktascope scope --ip 198.51.100.23 --depth 2 --format md > ip-report.md
  oktascope scope --session 102PsWdTl3yRHmX2pQe1CzKEw --format html > session.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.format, err = format.choose(f.io.Terminal); err != nil {
				return err
			}
			if depth < 1 || depth > scope.MaxDepth {
				return usageError("--depth %d: want 1 to %d", depth, scope.MaxDepth)
			}
			if err := thresholds.Validate(); err != nil {
				return asUsage(err)
			}
			if maxShared < 0 {
				return usageError("--max-shared %d: want 0 (no limit) or more", maxShared)
			}
			if maxShared == 0 {
				maxShared = -1 // scope.Options: negative is no limit
			}
			if maxEvents < 0 {
				return usageError("--max-events %d: want 0 (no limit) or more", maxEvents)
			}
			if maxEvents == 0 {
				maxEvents = -1 // scope.Options: negative is no limit
			}
			opts.scope = scope.Options{Depth: depth, MaxShared: maxShared, MaxEvents: maxEvents, Timeline: thresholds}
			if opts.subject, err = subject.parse(f.now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runScope(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	subject.register(fl)
	registerThresholds(fl, &thresholds)
	format.register(fl, render.ScopeFormats())
	fl.IntVar(&depth, "depth", scope.DefaultDepth, "how many times to pivot through shared IPs and sessions")
	fl.IntVar(&maxShared, "max-shared", scope.DefaultMaxShared,
		"follow no user through an IP or session with more users than this (a NAT, proxy or VPN exit); 0: no limit")
	fl.IntVar(&maxEvents, "max-events", scope.DefaultMaxEvents,
		"stop reading events when the report holds this many (the report says so); 0: no limit")
	return cmd
}

// runScope builds the scope report of the indicator and writes it.
func runScope(ctx context.Context, opts *scopeOptions) error {
	return opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		ind, err := resolve(ctx, st, opts.subject.indicator)
		if err != nil {
			return err
		}
		report, err := scope.RunOptions(ctx, backend.Window{Reader: st, Since: opts.subject.since, Until: opts.subject.until}, ind, opts.scope)
		if err != nil {
			return err
		}
		return render.WriteScope(opts.io.Out, opts.format, report, render.Options{Width: opts.io.Width})
	})
}
