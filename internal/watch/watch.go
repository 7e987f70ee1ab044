// Package watch runs the detection engine continuously over the events as
// they land in a backend (from collect --follow, the Event Hook receiver or
// any import) and alerts each finding once: when it appears, then, at most
// once per UpdateEvery, when it grows (more pushes in the same fatigue
// storm). Findings and what each output acknowledged are kept in the
// backend (backend.FindingStore), and the position reached in the
// backend's checkpoints, so that a restarted watch neither repeats an
// alert nor loses one.
//
// Events are read in the order the backend stored them (backend.ByReceived)
// after a cursor, so that an event that lands late, with an old published
// time, is read all the same; each read is fed to the engine in published
// order. After a restart, the engine's state (open flows, sessions, bursts)
// is rebuilt by reading again the events of the last Replay of event time:
// the findings that reading finds again are the ones already alerted, and
// are not alerted again.
package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Store is what a watch needs of a backend: its events, its checkpoints
// (the position reached) and its findings.
type Store interface {
	backend.Reader
	backend.Checkpoints
	backend.FindingStore
}

// Defaults.
const (
	DefaultName        = "default"
	DefaultPoll        = time.Second
	DefaultBatch       = 5000
	DefaultUpdateEvery = time.Minute
	// pointEvery is how often, in event time, the state records a point a
	// restart may replay from.
	pointEvery = time.Hour
)

// Options configure a Watcher. Zero fields take the defaults documented on
// them.
type Options struct {
	// Name names the watch in the backend: its position and findings
	// (default "default"). Watches of different names share nothing.
	Name string
	// Detect chooses the rules (Live is set by the watch).
	Detect detect.Options
	// Since, for a watch that has no position yet, starts it with the
	// events published at or after Since; zero starts it with the events
	// that land from now on. A watch with a position resumes from it.
	Since time.Time
	// Poll is the pause between reads once caught up (default 1 s).
	Poll time.Duration
	// Batch is the most events read at once (default 5000).
	Batch int
	// Replay is how much event time a restart reads again to rebuild the
	// engine's state (default twice the detection horizon: 48 hours).
	Replay time.Duration
	// UpdateEvery is the least time between two alerts of one finding as
	// it grows (default a minute; negative: every change).
	UpdateEvery time.Duration
	// Outputs receive the alerts.
	Outputs []Output
	// TimelineEvents bounds the events read to give an alert the timeline
	// of its flow (default 2000).
	TimelineEvents int
	// Now is the wall clock (default time.Now).
	Now func() time.Time
	// Logf reports progress and delivery problems (default: nothing).
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Replay <= 0 {
		o.Replay = 2 * o.Detect.Thresholds.Timeline.Horizon()
	}
	if o.UpdateEvery == 0 {
		o.UpdateEvery = DefaultUpdateEvery
	}
	if o.TimelineEvents <= 0 {
		o.TimelineEvents = 2000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	o.Detect.Live = true
	return o
}

// Watcher is one watch over a backend.
type Watcher struct {
	store  Store
	opts   Options
	engine *detect.Engine
	state  state
	book   *book
	// replayLeft counts the events still to read again before the watch
	// is back where it stopped.
	replayLeft int64
	wake       []chan struct{} // per output: alerts are due
	read       atomic.Int64    // events read, as saved (for tests and progress)
	// batch holds the published time of each event of the read being
	// recorded, by uuid.
	batch map[string]time.Time
}

// New prepares a watch; Run runs it.
func New(store Store, opts Options) (*Watcher, error) {
	opts = opts.withDefaults()
	engine, err := detect.New(opts.Detect)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, o := range opts.Outputs {
		if names[o.Name()] {
			return nil, fmt.Errorf("watch: two outputs named %q", o.Name())
		}
		names[o.Name()] = true
	}
	w := &Watcher{store: store, opts: opts, engine: engine}
	w.book = newBook(w)
	return w, nil
}

// Run watches until ctx is done (then it returns nil) or an error stops it.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.start(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := w.deliver(ctx)
	err := w.loop(ctx)
	cancel()
	<-done
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// loop reads, detects and alerts until ctx is done.
func (w *Watcher) loop(ctx context.Context) error {
	for {
		n, err := w.step(ctx)
		if err != nil {
			return err
		}
		if n < w.opts.Batch {
			if err := w.book.flushUpdates(ctx); err != nil {
				return err
			}
			if err := sleep(ctx, w.opts.Poll); err != nil {
				return nil
			}
		}
	}
}

// step reads the next events, feeds them to the engine in published order
// and records the findings; it returns how many events it read.
func (w *Watcher) step(ctx context.Context) (int, error) {
	q := backend.Query{Order: backend.ByReceived, Since: w.state.Since, Limit: w.opts.Batch, After: backend.Cursor(w.state.Cursor)}
	var events []*logevent.Event
	var last backend.Cursor
	err := w.store.Search(ctx, q, func(e *logevent.Event, c backend.Cursor) error {
		events = append(events, e)
		last = c
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("watch: reading events: %w", err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	// The events already read before a restart, then the new ones: a
	// finding that first shows among the former was alerted then.
	replayed := events[:min(int64(len(events)), w.replayLeft)]
	fresh := events[len(replayed):]
	w.replayLeft -= int64(len(replayed))
	for _, part := range []struct {
		events []*logevent.Event
		replay bool
	}{{replayed, true}, {fresh, false}} {
		if len(part.events) == 0 {
			continue
		}
		w.feed(part.events)
		final, open := w.engine.Drain()
		if err := w.book.record(ctx, final, open, part.replay); err != nil {
			return 0, err
		}
		if part.replay && w.replayLeft == 0 {
			w.book.replayDone()
			w.opts.Logf("watch %s: state rebuilt; watching", w.opts.Name)
		}
	}
	w.state.advance(string(last), len(events), w.opts.Replay)
	if err := w.saveState(ctx); err != nil {
		return 0, err
	}
	w.read.Store(w.state.Events)
	w.notify()
	return len(events), nil
}

// stateEvents is how many events the watch has read since it began.
func (w *Watcher) stateEvents() int64 { return w.read.Load() }

// feed gives the engine the events in published order (stable: the
// backend's order among equal times).
func (w *Watcher) feed(events []*logevent.Event) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	clear(w.batch)
	if w.batch == nil {
		w.batch = make(map[string]time.Time, len(events))
	}
	for _, e := range events {
		w.batch[e.UUID] = e.Time
	}
	for _, e := range events {
		if e.Time.After(w.state.Clock) {
			w.state.Clock = e.Time
		}
		w.engine.Add(e)
	}
}

// notify wakes the deliverers.
func (w *Watcher) notify() {
	for _, c := range w.wake {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// sleep pauses for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// state is the position a watch keeps in the backend's checkpoints.
type state struct {
	Version int       `json:"version"`
	Since   time.Time `json:"since,omitzero"`
	Cursor  string    `json:"cursor"`
	// Clock is the latest published time fed to the engine.
	Clock time.Time `json:"clock"`
	// Events counts the events read since the watch began.
	Events int64 `json:"events"`
	// Points are positions a restart may read again from, about an hour
	// of event time apart, the oldest Replay or more behind Clock.
	Points []point `json:"points"`
}

// point is a position in the order of the backend's storing, with the
// clock and the count of events read when the watch was there.
type point struct {
	Cursor string    `json:"cursor"`
	Clock  time.Time `json:"clock"`
	Events int64     `json:"events"`
}

// stateVersion is the version of the state's JSON.
const stateVersion = 1

// checkpointKey is where a watch keeps its state.
func (w *Watcher) checkpointKey() string { return "watch " + w.opts.Name }

// start loads the watch's state, or makes a new one, and sets up the replay
// of the events that rebuild the engine's state.
func (w *Watcher) start(ctx context.Context) error {
	text, ok, err := w.store.LoadCheckpoint(ctx, w.checkpointKey())
	if err != nil {
		return fmt.Errorf("watch: loading the position: %w", err)
	}
	if ok {
		if err := json.Unmarshal([]byte(text), &w.state); err != nil || w.state.Version != stateVersion {
			return fmt.Errorf("watch %s: the saved position is not one this oktascope reads", w.opts.Name)
		}
		return w.resume(ctx)
	}
	w.state = state{Version: stateVersion, Since: w.opts.Since}
	if w.opts.Since.IsZero() {
		// From now on: after the last event stored.
		err := w.store.Search(ctx, backend.Query{Order: backend.ByReceived, Desc: true, Limit: 1}, func(_ *logevent.Event, c backend.Cursor) error {
			w.state.Cursor = string(c)
			return nil
		})
		if err != nil {
			return fmt.Errorf("watch: finding the end of the store: %w", err)
		}
	}
	w.state.Points = []point{{Cursor: w.state.Cursor}}
	w.opts.Logf("watch %s: new, from %s", w.opts.Name, w.startText())
	return w.saveState(ctx)
}

func (w *Watcher) startText() string {
	if w.opts.Since.IsZero() {
		return "the events that land from now on"
	}
	return "the events published since " + w.opts.Since.UTC().Format(time.RFC3339)
}

// resume goes back to the replay point: the newest at least Replay behind
// the clock (else the oldest), and loads the findings that replay may find
// again.
func (w *Watcher) resume(ctx context.Context) error {
	st := &w.state
	if len(st.Points) == 0 {
		st.Points = []point{{Cursor: st.Cursor, Clock: st.Clock, Events: st.Events}}
	}
	from := st.Points[0]
	for _, p := range st.Points {
		if !p.Clock.After(st.Clock.Add(-w.opts.Replay)) {
			from = p
		}
	}
	w.replayLeft = st.Events - from.Events
	st.Cursor, st.Events = from.Cursor, from.Events
	st.Points = slices.DeleteFunc(st.Points, func(p point) bool { return p.Events > from.Events })
	st.Clock = from.Clock
	if err := w.book.load(ctx, from.Clock.Add(-w.opts.Detect.Thresholds.Timeline.Horizon())); err != nil {
		return err
	}
	w.opts.Logf("watch %s: resuming; reading %d events again to rebuild its state", w.opts.Name, w.replayLeft)
	if w.replayLeft == 0 {
		w.book.replayDone()
	}
	return nil
}

// advance records that the watch read n more events, up to cursor.
func (st *state) advance(cursor string, n int, replay time.Duration) {
	st.Cursor = cursor
	st.Events += int64(n)
	if last := st.Points[len(st.Points)-1]; st.Clock.Sub(last.Clock) >= pointEvery {
		st.Points = append(st.Points, point{Cursor: cursor, Clock: st.Clock, Events: st.Events})
	}
	// Keep the newest point at least replay behind the clock, and those
	// after it.
	keep := 0
	for i, p := range st.Points {
		if !p.Clock.After(st.Clock.Add(-replay)) {
			keep = i
		}
	}
	st.Points = st.Points[keep:]
}

func (w *Watcher) saveState(ctx context.Context) error {
	text, err := json.Marshal(w.state)
	if err != nil {
		return err
	}
	if err := w.store.SaveCheckpoint(ctx, w.checkpointKey(), string(text)); err != nil {
		return fmt.Errorf("watch: saving the position: %w", err)
	}
	return nil
}
