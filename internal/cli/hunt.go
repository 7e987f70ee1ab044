package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
)

// huntOptions are what hunt runs with.
type huntOptions struct {
	io          IO
	openBackend backendOpener

	list     bool // list the playbooks, and nothing else
	playbook catalog.Playbook
	value    string // the indicator's value as given: a login is resolved when run
	listing  listing
	// showFilter prints the filter instead of running it.
	showFilter bool
	// org, when set, asks for an Admin Console link to the same query over
	// [consoleFrom, consoleTo).
	org                    string
	consoleFrom, consoleTo time.Time
}

func newHuntCmd(f *factory, runF func(context.Context, *huntOptions) error) *cobra.Command {
	opts := &huntOptions{io: f.io, openBackend: f.openBackend}
	var (
		flags      listFlags
		indicators indicatorFlags
	)
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
			if !opts.list {
				if err := opts.parse(args, &indicators, &flags, f.now(), f.io.Terminal); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runHunt(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	flags.register(fl)
	indicators.register(fl)
	fl.BoolVar(&opts.list, "list", false, "list the playbooks")
	fl.BoolVar(&opts.showFilter, "show-filter", false, "print the Okta filter (and, with --org, the console link) instead of running it")
	fl.StringVar(&opts.org, "org", "", "Okta org URL (https://ACME.okta.com): print an Admin Console link to the same query")
	return cmd
}

// parse reads the playbook named by args, its indicator and the listing
// flags.
func (o *huntOptions) parse(args []string, indicators *indicatorFlags, flags *listFlags, now time.Time, terminal bool) error {
	if len(args) != 1 {
		return usageError("hunt: name one playbook (oktascope hunt --list shows them)")
	}
	p, ok := catalog.PlaybookByName(args[0])
	if !ok {
		return usageError("hunt: no playbook %q; oktascope hunt --list shows them", args[0])
	}
	o.playbook = p
	for _, ind := range indicators.given() {
		if ind.Kind != p.Parameter {
			return usageError("hunt %s takes --%s, not --%s", p.Name, p.Parameter, ind.Kind)
		}
		o.value = ind.Value
	}
	if o.value == "" {
		return usageError("hunt %s needs --%s", p.Name, p.Parameter)
	}
	var err error
	if o.listing, err = flags.parse(now, terminal); err != nil {
		return err
	}
	// The console link spans the window, or Okta's default of the last
	// 7 days for a side left open.
	o.consoleFrom, o.consoleTo = o.listing.query.Since, o.listing.query.Until
	if o.consoleTo.IsZero() {
		o.consoleTo = now
	}
	if o.consoleFrom.IsZero() {
		o.consoleFrom = o.consoleTo.Add(-7 * 24 * time.Hour)
	}
	return nil
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

// listPlaybooks prints the playbooks as a table.
func listPlaybooks(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAYBOOK\tPARAMETER\tTITLE")
	for _, p := range catalog.Playbooks() {
		fmt.Fprintf(tw, "%s\t--%s\t%s\n", p.Name, p.Parameter, p.Title)
	}
	return tw.Flush()
}

func runHunt(ctx context.Context, opts *huntOptions) error {
	if opts.list {
		return listPlaybooks(opts.io.Out)
	}
	p := opts.playbook
	if opts.showFilter && p.Parameter != indicator.User {
		return opts.printFilter(p.Filter(opts.value))
	}
	return opts.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		value := opts.value
		if p.Parameter == indicator.User {
			ind, err := resolve(ctx, st, indicator.Indicator{Kind: indicator.User, Value: value})
			if err != nil {
				return err
			}
			value = ind.Value
		}
		text := p.Filter(value)
		if opts.showFilter {
			return opts.printFilter(text)
		}
		n, err := listEvents(ctx, st, opts.io, opts.listing, filter.MustParse(text), &stepColumn)
		if err != nil {
			return err
		}
		if opts.io.Terminal {
			fmt.Fprintf(opts.io.Err, "%d events (%s for %s)\n", n, p.Name, render.Terminal(value))
		}
		if opts.org != "" {
			return opts.printConsoleLink(text, opts.io.Err)
		}
		return nil
	})
}

// printFilter prints the playbook's filter, and the console link with
// --org.
func (o *huntOptions) printFilter(text string) error {
	fmt.Fprintln(o.io.Out, text)
	if o.org == "" {
		return nil
	}
	return o.printConsoleLink(text, o.io.Out)
}

// printConsoleLink prints the Admin Console link for the filter.
func (o *huntOptions) printConsoleLink(text string, w io.Writer) error {
	link, err := catalog.ConsoleURL(o.org, text, o.consoleFrom, o.consoleTo)
	if err != nil {
		return usageError("--org: %v", err)
	}
	_, err = fmt.Fprintln(w, "Okta Admin Console: "+link)
	return err
}

// stepColumn annotates each event with its steps in the article's sequences.
var stepColumn = render.Column{Header: "STEP", Value: func(e *logevent.Event) string {
	var labels []string
	for _, s := range catalog.StepsOf(e.EventType) {
		labels = append(labels, fmt.Sprintf("%s %d", s.Sequence, s.Step))
	}
	return strings.Join(labels, ", ")
}}
