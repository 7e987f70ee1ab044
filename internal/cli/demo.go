package cli

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// demoOrg is the sample org the demo builds: small enough to generate
// in seconds, big enough that the incidents hide in ordinary traffic.
var demoOrg = synth.Options{Seed: 20241126, Users: 120, Events: 30000, Incidents: true}

// demoDB is the store demo builds when neither --db nor $OKTASCOPE_DB
// names one.
const demoDB = "oktascope-demo.db"

// demoOptions are what demo runs with.
type demoOptions struct {
	io          IO
	openBackend backendOpener

	location string // the store's location, as given, for the printed commands
	// serve, when set, opens the web UI on the demo store afterwards.
	serve *serveOptions
}

func newDemoCmd(f *factory, runF func(context.Context, *demoOptions) error) *cobra.Command {
	opts := &demoOptions{io: f.io, openBackend: f.openBackend}
	var (
		serveUI bool
		serve   serveFlags // --addr only
	)
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
		Annotations: map[string]string{defaultDBAnnotation: demoDB},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.location = f.db
			if serveUI {
				cfg, err := serve.config(f.io.Env)
				if err != nil {
					return err
				}
				opts.serve = &serveOptions{io: f.io, openBackend: f.openBackend, config: cfg}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&serveUI, "serve", false, "then open the web UI on the demo store")
	cmd.Flags().StringVar(&serve.addr, "addr", defaultServeAddr, "address of the web UI, with --serve")
	return cmd
}

func runDemo(ctx context.Context, opts *demoOptions) error {
	gen, err := opts.buildStore(ctx)
	if err != nil {
		return err
	}
	out := opts.io.Out
	fmt.Fprintf(out, "\nThree incidents hide in this log. Here is how an analyst finds each one.\n")
	for i, inc := range gen.Incidents() {
		fmt.Fprintf(out, "\n== %d. %s ==\n", i+1, incidentTitle(inc.Kind))
		for _, step := range opts.steps(inc) {
			fmt.Fprintf(out, "\n%s\n  $ %s\n\n", step.why, step.command())
			if err := runHunt(ctx, opts.hunt(step)); err != nil {
				return err
			}
		}
		if err := opts.analysis(ctx, inc); err != nil {
			return err
		}
	}
	db := opts.dbFlag()
	fmt.Fprintf(out, "\nNext steps:\n")
	fmt.Fprintf(out, "  oktascope%s detect                         # every built-in detection, with follow-up commands\n", db)
	fmt.Fprintf(out, "  oktascope%s timeline --user %s   # the flows, steps and deviations\n", db, render.ShellQuote(firstLogin(gen.Incidents())))
	fmt.Fprintf(out, "  oktascope%s explain user.account.reset_password\n", db)
	fmt.Fprintf(out, "  oktascope%s search 'eventType sw \"user.mfa.\" and outcome.result eq \"FAILURE\"'\n", db)
	fmt.Fprintf(out, "  oktascope%s serve                          # the web UI on http://127.0.0.1:8080/\n", db)
	if opts.serve == nil {
		return nil
	}
	return runServe(ctx, opts.serve)
}

// buildStore builds the demo store from scratch.
func (o *demoOptions) buildStore(ctx context.Context) (*synth.Generator, error) {
	gen := synth.New(demoOrg)
	err := o.openBackend.with(ctx, replaceExisting, func(st backend.Backend) error {
		start := time.Now()
		n, err := insertGenerated(ctx, st, gen)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(o.io.Out, "Generated a sample org's System Log: %d events of %d users in %s (store: %s)\n",
			n, demoOrg.Users, time.Since(start).Round(time.Millisecond), o.location)
		return nil
	})
	return gen, err
}

// insertGenerated stores every generated event, in batches.
func insertGenerated(ctx context.Context, st backend.Writer, gen *synth.Generator) (int, error) {
	const batchSize = 5000
	batch := make([]*logevent.Event, 0, batchSize)
	total := 0
	flush := func() error {
		_, err := st.Insert(ctx, batch)
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

// hunt returns the options of the step's hunt, written as a table.
func (o *demoOptions) hunt(s demoStep) *huntOptions {
	p, _ := catalog.PlaybookByName(s.playbook)
	return &huntOptions{io: o.io, openBackend: o.openBackend, playbook: p, value: s.value,
		listing: listing{format: render.Table, query: backend.Query{Since: s.since, Until: s.until}}}
}

func (o *demoOptions) steps(inc synth.Incident) []demoStep {
	since, until := inc.Start.Add(-30*time.Minute).Truncate(time.Minute), inc.End.Add(31*time.Minute).Truncate(time.Minute)
	step := func(why, playbook, param, value string) demoStep {
		return demoStep{why: why, playbook: playbook, param: param, value: value, since: since, until: until, dbFlagText: o.dbFlag()}
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

// analysis shows the timeline of the incident, with its deviations
// flagged, and the scope of the attacker's IP address.
func (o *demoOptions) analysis(ctx context.Context, inc synth.Incident) error {
	out := o.io.Out
	since, until := inc.Start.Add(-30*time.Minute).Truncate(time.Minute), inc.End.Add(31*time.Minute).Truncate(time.Minute)
	window := fmt.Sprintf("--since %s --until %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	ind := indicator.Indicator{Kind: indicator.User, Value: inc.UserLogin}
	if inc.Kind == synth.SessionHijack {
		ind = indicator.Indicator{Kind: indicator.Session, Value: firstOr(inc.SessionIDs)}
	}
	tl := &timelineOptions{io: o.io, openBackend: o.openBackend, subject: reportSubject{ind, since, until},
		thresholds: timeline.DefaultOptions(), format: render.Text}
	fmt.Fprintf(out, "\nThe timeline puts these events into the article's flows and flags what deviates:\n  $ oktascope%s timeline --%s %s %s\n\n",
		o.dbFlag(), ind.Kind, render.ShellQuote(ind.Value), window)
	if err := runTimeline(ctx, tl); err != nil {
		return err
	}
	sc := &scopeOptions{io: o.io, openBackend: o.openBackend,
		subject: reportSubject{indicator.Indicator{Kind: indicator.IP, Value: inc.AttackerIP}, since, until},
		scope:   scope.Options{Depth: 1}, format: render.Text}
	fmt.Fprintf(out, "\nAnd the reach of the attacker's address, %s:\n  $ oktascope%s scope --ip %s %s\n\n",
		inc.AttackerIP, o.dbFlag(), inc.AttackerIP, window)
	return runScope(ctx, sc)
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

// dbFlag is the --db flag to repeat in printed commands ("" for the
// default).
func (o *demoOptions) dbFlag() string {
	if o.location == defaultDB {
		return ""
	}
	return " --db " + render.ShellQuote(printableLocation(o.location))
}
