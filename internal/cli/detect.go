package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/oktarules"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/sigma"
)

// detectGCPercent is the garbage collector's target during a detection
// run (GOGC, when set, wins). A run decodes every event of the store and
// keeps little of it: the collector's work is proportional to what is
// allocated divided by this percentage, so a higher one trades heap for CPU
// time. At 200 a higher one saves no time and doubles the peak heap
// (docs/decisions.md, "GOGC during detect").
const detectGCPercent = 200

// detectOptions are what detect runs with.
type detectOptions struct {
	io          IO
	openBackend backendOpener

	detection    detectionFlags
	since, until time.Time
	format       render.Format
}

func newDetectCmd(f *factory, runF func(context.Context, *detectOptions) error) *cobra.Command {
	opts := &detectOptions{io: f.io, openBackend: f.openBackend}
	var (
		window windowFlags
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "detect [--rules PATH...]",
		Short: "Run built-in detections, Sigma rules for Okta and Okta's customer-detections",
		Long: `detect runs, in one pass over the store (or a time window of it): oktascope's built-in
detections (MFA push fatigue, session hijack, recovery takeover, impossible travel,
password spraying and brute force, anonymising proxies, scripted user agents, Admin
Console access from a new IP; thresholds in docs/detect.md), and every rule under --rules: Sigma rules for Okta
(.yml with logsource product okta) and okta/customer-detections files (their
detection.okta_systemlog filter runs through oktascope's filter engine). Each finding
names the rule, severity, indicator and time span, cites its events, and gives the
command to follow up. A rule that cannot load is reported, never skipped silently.`,
		Example: `  oktascope detect
  oktascope detect --rules ./sigma/rules/identity/okta --rules ./customer-detections --format json
  oktascope detect --since 7d --spray-users 10 --format md > findings.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.format, err = format.choose(f.io.Terminal); err != nil {
				return err
			}
			if err := opts.detection.validate(); err != nil {
				return err
			}
			if opts.since, opts.until, err = window.parse(f.now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDetect(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.detection.register(fl)
	format.register(fl, render.FindingFormats())
	window.register(fl)
	cmd.AddCommand(newSigmaConvertCmd(f, nil))
	return cmd
}

func runDetect(ctx context.Context, opts *detectOptions) error {
	engineOpts, err := opts.detection.options(opts.io.Err)
	if err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(detectGCPercent))
	}
	engine, err := detect.New(engineOpts)
	if err != nil {
		return err
	}
	err = opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		return st.Search(ctx, backend.Query{Since: opts.since, Until: opts.until}, func(e *logevent.Event, _ backend.Cursor) error {
			engine.Add(e)
			return nil
		})
	})
	if err != nil {
		return err
	}
	return render.WriteFindings(opts.io.Out, opts.format, engine.Finish())
}

// loadRules loads every rule file under the paths into opts; the files
// that fail are reported on w, and make the command fail before it runs.
func loadRules(w io.Writer, paths []string, opts *detect.Options) error {
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
		failed += reportRuleErrors(w, sigErrs, oktaErrs, skipped)
	}
	fmt.Fprintf(w, "rules: %d Sigma, %d Okta customer-detections", len(opts.Sigma), len(opts.Okta))
	if opts.Builtin {
		fmt.Fprint(w, ", built-in detections on")
	}
	fmt.Fprintln(w)
	if failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%d rule files could not be loaded (listed above)", failed)}
	}
	return nil
}

// reportRuleErrors prints the files neither loader could read.
func reportRuleErrors(w io.Writer, sigErrs, oktaErrs []error, skipped []*oktarules.SkipError) int {
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
			fmt.Fprintln(w, render.Terminal(fmt.Sprintf("rule %s: not a Sigma rule (%v) nor an Okta detection (%v)", fe.Path, fe.Err, oktaErr)))
		}
	}
	return failed
}
