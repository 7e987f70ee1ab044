package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/render"
)

func (a *app) explainCommand() *cobra.Command {
	var catalogPath string
	cmd := &cobra.Command{
		Use:   "explain [EVENTTYPE...]",
		Short: "Define event types: the article's definition, sequence steps, playbooks, and counts",
		Long: `explain prints, for each event type, the definition from Okta's article (or Okta's
Event Types reference for the types the article uses without defining), where it sits in
the article's sequences, which hunt playbooks return it, and how many events of it the
store holds. With no argument it lists every event type it knows.

Beyond the article's types it reads Okta's official event-type catalogue when you supply
it (--catalog FILE or $OKTASCOPE_CATALOG): the event-types.json of okta/okta-developer-docs
or its CSV form from developer.okta.com/docs/okta-event-types.csv.`,
		Example: `  oktascope explain user.session.start
  oktascope explain system.push.send_factor_verify_push user.authentication.auth_via_mfa
  oktascope explain
  oktascope explain --catalog event-types.json user.account.lock`,
		ValidArgsFunction: completeEventTypes,
		RunE: func(cmd *cobra.Command, args []string) error {
			counts := a.eventTypeCounts(cmd.Context())
			if len(args) == 0 {
				return a.listEventTypes(counts)
			}
			okta, err := a.oktaCatalog(catalogPath)
			if err != nil {
				return err
			}
			var unknown []string
			for _, id := range args {
				if !a.explainOne(id, counts) && !a.explainOkta(okta[id], counts) {
					unknown = append(unknown, id)
				}
			}
			for _, id := range unknown {
				a.printUnknown(id, okta != nil)
			}
			if len(unknown) > 0 {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("unknown event type: %s", strings.Join(unknown, ", "))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&catalogPath, "catalog", "", "Okta's event-types.json or okta-event-types.csv (default $OKTASCOPE_CATALOG)")
	return cmd
}

// oktaCatalog loads Okta's catalogue from the flag or the environment; nil
// when neither names one.
func (a *app) oktaCatalog(path string) (catalog.OktaCatalog, error) {
	if path == "" {
		path, _ = a.io.Env("OKTASCOPE_CATALOG")
	}
	if path == "" {
		return nil, nil
	}
	return catalog.LoadOktaCatalog(path)
}

// explainOkta prints an event type from Okta's catalogue; it reports false
// when the catalogue does not hold it either.
func (a *app) explainOkta(et catalog.OktaEventType, counts map[string]int) bool {
	if et.ID == "" {
		return false
	}
	w := a.io.Out
	fmt.Fprintf(w, "%s\n  %s\n  (source: Okta's event-type catalogue; category %s, since release %s)\n",
		et.ID, render.Terminal(et.Description), render.Terminal(et.Category), render.Terminal(et.Release))
	if len(et.DebugData) > 0 {
		fmt.Fprintf(w, "  debugData: %s\n", render.Terminal(strings.Join(et.DebugData, ", ")))
	}
	fmt.Fprintf(w, "  Not part of the article's sequences or playbooks.\n")
	if counts != nil {
		fmt.Fprintf(w, "  In the store: %d events\n", counts[et.ID])
	}
	fmt.Fprintln(w)
	return true
}

func completeEventTypes(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var ids []string
	for _, et := range catalog.EventTypes() {
		ids = append(ids, et.ID)
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// eventTypeCounts counts events by type in the store; nil when there is no
// store (explain works without one).
func (a *app) eventTypeCounts(ctx context.Context) map[string]int {
	st, err := a.openBackend(ctx, mustExist)
	if err != nil {
		return nil
	}
	defer st.Close()
	typeCounts, err := st.EventTypeCounts(ctx)
	if err != nil {
		return nil
	}
	counts := make(map[string]int, len(typeCounts))
	for _, tc := range typeCounts {
		counts[tc.EventType] = tc.Count
	}
	return counts
}

func (a *app) listEventTypes(counts map[string]int) error {
	for _, et := range catalog.EventTypes() {
		fmt.Fprintf(a.io.Out, "%-45s %s%s\n", et.ID, countText(counts, et.ID), et.Description)
	}
	return nil
}

func countText(counts map[string]int, id string) string {
	if counts == nil {
		return ""
	}
	return fmt.Sprintf("[%d in store] ", counts[id])
}

// explainOne prints one event type; it reports false when it is unknown.
func (a *app) explainOne(id string, counts map[string]int) bool {
	w := a.io.Out
	et, ok := catalog.Lookup(id)
	if !ok {
		return false
	}
	fmt.Fprintf(w, "%s\n  %s\n  (source: %s)\n", et.ID, et.Description, et.Source)
	if et.ScenarioDescription != "" {
		fmt.Fprintf(w, "  In the article's sequence: %s\n", et.ScenarioDescription)
	}
	if et.Note != "" {
		fmt.Fprintf(w, "  Note: %s\n", et.Note)
	}
	printSteps(w, et.ID)
	printPlaybooks(w, et.ID)
	if counts != nil {
		fmt.Fprintf(w, "  In the store: %d events\n", counts[et.ID])
	}
	fmt.Fprintln(w)
	return true
}

func printSteps(w io.Writer, id string) {
	for _, ref := range catalog.StepsOf(id) {
		seq, _ := catalog.SequenceByName(ref.Sequence)
		fmt.Fprintf(w, "  Step %d of %q (%s): %s\n", ref.Step, seq.Title, ref.Sequence, ref.Label)
	}
}

func printPlaybooks(w io.Writer, id string) {
	var names []string
	for _, p := range catalog.Playbooks() {
		if slices.Contains(p.EventTypes, id) {
			names = append(names, p.Name)
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "  Returned by: oktascope hunt %s\n", strings.Join(names, ", hunt "))
	}
	fmt.Fprintf(w, "  Search: oktascope search %s\n", render.ShellQuote(`eventType eq `+filter.Quote(id)))
}

// printUnknown says an event type is unknown, with the closest known names.
func (a *app) printUnknown(id string, withOkta bool) {
	w := a.io.Out
	fmt.Fprintf(w, "%s: not an event type the article names", render.Terminal(id))
	if withOkta {
		fmt.Fprint(w, " nor Okta's catalogue")
	}
	fmt.Fprint(w, ".")
	if near := catalog.Closest(id, 3); len(near) > 0 {
		fmt.Fprintf(w, " Did you mean: %s?", strings.Join(near, ", "))
	}
	if !withOkta {
		fmt.Fprint(w, " (--catalog FILE adds Okta's full list of event types.)")
	}
	fmt.Fprintln(w)
}
