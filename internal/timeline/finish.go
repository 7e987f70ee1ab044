package timeline

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Finish resolves the flows still waiting for an outcome, runs the rules
// that need whole flows (incomplete, out_of_order, denied) and returns the
// timeline, flows in order of their first event. Add is ignored afterwards;
// Finish again returns the same timeline.
func (b *Builder) Finish() Timeline {
	if b.done != nil {
		return *b.done
	}
	for _, inc := range b.fatigues {
		inc.finish(b.opts)
	}
	t := Timeline{Options: b.opts, Flows: make([]Flow, 0, len(b.flows))}
	for _, fs := range b.flows {
		if fs.retired {
			continue
		}
		if w := fs.watch; w != nil {
			w.finish(b.opts)
		}
		t.Flows = append(t.Flows, fs.publish())
	}
	sort.SliceStable(t.Flows, func(i, j int) bool { return t.Flows[i].Start.Before(t.Flows[j].Start) })
	b.done = &t
	return t
}

// resolveKind settles the kind of a flow: a pending flow that got no app
// outcome is MFA (or other, without MFA events); a "recovery" of neither a
// message nor a reset (a password change, an administrator's unlock) is
// other.
func (fs *flowState) resolveKind() {
	switch {
	case fs.pending && fs.hasMFA:
		fs.kind = KindMFA
	case fs.pending:
		fs.kind = KindOther
	case (fs.kind == KindSSPR || fs.kind == KindSSU) && !fs.watched:
		// A recovery holds a first or second step (a message, a reset)
		// exactly when checkRecovery watches it.
		fs.kind = KindOther
	}
	fs.pending = false
}

// publish turns the flow into its exported form.
func (fs *flowState) publish() Flow {
	fs.resolveKind()
	seq, hasSeq := sequenceOf(fs.kind, fs.denied)
	f := Flow{
		Kind: fs.kind, Session: fs.session, Engine: fs.signals.engine(), Actor: fs.user.actor,
		Start: fs.start, End: fs.last, Steps: make([]Step, len(fs.events)),
	}
	places := make([]placement, len(fs.events))
	for i, e := range fs.events {
		places[i] = placementOf(e.EventType)
		label, description, position := labelIn(seq, hasSeq, places[i], e.EventType)
		f.Steps[i] = Step{Event: e, Label: label, Description: description, Position: position}
		if id := e.APITransaction(); id != "" && !slices.Contains(f.Transactions, id) {
			f.Transactions = append(f.Transactions, id)
		}
	}
	missing := missingSteps(f, seq, hasSeq)
	f.Complete = complete(seq, hasSeq, f.Steps)
	if isClassicSignin(f) {
		f.Complete = len(missing) == 0
	}
	var devs []Deviation
	if hasSeq {
		devs = append(devs, incomplete(f, seq, missing)...)
		devs = append(devs, outOfOrder(f, seq)...)
	}
	devs = append(devs, denied(f, places)...)
	for _, d := range fs.devs {
		devs = append(devs, *d)
	}
	sort.SliceStable(devs, func(i, j int) bool {
		return slices.Index(DeviationKinds, devs[i].Kind) < slices.Index(DeviationKinds, devs[j].Kind)
	})
	f.Deviations = devs
	return f
}

// complete reports whether every required step of seq is present and did
// not fail. A flow outside the article's sequences is complete.
func complete(seq catalog.Sequence, hasSeq bool, steps []Step) bool {
	if !hasSeq {
		return true
	}
	for _, req := range requiredSteps(seq) {
		if !slices.ContainsFunc(steps, func(s Step) bool { return s.Position == req.Number && reached(s.Event) }) {
			return false
		}
	}
	return true
}

// reached reports whether a step's event reached it: it did not fail, or it
// is the denial the step records.
func reached(e *logevent.Event) bool {
	return e.EventType == typeDenyAccess || !e.Outcome.Failed()
}

// isClassicSignin reports whether f is a sign-in that follows Classic
// Engine's sequence, which has no user.authentication.verify.
func isClassicSignin(f Flow) bool { return f.Kind == KindSignin && f.Engine == EngineClassic }

// missingSteps returns the required steps of seq that a flow stopping where
// f stops lacks: those numbered after its highest step reached; for a
// Classic sign-in, the session start and sign-on policy if absent, and the
// MFA step when the policy challenged and no factor was verified or
// enrolled.
func missingSteps(f Flow, seq catalog.Sequence, hasSeq bool) []catalog.Step {
	if !hasSeq {
		return nil
	}
	if !isClassicSignin(f) {
		hi := 0
		for _, s := range f.Steps {
			hi = max(hi, s.Position)
		}
		var out []catalog.Step
		for _, req := range requiredSteps(seq) {
			if req.Number > hi {
				out = append(out, req)
			}
		}
		return out
	}
	var started, policy, challenged, passed bool
	for _, s := range f.Steps {
		e := s.Event
		switch {
		case e.Outcome.Failed():
		case e.EventType == typeSessionInit:
			started = true
		case e.EventType == typePolicy:
			policy = true
			challenged = challenged || strings.EqualFold(e.Outcome.Result, "CHALLENGE")
		case e.EventType == typeAuthViaMFA, e.EventType == typeActivate:
			passed = true
		}
	}
	var out []catalog.Step
	for _, st := range seq.Steps {
		switch {
		case st.Has(typeSessionInit) && !started, st.Has(typePolicy) && !policy,
			st.IsRef() && st.Ref == seqMFA && challenged && !passed:
			out = append(out, st)
		}
	}
	return out
}

// incomplete flags a flow that stops before its last required step (missing
// lists the steps it lacks), unless it stopped on a failure (denied says
// so).
func incomplete(f Flow, seq catalog.Sequence, missing []catalog.Step) []Deviation {
	switch f.Kind {
	case KindSignin, KindSSPR, KindSSU, KindMFA:
	default:
		return nil
	}
	hi, first, last := 0, false, (*Step)(nil)
	for i := range f.Steps {
		if s := &f.Steps[i]; s.Position > 0 {
			hi, last = max(hi, s.Position), s
			first = first || s.Position == 1
		}
	}
	if (hi == 0 && f.Kind != KindMFA) || (last != nil && last.Event.Outcome.Failed()) || len(missing) == 0 {
		return nil
	}
	var names []string
	for _, req := range missing {
		names = append(names, fmt.Sprintf("%q", numbered(seq, req)))
	}
	how := stoppedEarly(f.Kind, hi, first)
	if isClassicSignin(f) {
		how = "Classic Engine sign-in " + classicStop(missing)
	}
	return []Deviation{{
		Kind:    Incomplete,
		Message: how + "; missing " + strings.Join(names, ", "),
		UUIDs:   labelledUUIDs(f.Steps),
	}}
}

// classicStop says where a Classic sign-in lacking the missing steps stopped.
func classicStop(missing []catalog.Step) string {
	switch {
	case missing[0].Number == 1:
		return "without a session started"
	case missing[0].Number == 2:
		return "started, sign-on policy never evaluated"
	}
	return "challenged by the sign-on policy, MFA never verified"
}

// stoppedEarly says how a flow of kind k stopped after step hi; first
// tells whether it holds its first step.
func stoppedEarly(k Kind, hi int, first bool) string {
	switch {
	case k == KindSignin && first:
		return "session started, never verified"
	case k == KindSignin:
		return "sign-in never verified"
	case k == KindSSPR && hi == 1:
		return "password reset message sent, password never reset"
	case k == KindSSPR:
		return "password reset without update"
	case k == KindSSU && hi == 1:
		return "unlock message sent, no recovery token issued"
	case k == KindSSU:
		return "unlock token without unlock"
	}
	return "MFA challenge sent, never verified"
}

// labelledUUIDs returns the uuids of the steps the article names.
func labelledUUIDs(steps []Step) []string {
	var out []string
	for _, s := range steps {
		if s.Label != "" {
			out = append(out, s.Event.UUID)
		}
	}
	return out
}

// orderTolerance is how much later than a later step a step must come to be
// out of order: Okta publishes the events of one request a few milliseconds
// apart in no fixed order.
const orderTolerance = time.Second

// outOfOrder flags each step of an ordered flow that comes more than
// orderTolerance after a later step of the same flow.
func outOfOrder(f Flow, seq catalog.Sequence) []Deviation {
	if !seq.Ordered || f.Kind == KindMFA {
		return nil
	}
	var out []Deviation
	var top *Step
	for i := range f.Steps {
		s := &f.Steps[i]
		if s.Position == 0 {
			continue
		}
		if top != nil && s.Position < top.Position && s.Event.Time.Sub(top.Event.Time) > orderTolerance {
			out = append(out, Deviation{
				Kind: OutOfOrder,
				Message: fmt.Sprintf("%q (%s) came after %q (%s): the article puts step %d before step %d",
					s.Label, s.Event.EventType, top.Label, top.Event.EventType, s.Position, top.Position),
				UUIDs: []string{top.Event.UUID, s.Event.UUID},
			})
		}
		if top == nil || s.Position > top.Position {
			top = s
		}
	}
	return out
}

// denied flags access denied to an app and sign-in steps (sign-in, MFA, app
// access) whose outcome is DENY or FAILURE: one deviation per flow.
func denied(f Flow, places []placement) []Deviation {
	var items, uuids []string
	for i, s := range f.Steps {
		e := s.Event
		switch places[i].role {
		case roleSignin, roleMFA, roleAppGranted, roleAppDenied:
		default:
			continue
		}
		if e.EventType != typeDenyAccess && !e.Outcome.Failed() {
			continue
		}
		uuids = append(uuids, e.UUID)
		items = append(items, deniedItem(s))
	}
	if len(items) == 0 {
		return nil
	}
	shown := items[:min(len(items), 3)]
	msg := fmt.Sprintf("%d sign-in step(s) denied or failed: %s", len(items), strings.Join(shown, "; "))
	if more := len(items) - len(shown); more > 0 {
		msg += fmt.Sprintf("; and %d more", more)
	}
	return []Deviation{{Kind: Denied, Message: msg, UUIDs: uuids}}
}

// deniedItem describes one denied or failed step.
func deniedItem(s Step) string {
	e := s.Event
	text := fmt.Sprintf("%s %s", e.EventType, e.Outcome.Result)
	if e.EventType == typeDenyAccess {
		text = "access denied"
		if app := appName(e); app != "" {
			text = fmt.Sprintf("access to %q denied", app)
		}
	}
	if r := e.Outcome.Reason; r != "" {
		text += " (" + r + ")"
	}
	return text
}
