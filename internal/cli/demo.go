package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// demoOptions is the sample org the demo builds: small enough to generate
// in seconds, big enough that the incidents hide in ordinary traffic.
var demoOptions = synth.Options{Seed: 20241126, Users: 120, Events: 30000, Incidents: true}

const demoDB = "oktascope-demo.db"

func (a *app) demoCommand() *cobra.Command {
	var serveAddr string
	var serveUI bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a sample org's log with three planted incidents and walk through them",
		Long: `demo generates a realistic System Log for a sample org (users, devices, locations,
apps; sign-ins with each MFA factor, app sign-ins, password resets, unlocks, logouts)
with three planted incidents (MFA push fatigue, a password-reset account takeover and a
hijacked session), stores it in oktascope-demo.db (or --db), and prints a guided
investigation: the hunt commands an analyst would run, and what each finds.`,
		Example: `  oktascope demo
  oktascope demo --serve            # then open the printed address
  oktascope --db /tmp/demo.db demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("db") {
				if _, ok := a.io.Env("OKTASCOPE_DB"); !ok {
					a.dbPath = demoDB
				}
			}
			if err := a.runDemo(cmd.Context()); err != nil || !serveUI {
				return err
			}
			return a.runServe(cmd.Context(), &serveFlags{addr: serveAddr})
		},
	}
	cmd.Flags().BoolVar(&serveUI, "serve", false, "then open the web UI on the demo store")
	cmd.Flags().StringVar(&serveAddr, "addr", "127.0.0.1:8080", "address of the web UI, with --serve")
	return cmd
}

func (a *app) runDemo(ctx context.Context) error {
	gen, err := a.buildDemoStore(ctx)
	if err != nil {
		return err
	}
	out := a.io.Out
	fmt.Fprintf(out, "\nThree incidents hide in this log. Here is how an analyst finds each one.\n")
	for i, inc := range gen.Incidents() {
		fmt.Fprintf(out, "\n== %d. %s ==\n", i+1, incidentTitle(inc.Kind))
		for _, step := range a.demoSteps(inc) {
			fmt.Fprintf(out, "\n%s\n  $ %s\n\n", step.why, step.command())
			if err := a.runHunt(ctx, step.playbook, step.flags()); err != nil {
				return err
			}
		}
		if err := a.demoAnalysis(ctx, inc); err != nil {
			return err
		}
	}
	db := a.dbFlag()
	fmt.Fprintf(out, "\nNext steps:\n")
	fmt.Fprintf(out, "  oktascope%s detect                         # every built-in detection, with follow-up commands\n", db)
	fmt.Fprintf(out, "  oktascope%s timeline --user %s   # the flows, steps and deviations\n", db, render.ShellQuote(firstLogin(gen.Incidents())))
	fmt.Fprintf(out, "  oktascope%s explain user.account.reset_password\n", db)
	fmt.Fprintf(out, "  oktascope%s search 'eventType sw \"user.mfa.\" and outcome.result eq \"FAILURE\"'\n", db)
	fmt.Fprintf(out, "  oktascope%s serve                          # the web UI on http://127.0.0.1:8080/\n", db)
	return nil
}

// buildDemoStore regenerates the demo store from scratch.
func (a *app) buildDemoStore(ctx context.Context) (*synth.Generator, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(a.dbPath + suffix); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("demo: remove the old demo store: %w", err)
		}
	}
	st, err := store.Open(a.dbPath)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	gen := synth.New(demoOptions)
	start := time.Now()
	n, err := insertGenerated(ctx, st, gen)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(a.io.Out, "Generated a sample org's System Log: %d events of %d users in %s (store: %s)\n",
		n, demoOptions.Users, time.Since(start).Round(time.Millisecond), a.dbPath)
	return gen, nil
}

// insertGenerated stores every generated event, in batches.
func insertGenerated(ctx context.Context, st *store.Store, gen *synth.Generator) (int, error) {
	const batchSize = 5000
	batch := make([]*logevent.Event, 0, batchSize)
	total := 0
	flush := func() error {
		_, _, err := st.Insert(ctx, batch)
		total += len(batch)
		batch = batch[:0]
		return err
	}
	for raw, ok := gen.Next(); ok; raw, ok = gen.Next() {
		e, err := logevent.Decode(bytes.Clone(raw)) // Next reuses its buffer
		if err != nil {
			return total, fmt.Errorf("generated event: %w", err)
		}
		if batch = append(batch, e); len(batch) == batchSize {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	return total, flush()
}

func incidentTitle(kind synth.IncidentKind) string {
	switch kind {
	case synth.MFAPushFatigue:
		return "MFA push fatigue"
	case synth.PasswordResetTakeover:
		return "Account takeover through self-service password reset"
	case synth.SessionHijack:
		return "A hijacked session"
	}
	return string(kind)
}

// demoStep is one hunt of the guided investigation.
type demoStep struct {
	why        string
	playbook   string
	param      string // user, ip or session
	value      string
	since      time.Time
	until      time.Time
	dbFlagText string
}

func (s demoStep) command() string {
	return fmt.Sprintf("oktascope%s hunt %s --%s %s --since %s --until %s", s.dbFlagText, s.playbook, s.param,
		render.ShellQuote(s.value), s.since.Format(time.RFC3339), s.until.Format(time.RFC3339))
}

func (s demoStep) flags() *huntFlags {
	f := &huntFlags{listFlags: listFlags{format: "table", order: "asc",
		since: s.since.Format(time.RFC3339), until: s.until.Format(time.RFC3339)}}
	switch s.param {
	case "user":
		f.user = s.value
	case "ip":
		f.ip = s.value
	default:
		f.session = s.value
	}
	return f
}

func (a *app) demoSteps(inc synth.Incident) []demoStep {
	since, until := inc.Start.Add(-30*time.Minute).Truncate(time.Minute), inc.End.Add(31*time.Minute).Truncate(time.Minute)
	step := func(why, playbook, param, value string) demoStep {
		return demoStep{why: why, playbook: playbook, param: param, value: value, since: since, until: until, dbFlagText: a.dbFlag()}
	}
	switch inc.Kind {
	case synth.MFAPushFatigue:
		return []demoStep{
			step(fmt.Sprintf("%s reports a storm of Okta Verify pushes. Their sign-in events, by login:", inc.UserLogin), "user-signin", "user", inc.UserLogin),
			step(fmt.Sprintf("The pushes were triggered from %s (%s, %s). Everything signed in from that IP:", inc.AttackerIP, inc.AttackerISP, inc.AttackerCountry), "ip-signin", "ip", inc.AttackerIP),
		}
	case synth.PasswordResetTakeover:
		return []demoStep{
			step(fmt.Sprintf("%s's password was reset. The self-service reset activity:", inc.UserLogin), "user-sspr", "user", inc.UserLogin),
			step("Right after the reset, the account's MFA changed:", "user-mfa-changes", "user", inc.UserLogin),
		}
	case synth.SessionHijack:
		return []demoStep{
			step(fmt.Sprintf("%s's session %s was seen from two places. All its events:", inc.UserLogin, firstOr(inc.SessionIDs)), "session", "session", firstOr(inc.SessionIDs)),
		}
	}
	return nil
}

// demoAnalysis shows the timeline of the incident, with its deviations
// flagged, and the scope of the attacker's IP address.
func (a *app) demoAnalysis(ctx context.Context, inc synth.Incident) error {
	out := a.io.Out
	window := indicatorFlags{
		since: inc.Start.Add(-30 * time.Minute).Truncate(time.Minute).Format(time.RFC3339),
		until: inc.End.Add(31 * time.Minute).Truncate(time.Minute).Format(time.RFC3339),
	}
	tl := window
	what := "--user " + render.ShellQuote(inc.UserLogin)
	if tl.user = inc.UserLogin; inc.Kind == synth.SessionHijack {
		tl.user, tl.session = "", firstOr(inc.SessionIDs)
		what = "--session " + render.ShellQuote(tl.session)
	}
	fmt.Fprintf(out, "\nThe timeline puts these events into the article's flows and flags what deviates:\n  $ oktascope%s timeline %s --since %s --until %s\n\n",
		a.dbFlag(), what, window.since, window.until)
	flows, err := a.buildTimeline(ctx, &tl, timeline.DefaultOptions())
	if err != nil {
		return err
	}
	if err := render.WriteTimeline(out, render.Text, flows, render.Options{Width: a.io.Width}); err != nil {
		return err
	}
	sc := window
	sc.ip = inc.AttackerIP
	fmt.Fprintf(out, "\nAnd the reach of the attacker's address, %s:\n  $ oktascope%s scope --ip %s --since %s --until %s\n\n",
		inc.AttackerIP, a.dbFlag(), inc.AttackerIP, window.since, window.until)
	return a.runScope(ctx, &sc, scope.Options{Depth: 1}, render.Text)
}

func firstLogin(incidents []synth.Incident) string {
	if len(incidents) == 0 {
		return ""
	}
	return incidents[0].UserLogin
}

func firstOr(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// dbFlag is the --db flag to repeat in printed commands ("" for the default).
func (a *app) dbFlag() string {
	if a.dbPath == "oktascope.db" {
		return ""
	}
	return " --db " + render.ShellQuote(a.dbPath)
}
