package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/watch"
)

// watchOptions are what watch runs with.
type watchOptions struct {
	io          IO
	openBackend backendOpener

	detection detectionFlags
	watch     watch.Options // but the detections, loaded when run
}

// watchFlags are watch's own flags as given.
type watchFlags struct {
	since                              string
	webhook, webhookEnv, webhookFormat string
}

func newWatchCmd(f *factory, runF func(context.Context, *watchOptions) error) *cobra.Command {
	opts := &watchOptions{io: f.io, openBackend: f.openBackend}
	var flags watchFlags
	cmd := &cobra.Command{
		Use:   "watch [--rules PATH...] [--webhook URL | --webhook-env VAR]",
		Short: "Run the detections over events as they land, and alert each incident once",
		Long: `watch runs detect's detections (the built-ins and --rules) continuously over the events
as they land in the store: from serve's Event Hook receiver, collect --follow or any
import. It reads them in the order the store took them, so that a late event is read all
the same, and alerts each incident (the findings of one attack) once when it appears,
then again as it grows (at most once per --update-every): one JSON object a line on
standard output (the finding's object of detect --format json with the alert's fields,
its timeline and follow-up commands: docs/watch.md), and to --webhook (JSON, or Slack's
text with --webhook-format slack), retried with backoff while it fails.

The alerts and what each output acknowledged are kept in the store, with the position
reached: a restarted watch repeats no alert and loses none, after reading the last
--replay of events again to rebuild its state. A new watch starts with the events that
land from then on, or those published since --since.`,
		Example: `  oktascope --db live.db watch
  oktascope --db live.db watch --since 2h --webhook-env SLACK_WEBHOOK_URL --webhook-format slack
  oktascope --db live.db watch --rules ./sigma/rules/identity/okta --webhook https://soar.example/hooks/okta`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.detection.validate(); err != nil {
				return err
			}
			if err := flags.read(f, &opts.watch); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runWatch(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.detection.register(fl)
	fl.StringVar(&opts.watch.Name, "name", watch.DefaultName, "the watch's name: its position and alerts in the store (watches of different names share nothing)")
	fl.StringVar(&flags.since, "since", "", "a new watch starts with the events published since: RFC 3339, a date, or a duration ago (default: those that land from now on)")
	fl.DurationVar(&opts.watch.Poll, "poll", watch.DefaultPoll, "pause between reads once caught up")
	fl.DurationVar(&opts.watch.UpdateEvery, "update-every", watch.DefaultUpdateEvery, "least time between two alerts of a growing incident (negative: every change)")
	fl.DurationVar(&opts.watch.Replay, "replay", 0, "event time a restart reads again to rebuild its state (default: twice the longest detection window, 48h)")
	fl.StringVar(&flags.webhook, "webhook", "", "POST each alert to this URL (https, or http to loopback)")
	fl.StringVar(&flags.webhookEnv, "webhook-env", "", "environment variable holding the webhook URL (a Slack webhook URL is a secret)")
	fl.StringVar(&flags.webhookFormat, "webhook-format", watch.FormatJSON, "json (the alert) or slack (its text, as Slack's incoming webhooks take it)")
	return cmd
}

// read reads the flags into a watch's options: the start, the outputs
// (standard output, and the webhook), the log.
func (flags *watchFlags) read(f *factory, opts *watch.Options) error {
	if opts.Name == "" || strings.ContainsAny(opts.Name, "\x00\n") {
		return usageError("--name: want a name")
	}
	var err error
	if opts.Since, err = parseTimeFlag("since", flags.since, f.now()); err != nil {
		return err
	}
	opts.Outputs = []watch.Output{watch.NewNDJSON(f.io.Out)}
	url := flags.webhook
	switch {
	case flags.webhook != "" && flags.webhookEnv != "":
		return usageError("give --webhook or --webhook-env, not both")
	case flags.webhookEnv != "":
		value, _ := f.io.Env(flags.webhookEnv)
		if url = strings.TrimSpace(value); url == "" {
			return usageError("--webhook-env %s: the variable is not set", flags.webhookEnv)
		}
	}
	if url != "" {
		hook, err := watch.NewWebhook(url, flags.webhookFormat)
		if err != nil {
			return usageError("%v", err)
		}
		opts.Outputs = append(opts.Outputs, hook)
	}
	errOut := f.io.Err
	opts.Logf = func(format string, args ...any) {
		fmt.Fprintln(errOut, "oktascope:", render.Terminal(fmt.Sprintf(format, args...)))
	}
	return nil
}

func runWatch(ctx context.Context, opts *watchOptions) error {
	det, err := opts.detection.options(opts.io.Err)
	if err != nil {
		return err
	}
	wopts := opts.watch
	wopts.Detect = det
	return opts.openBackend.with(ctx, createIfMissing, func(b backend.Backend) error {
		st, ok := b.(watch.Store)
		if !ok {
			return fmt.Errorf("the store at %s keeps no alerts: watch needs one that does", render.Terminal(b.Location()))
		}
		w, err := watch.New(st, wopts)
		if err != nil {
			return err
		}
		return w.Run(ctx) // until interrupted, as serve
	})
}
