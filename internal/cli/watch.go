package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/watch"
)

type watchFlags struct {
	ruleFlags
	name                               string
	since                              string
	poll, updateEvery, replay          time.Duration
	webhook, webhookEnv, webhookFormat string
}

func (a *app) watchCommand() *cobra.Command {
	var f watchFlags
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
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runWatch(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	f.ruleFlags.register(fl)
	fl.StringVar(&f.name, "name", watch.DefaultName, "the watch's name: its position and alerts in the store (watches of different names share nothing)")
	fl.StringVar(&f.since, "since", "", "a new watch starts with the events published since: RFC 3339, a date, or a duration ago (default: those that land from now on)")
	fl.DurationVar(&f.poll, "poll", watch.DefaultPoll, "pause between reads once caught up")
	fl.DurationVar(&f.updateEvery, "update-every", watch.DefaultUpdateEvery, "least time between two alerts of a growing incident (negative: every change)")
	fl.DurationVar(&f.replay, "replay", 0, "event time a restart reads again to rebuild its state (default: twice the longest detection window, 48h)")
	fl.StringVar(&f.webhook, "webhook", "", "POST each alert to this URL (https, or http to loopback)")
	fl.StringVar(&f.webhookEnv, "webhook-env", "", "environment variable holding the webhook URL (a Slack webhook URL is a secret)")
	fl.StringVar(&f.webhookFormat, "webhook-format", watch.FormatJSON, "json (the alert) or slack (its text, as Slack's incoming webhooks take it)")
	return cmd
}

func (a *app) runWatch(ctx context.Context, f *watchFlags) error {
	opts, err := a.watchOptions(f)
	if err != nil {
		return err
	}
	b, err := a.openBackend(ctx, createIfMissing)
	if err != nil {
		return err
	}
	defer b.Close()
	st, ok := b.(watch.Store)
	if !ok {
		return fmt.Errorf("the store at %s keeps no alerts: watch needs one that does", render.Terminal(b.Location()))
	}
	w, err := watch.New(st, opts)
	if err != nil {
		return err
	}
	return w.Run(ctx) // until interrupted, as serve
}

// watchOptions reads the flags into a watch's options.
func (a *app) watchOptions(f *watchFlags) (watch.Options, error) {
	det, err := a.detectOptions(&f.ruleFlags)
	if err != nil {
		return watch.Options{}, err
	}
	opts := watch.Options{
		Name: f.name, Detect: det, Poll: f.poll, UpdateEvery: f.updateEvery, Replay: f.replay,
		Outputs: []watch.Output{watch.NewNDJSON(a.io.Out)},
		Logf: func(format string, args ...any) {
			fmt.Fprintln(a.io.Err, "oktascope:", render.Terminal(fmt.Sprintf(format, args...)))
		},
	}
	if opts.Since, err = parseTimeFlag("since", f.since, time.Now()); err != nil {
		return opts, err
	}
	url := f.webhook
	switch {
	case f.webhook != "" && f.webhookEnv != "":
		return opts, usageError("give --webhook or --webhook-env, not both")
	case f.webhookEnv != "":
		value, _ := a.io.Env(f.webhookEnv)
		if url = strings.TrimSpace(value); url == "" {
			return opts, usageError("--webhook-env %s: the variable is not set", f.webhookEnv)
		}
	}
	if url != "" {
		hook, err := watch.NewWebhook(url, f.webhookFormat)
		if err != nil {
			return opts, usageError("%v", err)
		}
		opts.Outputs = append(opts.Outputs, hook)
	}
	if f.name == "" || strings.ContainsAny(f.name, "\x00\n") {
		return opts, usageError("--name: want a name")
	}
	return opts, nil
}
