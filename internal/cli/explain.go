package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
)

// explainOptions are what explain runs with.
type explainOptions struct {
	io          IO
	openBackend backendOpener

	eventTypes []string // none: list every event type known
	// catalogPath is Okta's event-type catalogue to read (--catalog, else
	// $OKTASCOPE_CATALOG); empty for none.
	catalogPath string
}

func newExplainCmd(f *factory, runF func(context.Context, *explainOptions) error) *cobra.Command {
	opts := &explainOptions{io: f.io, openBackend: f.openBackend}
	cmd := &cobra.Command{
		Use:   "explain [EVENTTYPE...]",
		Short: "Define event types: the article's definition, sequence steps, playbooks, and counts",
		Long: `explain prints, for each event type, the definition from Okta's article (or Okta's
Event Types reference for the types the article uses without defining), where it sits in
the article's sequences, which hunt playbooks return it, and how many events of it the
store holds. With no argument it lists every event type it knows.

Beyond the article's types it reads Okta's official event-type catalogue when you supply
it (--catalog FILE or $OKTASCOPE_CATALOG): the event-types.json of okta/okta-developer-docs
or its CSV form from developer.okta.com/docs/okta-event-types.csv. For any other type the
store holds events of, it shows what the store knows: how many, first and last seen, the
displayMessage values Okta wrote for it and the actors who caused the most.`,
		Example: `  oktascope explain user.session.start
  oktascope explain system.push.send_factor_verify_push user.authentication.auth_via_mfa
  oktascope explain
  oktascope explain --catalog event-types.json user.account.lock`,
		ValidArgsFunction: completeEventTypes,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.eventTypes = args
			if opts.catalogPath == "" {
				opts.catalogPath, _ = f.io.Env("OKTASCOPE_CATALOG")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExplain(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.catalogPath, "catalog", "", "Okta's event-types.json or okta-event-types.csv (default $OKTASCOPE_CATALOG)")
	return cmd
}

func runExplain(ctx context.Context, o *explainOptions) error {
	counts := o.eventTypeCounts(ctx)
	if len(o.eventTypes) == 0 {
		return o.listEventTypes(counts)
	}
	okta, err := o.oktaCatalog()
	if err != nil {
		return err
	}
	var unknown []string
	for _, id := range o.eventTypes {
		known := o.explainOne(id, counts)
		if !known {
			known = o.explainOkta(okta[id], counts)
			if counts[id] > 0 {
				if err := o.explainStored(ctx, id, known, okta != nil); err != nil {
					return err
				}
				known = true
			}
		}
		if !known {
			unknown = append(unknown, id)
		}
	}
	for _, id := range unknown {
		o.printUnknown(id, okta != nil)
	}
	if len(unknown) > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("unknown event type: %s", strings.Join(unknown, ", "))}
	}
	return nil
}

// oktaCatalog loads Okta's catalogue; nil when none is named.
func (o *explainOptions) oktaCatalog() (catalog.OktaCatalog, error) {
	if o.catalogPath == "" {
		return nil, nil
	}
	return catalog.LoadOktaCatalog(o.catalogPath)
}

// explainOkta prints an event type from Okta's catalogue; it reports false
// when the catalogue does not hold it either.
func (o *explainOptions) explainOkta(et catalog.OktaEventType, counts map[string]int) bool {
	if et.ID == "" {
		return false
	}
	w := o.io.Out
	fmt.Fprintf(w, "%s\n  %s\n  (source: Okta's event-type catalogue; category %s, since release %s)\n",
		et.ID, render.Terminal(et.Description), render.Terminal(et.Category), render.Terminal(et.Release))
	if len(et.DebugData) > 0 {
		fmt.Fprintf(w, "  debugData: %s\n", render.Terminal(strings.Join(et.DebugData, ", ")))
	}
	fmt.Fprintf(w, "  Not part of the article's sequences or playbooks.\n")
	if counts[et.ID] == 0 { // else explainStored says what the store holds
		if counts != nil {
			fmt.Fprintf(w, "  In the store: 0 events\n")
		}
		fmt.Fprintln(w)
	}
	return true
}

// The most displayMessage values and actors explainStored lists, and the
// most distinct ones it counts (a type can have millions of events).
const (
	shownMessages   = 10
	shownActors     = 5
	trackedMessages = 1000
	trackedActors   = 10000
)

// storedType is what the store holds of one event type.
type storedType struct {
	events      int
	first, last time.Time
	messages    tally
	actors      tally
}

// tally counts distinct values, up to a limit; values beyond it are
// counted together in others.
type tally struct {
	counts map[string]int
	limit  int
	others int
}

func (t *tally) add(v string) {
	if _, ok := t.counts[v]; ok || len(t.counts) < t.limit {
		if t.counts == nil {
			t.counts = map[string]int{}
		}
		t.counts[v]++
		return
	}
	t.others++
}

// valueCount is a value and how many events have it.
type valueCount struct {
	value string
	count int
}

// top returns the n most frequent values, ties in value order.
func (t *tally) top(n int) []valueCount {
	out := make([]valueCount, 0, len(t.counts))
	for v, c := range t.counts {
		out = append(out, valueCount{v, c})
	}
	slices.SortFunc(out, func(a, b valueCount) int { return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.value, b.value)) })
	return out[:min(n, len(out))]
}

// explainStored prints what the store holds of an event type neither the
// article nor (when catalogued is false) Okta's catalogue defines: how
// many, first and last seen, the displayMessage values Okta wrote for it,
// the actors who caused the most.
func (o *explainOptions) explainStored(ctx context.Context, id string, catalogued, withOkta bool) error {
	st := storedType{messages: tally{limit: trackedMessages}, actors: tally{limit: trackedActors}}
	err := o.eventsOfType(ctx, id, func(e *logevent.Event) error {
		if st.events == 0 {
			st.first = e.Time
		}
		st.events++
		st.last = e.Time
		st.messages.add(e.DisplayMessage)
		st.actors.add(actorText(e.Actor))
		return nil
	})
	if err != nil {
		return fmt.Errorf("explain %s: %w", id, err)
	}
	w := o.io.Out
	if !catalogued {
		fmt.Fprintf(w, "%s\n  Not an event type the article names", render.Terminal(id))
		if withOkta {
			fmt.Fprint(w, " nor Okta's catalogue")
		}
		fmt.Fprint(w, "; what the store holds of it:\n")
	}
	fmt.Fprintf(w, "  In the store: %d events, first %s, last %s\n", st.events, stampOf(st.first), stampOf(st.last))
	writeTally(w, "displayMessage values Okta wrote", &st.messages, shownMessages)
	writeTally(w, "Actors with the most events", &st.actors, shownActors)
	// The type is event content: escaped, and a \uXXXX escape inside the
	// filter's string still means the character.
	fmt.Fprintf(w, "  Search: oktascope search %s\n\n", render.Terminal(render.ShellQuote(`eventType eq `+filter.Quote(id))))
	return nil
}

// writeTally prints the most frequent values of t under a heading.
func writeTally(w io.Writer, heading string, t *tally, n int) {
	distinct := fmt.Sprintf("%d distinct", len(t.counts))
	if t.others > 0 {
		distinct = fmt.Sprintf("%d distinct counted; %d events beyond them not", len(t.counts), t.others)
	}
	fmt.Fprintf(w, "  %s (%s):\n", heading, distinct)
	for _, c := range t.top(n) {
		fmt.Fprintf(w, "    %6d  %s\n", c.count, render.Terminal(orNone(c.value)))
	}
	if more := len(t.counts) - n; more > 0 {
		fmt.Fprintf(w, "    … and %d more\n", more)
	}
}

// actorText names an actor: "login (id)", the parts present.
func actorText(a logevent.Actor) string {
	switch {
	case a.AlternateID != "" && a.ID != "" && a.AlternateID != a.ID:
		return a.AlternateID + " (" + a.ID + ")"
	case a.AlternateID != "":
		return a.AlternateID
	}
	return a.ID
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func stampOf(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// eventsOfType streams the backend's events of one type, in published
// order: the one place explain reads events.
func (o *explainOptions) eventsOfType(ctx context.Context, eventType string, fn func(*logevent.Event) error) error {
	f, err := filter.Parse("eventType eq " + filter.Quote(eventType))
	if err != nil {
		return err
	}
	return o.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		return st.Search(ctx, backend.Query{Filter: f}, func(e *logevent.Event, _ backend.Cursor) error { return fn(e) })
	})
}

func completeEventTypes(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var ids []string
	for _, et := range catalog.EventTypes() {
		ids = append(ids, et.ID)
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// eventTypeCounts counts events by type in the store; nil when there is no
// store, or it cannot be read (explain works without one).
func (o *explainOptions) eventTypeCounts(ctx context.Context) map[string]int {
	var counts map[string]int
	_ = o.openBackend.with(ctx, mustExist, func(st backend.Backend) error {
		typeCounts, err := st.EventTypeCounts(ctx)
		if err != nil {
			return err
		}
		counts = make(map[string]int, len(typeCounts))
		for _, tc := range typeCounts {
			counts[tc.EventType] = tc.Count
		}
		return nil
	})
	return counts
}

func (o *explainOptions) listEventTypes(counts map[string]int) error {
	for _, et := range catalog.EventTypes() {
		fmt.Fprintf(o.io.Out, "%-45s %s%s\n", et.ID, countText(counts, et.ID), et.Description)
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
func (o *explainOptions) explainOne(id string, counts map[string]int) bool {
	w := o.io.Out
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
func (o *explainOptions) printUnknown(id string, withOkta bool) {
	w := o.io.Out
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
