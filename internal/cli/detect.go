package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/sigma"
	"github.com/oktascope/oktascope/internal/store"
)

// detectGCPercent is the garbage collector's target during a detection
// run (GOGC, when set, wins). A run decodes every event of the store and
// keeps little of it: the collector's work is proportional to what is
// allocated divided by this percentage, so a higher one trades heap for CPU
// time. At 200 a higher one saves no time and doubles the peak heap
// (docs/decisions.md, "GOGC during detect").
const detectGCPercent = 200

type detectFlags struct {
	rules        []string
	noBuiltin    bool
	format       string
	since, until string
	thresholds   detect.Thresholds
}

func (a *app) detectCommand() *cobra.Command {
	f := detectFlags{thresholds: detect.DefaultThresholds()}
	cmd := &cobra.Command{
		Use:   "detect [--rules PATH...]",
		Short: "Run built-in detections, Sigma rules for Okta and Okta's customer-detections",
		Long: `detect runs, in one pass over the store (or a time window of it): oktascope's built-in
detections (MFA push fatigue, session hijack, recovery takeover, password spraying and
brute force, anonymising proxies, scripted user agents, Admin Console access from a new
IP; thresholds in docs/detect.md), and every rule under --rules: Sigma rules for Okta
(.yml with logsource product okta) and okta/customer-detections files (their
detection.okta_systemlog filter runs through oktascope's filter engine). Each finding
names the rule, severity, indicator and time span, cites its events, and gives the
command to follow up. A rule that cannot load is reported, never skipped silently.`,
		Example: `  oktascope detect
  oktascope detect --rules ./sigma/rules/identity/okta --rules ./customer-detections --format json
  oktascope detect --since 7d --spray-users 10 --format md > findings.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDetect(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.rules, "rules", nil, "a directory or file of Sigma or okta/customer-detections rules (repeatable)")
	fl.BoolVar(&f.noBuiltin, "no-builtin", false, "run only the rules given with --rules")
	fl.StringVar(&f.format, "format", "", render.FindingFormats().Help())
	fl.StringVar(&f.since, "since", "", "from this time on: RFC 3339, a date, or a duration ago")
	fl.StringVar(&f.until, "until", "", "before this time: RFC 3339, a date, or a duration ago")
	th := &f.thresholds
	fl.IntVar(&th.SprayUsers, "spray-users", th.SprayUsers, "password spraying: distinct users failing from one IP")
	fl.IntVar(&th.SprayIPs, "spray-ips", th.SprayIPs, "distributed brute force: distinct IPs failing for one user")
	fl.DurationVar(&th.SprayWindow, "spray-window", th.SprayWindow, "window of the spraying counts")
	fl.IntVar(&th.BruteFailures, "brute-failures", th.BruteFailures, "brute force: failures for one user")
	fl.DurationVar(&th.BruteWindow, "brute-window", th.BruteWindow, "window of the brute-force count")
	fl.IntVar(&th.Timeline.FatigueCount, "fatigue-count", th.Timeline.FatigueCount, "MFA challenges to one user that make fatigue")
	fl.DurationVar(&th.Timeline.FatigueWindow, "fatigue-window", th.Timeline.FatigueWindow, "window of the fatigue count")
	fl.DurationVar(&th.Timeline.RecoveryWindow, "recovery-window", th.Timeline.RecoveryWindow, "how long after a recovery a new network is a takeover")
	cmd.AddCommand(a.sigmaConvertCommand())
	return cmd
}

func (a *app) runDetect(ctx context.Context, f *detectFlags) error {
	format, err := a.format(render.FindingFormats(), f.format)
	if err != nil {
		return err
	}
	if err := f.thresholds.Validate(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	opts := detect.Options{Builtin: !f.noBuiltin, Thresholds: f.thresholds}
	if err := a.loadRules(f.rules, &opts); err != nil {
		return err
	}
	now := time.Now()
	q := store.Query{}
	if q.Since, err = parseTimeFlag("since", f.since, now); err != nil {
		return err
	}
	if q.Until, err = parseTimeFlag("until", f.until, now); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(detectGCPercent))
	}
	findings, err := a.detectStore(ctx, q, opts)
	if err != nil {
		return err
	}
	return render.WriteFindings(a.io.Out, format, findings)
}

// loadRules loads every rule file under the paths; files that fail are
// reported on stderr and make the command fail after the run.
func (a *app) loadRules(paths []string, opts *detect.Options) error {
	var failed int
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return usageError("--rules: %v", err)
		}
		okta, skipped, oktaErrs := oktarules.LoadDir(p)
		opts.Okta = append(opts.Okta, okta...)
		sig, sigErrs := sigma.LoadDir(p)
		opts.Sigma = append(opts.Sigma, sig...)
		// A file is one kind or the other: an error from one loader is only
		// an error when the other did not take the file.
		failed += a.reportRuleErrors(sigErrs, oktaErrs, skipped)
	}
	fmt.Fprintf(a.io.Err, "rules: %d Sigma, %d Okta customer-detections", len(opts.Sigma), len(opts.Okta))
	if opts.Builtin {
		fmt.Fprint(a.io.Err, ", built-in detections on")
	}
	fmt.Fprintln(a.io.Err)
	if failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d rule files could not be loaded (listed above)", failed)}
	}
	return nil
}

// reportRuleErrors prints the files neither loader could read.
func (a *app) reportRuleErrors(sigErrs, oktaErrs []error, skipped []*oktarules.SkipError) int {
	oktaFailed := map[string]error{}
	for _, err := range oktaErrs {
		var fe *oktarules.FileError
		if errors.As(err, &fe) {
			oktaFailed[fe.Path] = err
		}
	}
	for _, s := range skipped {
		oktaFailed[s.Path] = s
	}
	failed := 0
	for _, err := range sigErrs {
		var fe *sigma.FileError
		if !errors.As(err, &fe) {
			continue
		}
		if oktaErr, ok := oktaFailed[fe.Path]; ok {
			failed++
			fmt.Fprintln(a.io.Err, render.Terminal(fmt.Sprintf("rule %s: not a Sigma rule (%v) nor an Okta detection (%v)", fe.Path, fe.Err, oktaErr)))
		}
	}
	return failed
}

// detectStore feeds every event of q through the detection engine.
func (a *app) detectStore(ctx context.Context, q store.Query, opts detect.Options) ([]detect.Finding, error) {
	st, err := a.openStore()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	engine, err := detect.New(opts)
	if err != nil {
		return nil, err
	}
	err = st.Search(ctx, q, func(e *logevent.Event) error {
		engine.Add(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return engine.Finish(), nil
}

func (a *app) sigmaConvertCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sigma-convert RULE.yml",
		Short: "Print the Okta System Log filter equivalent to a Sigma rule",
		Long: `sigma-convert prints the Okta System Log filter that selects what a Sigma rule for
Okta selects, to paste into the Okta console or run with oktascope search. A rule that
uses what Okta's filter language cannot express (regular expressions, CIDR ranges, inner
wildcards, aggregations) gets a message saying exactly what, and exit status 1.`,
		Example: `  oktascope detect sigma-convert okta_mfa_reset_or_deactivated.yml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			rule, err := sigma.LoadFile(args[0])
			if err != nil {
				return err
			}
			text, err := sigma.Convert(rule)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.io.Out, text)
			return err
		},
	}
}
