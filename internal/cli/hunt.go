package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
)

type huntFlags struct {
	listFlags
	user, ip, session string
	list, showFilter  bool
	org               string
}

func (a *app) huntCommand() *cobra.Command {
	var flags huntFlags
	cmd := &cobra.Command{
		Use:   "hunt PLAYBOOK (--user ID|LOGIN | --ip IP | --session ID)",
		Short: "Run one of the article's System Log queries for a user, an IP or a session",
		Long: `hunt runs the queries of Okta's "User Sign-in and Recovery Events" cheat sheet,
word for word, with your indicator substituted (safely escaped):

` + playbookList() + `
--user takes an Okta user id or a login (resolved through the store). Each result is
annotated with its step in the article's sequences. --show-filter prints the exact Okta
filter; --org prints a link that opens the same query in the Admin Console's System Log.`,
		Example: `  oktascope hunt user-signin --user alice@acme.example
  oktascope hunt ip-signin --ip 198.51.100.23 --since 7d
  oktascope hunt session --session 102PsWdTl3yRHmX2pQe1CzKEw --format json
  oktascope hunt user-mfa-changes --user 00u1a2b3c4d5e6f7g8h9 --show-filter --org https://acme.okta.com`,
		ValidArgsFunction: completePlaybooks,
		RunE: func(cmd *cobra.Command, args []string) error {
			if flags.list {
				return a.printPlaybooks()
			}
			if len(args) != 1 {
				return usageError("hunt: name one playbook (oktascope hunt --list shows them)")
			}
			return a.runHunt(cmd.Context(), args[0], &flags)
		},
	}
	flags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&flags.user, "user", "", "Okta user id (00u…) or login")
	f.StringVar(&flags.ip, "ip", "", "client IP address")
	f.StringVar(&flags.session, "session", "", "external session id (authenticationContext.externalSessionId)")
	f.BoolVar(&flags.list, "list", false, "list the playbooks")
	f.BoolVar(&flags.showFilter, "show-filter", false, "print the Okta filter (and, with --org, the console link) instead of running it")
	f.StringVar(&flags.org, "org", "", "Okta org URL (https://ACME.okta.com): print an Admin Console link to the same query")
	return cmd
}

func playbookList() string {
	var b strings.Builder
	for _, p := range catalog.Playbooks() {
		fmt.Fprintf(&b, "  %-17s --%-8s %s\n", p.Name, p.Parameter, p.Title)
	}
	return b.String()
}

func completePlaybooks(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, p := range catalog.Playbooks() {
		names = append(names, p.Name+"\t"+p.Title)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) printPlaybooks() error {
	tw := tabwriter.NewWriter(a.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAYBOOK\tPARAMETER\tTITLE")
	for _, p := range catalog.Playbooks() {
		fmt.Fprintf(tw, "%s\t--%s\t%s\n", p.Name, p.Parameter, p.Title)
	}
	return tw.Flush()
}

func (a *app) runHunt(ctx context.Context, name string, flags *huntFlags) error {
	p, ok := catalog.PlaybookByName(name)
	if !ok {
		return usageError("hunt: no playbook %q; oktascope hunt --list shows them", name)
	}
	value, err := flags.indicator(p)
	if err != nil {
		return err
	}
	now := time.Now()
	if flags.showFilter && p.Parameter != indicator.User {
		return a.showFilter(p.Filter(value), flags, now)
	}
	st, err := a.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if p.Parameter == indicator.User {
		if value, err = resolveUser(ctx, st, value); err != nil {
			return err
		}
	}
	text := p.Filter(value)
	if flags.showFilter {
		return a.showFilter(text, flags, now)
	}
	q, err := flags.query(filter.MustParse(text), now)
	if err != nil {
		return err
	}
	n, err := a.listEvents(ctx, st, q, &flags.listFlags, &stepColumn)
	if err != nil {
		return err
	}
	if a.io.Terminal {
		fmt.Fprintf(a.io.Err, "%d events (%s for %s)\n", n, p.Name, render.Terminal(value))
	}
	if flags.org != "" {
		return a.printConsoleLink(text, flags, now, a.io.Err)
	}
	return nil
}

// indicator returns the value the playbook needs, checking that exactly the
// right flag was given.
func (f *huntFlags) indicator(p catalog.Playbook) (string, error) {
	given := map[indicator.Kind]string{indicator.User: f.user, indicator.IP: f.ip, indicator.Session: f.session}
	for param, v := range given {
		if v != "" && param != p.Parameter {
			return "", usageError("hunt %s takes --%s, not --%s", p.Name, p.Parameter, param)
		}
	}
	if given[p.Parameter] == "" {
		return "", usageError("hunt %s needs --%s", p.Name, p.Parameter)
	}
	return given[p.Parameter], nil
}

func (a *app) showFilter(text string, flags *huntFlags, now time.Time) error {
	fmt.Fprintln(a.io.Out, text)
	if flags.org == "" {
		return nil
	}
	return a.printConsoleLink(text, flags, now, a.io.Out)
}

// printConsoleLink prints the Admin Console link for the filter over the
// --since/--until window (the last 7 days, Okta's default, when unset).
func (a *app) printConsoleLink(text string, flags *huntFlags, now time.Time, w interface{ Write([]byte) (int, error) }) error {
	from, err := parseTimeFlag("since", flags.since, now)
	if err != nil {
		return err
	}
	to, err := parseTimeFlag("until", flags.until, now)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-7 * 24 * time.Hour)
	}
	link, err := catalog.ConsoleURL(flags.org, text, from, to)
	if err != nil {
		return usageError("--org: %v", err)
	}
	_, err = fmt.Fprintln(w, "Okta Admin Console: "+link)
	return err
}

// resolveUser turns a login into the user id the article's queries need
// (indicator.UserID), listing the candidates when a login names several.
func resolveUser(ctx context.Context, st *store.Store, value string) (string, error) {
	ind, err := resolve(ctx, st, indicator.Indicator{Kind: indicator.User, Value: value})
	return ind.Value, err
}

// stepColumn annotates each event with its steps in the article's sequences.
var stepColumn = render.Column{Header: "STEP", Value: func(e *logevent.Event) string {
	var labels []string
	for _, s := range catalog.StepsOf(e.EventType) {
		labels = append(labels, fmt.Sprintf("%s %d", s.Sequence, s.Step))
	}
	return strings.Join(labels, ", ")
}}
