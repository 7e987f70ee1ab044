package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/store"
)

func (a *app) scopeCommand() *cobra.Command {
	var (
		ind        indicatorFlags
		thresholds thresholdFlags
		format     string
		depth      int
		maxShared  int
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
			format, err := a.format(render.ScopeFormats(), format)
			if err != nil {
				return err
			}
			if depth < 1 || depth > scope.MaxDepth {
				return usageError("--depth %d: want 1 to %d", depth, scope.MaxDepth)
			}
			opts, err := thresholds.options()
			if err != nil {
				return err
			}
			if maxShared < 0 {
				return usageError("--max-shared %d: want 0 (no limit) or more", maxShared)
			}
			if maxShared == 0 {
				maxShared = -1 // scope.Options: negative is no limit
			}
			return a.runScope(cmd.Context(), &ind, scope.Options{Depth: depth, MaxShared: maxShared, Timeline: opts}, format)
		},
	}
	ind.register(cmd)
	thresholds.register(cmd)
	cmd.Flags().StringVar(&format, "format", "", render.ScopeFormats().Help())
	cmd.Flags().IntVar(&depth, "depth", scope.DefaultDepth, "how many times to pivot through shared IPs and sessions")
	cmd.Flags().IntVar(&maxShared, "max-shared", scope.DefaultMaxShared,
		"follow no user through an IP or session with more users than this (a NAT, proxy or VPN exit); 0: no limit")
	return cmd
}

// runScope builds the scope report of the indicator and writes it.
func (a *app) runScope(ctx context.Context, flags *indicatorFlags, opts scope.Options, format render.Format) error {
	ind, err := flags.indicator()
	if err != nil {
		return err
	}
	since, until, err := flags.window(time.Now())
	if err != nil {
		return err
	}
	st, err := a.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if ind, err = resolve(ctx, st, ind); err != nil {
		return err
	}
	report, err := scope.RunOptions(ctx, store.Window{Store: st, Since: since, Until: until}, ind, opts)
	if err != nil {
		return err
	}
	return render.WriteScope(a.io.Out, format, report, render.Options{Width: a.io.Width})
}
