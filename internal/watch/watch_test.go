package watch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/synth"
)

// running is a watch started in the background.
type running struct {
	w      *Watcher
	cancel context.CancelFunc
	done   chan error
	out    *syncBuffer
}

func start(t *testing.T, st Store, opts Options) *running {
	t.Helper()
	out := &syncBuffer{}
	opts.Outputs = append([]Output{NewNDJSON(out)}, opts.Outputs...)
	if opts.Poll == 0 {
		opts.Poll = 20 * time.Millisecond
	}
	if opts.Detect.Thresholds.SprayUsers == 0 {
		opts.Detect = detect.Options{Builtin: true, Thresholds: detect.DefaultThresholds()}
	}
	w, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{w: w, cancel: cancel, done: make(chan error, 1), out: out}
	go func() { r.done <- w.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	// A new watch starts with what lands once it has found the end of the
	// store: wait for that before landing anything.
	waitFor(t, 10*time.Second, "the watch's start", func() bool {
		_, ok, _ := st.LoadCheckpoint(context.Background(), w.checkpointKey())
		return ok
	})
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		t.Errorf("watch: %v", err)
	}
}

// batchFindings is what detect finds in the events in one run.
func batchFindings(t *testing.T, events []*logevent.Event) map[string]detect.Finding {
	t.Helper()
	e, err := detect.New(detect.Options{Builtin: true, Thresholds: detect.DefaultThresholds()})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		c, err := logevent.Decode(slices.Clone(ev.Raw))
		if err != nil {
			t.Fatal(err)
		}
		e.Add(c)
	}
	out := map[string]detect.Finding{}
	for _, f := range e.Finish() {
		out[f.ID()] = f
	}
	return out
}

// land inserts events in chunks, as deliveries land, pausing between them.
func land(t *testing.T, st *store.Store, events []*logevent.Event, chunk int, pause time.Duration) {
	t.Helper()
	for i := 0; i < len(events); i += chunk {
		if _, err := st.Insert(context.Background(), events[i:min(i+chunk, len(events))]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(pause)
	}
}

// newAlerts checks that each incident is alerted new once and its updates
// carry its identity, and returns the incidents by ID, as last alerted.
func newAlerts(t *testing.T, alerts []render.Alert) map[string]render.Alert {
	t.Helper()
	byID := map[string]render.Alert{}
	versions := map[string]int{}
	for _, a := range alerts {
		_, seen := byID[a.ID]
		switch {
		case a.Status == "new" && seen:
			t.Errorf("%s (%s) alerted new twice", a.Rule, a.Indicator.Value)
		case a.Status == "updated" && !seen:
			t.Errorf("an update of %s (%s) before its first alert", a.Rule, a.ID)
		case a.Status != "new" && a.Status != "updated":
			t.Errorf("status %q", a.Status)
		}
		if a.Version <= versions[a.ID] {
			t.Errorf("%s: version %d after %d", a.ID, a.Version, versions[a.ID])
		}
		versions[a.ID] = a.Version
		byID[a.ID] = a
	}
	return byID
}

// findingsIn returns the findings of the incidents, by finding ID, and
// fails when one is in two incidents.
func findingsIn(t *testing.T, incidents map[string]render.Alert) map[string]render.AlertFinding {
	t.Helper()
	out := map[string]render.AlertFinding{}
	for _, a := range incidents {
		for _, f := range a.Findings {
			if _, dup := out[f.ID]; dup {
				t.Errorf("finding %s (%s) in two incidents", f.Rule, f.ID)
			}
			out[f.ID] = f
		}
	}
	return out
}

var incidentRules = map[synth.IncidentKind]string{
	synth.MFAPushFatigue: "oktascope-mfa-fatigue", synth.SessionHijack: "oktascope-session-hijack",
	synth.PasswordResetTakeover: "oktascope-recovery-takeover", synth.ImpossibleTravel: "oktascope-impossible-travel",
}

// TestWatchAlertsEachIncidentOnce: a generated day with the four planted
// incidents (the three attacks and an impossible travel) lands in the store, chunk after chunk, while a watch runs with
// NDJSON and a webhook: every finding a batch run finds is in an alert;
// each planted incident is one alert, alerted new exactly once, with the
// attacker's events, its flow's timeline and follow-ups, and nothing else
// is alerted; updates carry the incident's identity; the webhook gets what
// stdout gets.
func TestWatchAlertsEachIncidentOnce(t *testing.T) {
	events, planted := generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true, Travel: true})
	want := batchFindings(t, events)
	st := newStore(t)
	rec := &receiver{}
	hook, err := NewWebhook(rec.serve(t), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, st, Options{Outputs: []Output{hook}, UpdateEvery: -1})
	land(t, st, events, 500, 5*time.Millisecond)
	// The webhook has what stdout has when it has each incident's last
	// version (an output that falls behind gets an incident as it stands:
	// versions in between may be skipped).
	same := func() bool {
		a, b := newAlerts(t, lines(t, r.out.Bytes())), newAlerts(t, rec.got())
		if len(a) != len(b) {
			return false
		}
		for id, x := range a {
			if b[id].Version != x.Version {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := findingsIn(t, newAlerts(t, lines(t, r.out.Bytes())))
		if len(got) >= len(want) && same() {
			break
		}
		if time.Now().After(deadline) {
			for id, f := range want {
				if _, ok := got[id]; !ok {
					t.Logf("missing %s %s %s", id, f.Rule, f.Indicator)
				}
			}
			t.Fatalf("timed out: %d of %d findings alerted; webhook %d, stdout %d; read %d of %d", len(got), len(want), len(rec.got()), len(lines(t, r.out.Bytes())), r.w.stateEvents(), len(events))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // anything more would come now
	r.stop(t)
	alerts := lines(t, r.out.Bytes())
	incidents := newAlerts(t, alerts)
	got := findingsIn(t, incidents)
	for id, f := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("not alerted: %s (%s)", f.Rule, f.Indicator.Value)
		}
	}
	for id, f := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("alerted, not found by detect: %s (%s)", f.Rule, f.Indicator.Value)
		}
	}
	if len(planted) != 4 || len(incidents) != len(planted) {
		t.Errorf("%d alerts for %d planted incidents", len(incidents), len(planted))
		for _, a := range incidents {
			for _, f := range a.Findings {
				t.Logf("%s: %s %s %v", a.ID, f.Rule, f.Indicator.Value, f.UUIDs)
			}
		}
	}
	for _, inc := range planted {
		n := 0
		for _, a := range incidents {
			holds := slices.ContainsFunc(a.Findings, func(f render.AlertFinding) bool {
				return f.Rule == incidentRules[inc.Kind] && slices.ContainsFunc(inc.AttackerEventUUIDs, func(u string) bool { return slices.Contains(f.UUIDs, u) })
			})
			if !holds {
				continue
			}
			n++
			if !strings.Contains(string(a.Timeline), `"deviations"`) || len(a.FollowUps) < 2 || !strings.HasPrefix(a.FollowUps[0], "oktascope timeline --") {
				t.Errorf("%s alert lacks its timeline or follow-ups: %s %v", inc.Kind, a.Timeline, a.FollowUps)
			}
		}
		if n != 1 {
			t.Errorf("%s against %s: %d alerts", inc.Kind, inc.UserLogin, n)
		}
	}
}

// TestWatchRestartRepeatsNothing: a watch stopped halfway and started
// again alerts the rest, and nothing twice; an alert its webhook could not
// take before the stop is delivered after the restart. The restart reads
// again either everything (the default replay reaches back past the
// start) or only the last 2 hours of event time, so that the engine's
// rebuilt state lacks the history before: what it then finds again under
// another identity, or finds only for lack of that history, is not
// alerted again.
func TestWatchRestartRepeatsNothing(t *testing.T) {
	for _, replay := range []time.Duration{0, 2 * time.Hour} {
		t.Run("replay="+replay.String(), func(t *testing.T) { testRestart(t, replay) })
	}
}

func testRestart(t *testing.T, replay time.Duration) {
	events, _ := generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true})
	want := batchFindings(t, events)
	st := newStore(t)
	down := &receiver{failFirst: 1 << 30, failWith: 503}
	// A replay shorter than the detection windows misses what depends on
	// older events (a recovery before it, a takeover after): it must
	// repeat nothing, and may find less.
	complete := replay == 0
	hook, _ := NewWebhook(down.serve(t), FormatJSON)
	half := len(events) / 2
	r1 := start(t, st, Options{Outputs: []Output{hook}, Replay: replay})
	land(t, st, events[:half], 1000, 0)
	waitFor(t, 30*time.Second, "the first half read", func() bool { return r1.w.stateEvents() == int64(half) })
	r1.stop(t)
	first := lines(t, r1.out.Bytes())
	if len(first) == 0 {
		t.Fatal("nothing alerted in the first half: the test proves nothing")
	}

	rec := &receiver{}
	hook2, _ := NewWebhook(rec.serve(t), FormatJSON)
	r2 := start(t, st, Options{Outputs: []Output{hook2}, Replay: replay})
	land(t, st, events[half:], 1000, 0)
	waitFor(t, 30*time.Second, "everything read", func() bool { return r2.w.stateEvents() == int64(len(events)) })
	time.Sleep(300 * time.Millisecond)
	r2.stop(t)
	second := lines(t, r2.out.Bytes())
	all := append(first, second...)
	incidents := newAlerts(t, all)
	got := findingsIn(t, incidents)
	for id, f := range want {
		if _, ok := got[id]; !ok && complete {
			t.Errorf("not alerted: %s (%s)", f.Rule, f.Indicator.Value)
		}
	}
	for id, a := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("alerted, not found by detect: %s (%s)", a.Rule, a.Indicator.Value)
		}
	}
	for _, a := range second {
		if a.Status == "new" && slices.ContainsFunc(first, func(b render.Alert) bool { return b.ID == a.ID }) {
			t.Errorf("restart repeated %s", a.ID)
		}
	}
	// The webhook was down for the first run: it gets every incident now,
	// each version once.
	webhook := newAlerts(t, rec.got())
	if len(webhook) != len(incidents) {
		t.Errorf("webhook got %d incidents after the restart, want %d", len(webhook), len(incidents))
	}
}

// TestWatchReadsLateEvents: events that land after newer ones (Okta's
// deliveries may come late) are read all the same: a fatigue burst whose
// first pushes land last is alerted, citing them.
func TestWatchReadsLateEvents(t *testing.T) {
	base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	push := func(i int, at time.Time) *logevent.Event {
		raw := `{"uuid":"push-` + string(rune('a'+i)) + `","published":"` + at.Format(time.RFC3339Nano) + `","eventType":"system.push.send_factor_verify_push",` +
			`"actor":{"id":"00uvictim","type":"User","alternateId":"victim@acme.example"},"client":{"ipAddress":"198.51.100.7"},"outcome":{"result":"SUCCESS"}}`
		e, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	st := newStore(t)
	r := start(t, st, Options{UpdateEvery: -1})
	var pushes []*logevent.Event
	for i := range 6 {
		pushes = append(pushes, push(i, base.Add(time.Duration(i)*20*time.Second)))
	}
	land(t, st, pushes[3:], 3, 0) // the later pushes first
	time.Sleep(100 * time.Millisecond)
	land(t, st, pushes[:3], 3, 0) // then the earlier ones, late
	waitFor(t, 10*time.Second, "the fatigue alert", func() bool {
		for _, a := range lines(t, r.out.Bytes()) {
			if a.Rule == "oktascope-mfa-fatigue" && slices.Contains(a.UUIDs, "push-a") {
				return true
			}
		}
		return false
	})
}

// TestWatchUpdatesAtMostEveryInterval: a finding that keeps growing is
// alerted again at most once per UpdateEvery.
func TestWatchUpdatesAtMostEveryInterval(t *testing.T) {
	base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	st := newStore(t)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r := start(t, st, Options{UpdateEvery: time.Hour, Now: clock})
	for i := range 30 {
		raw := `{"uuid":"p` + strings.Repeat("x", i+1) + `","published":"` + base.Add(time.Duration(i)*10*time.Second).Format(time.RFC3339Nano) +
			`","eventType":"system.push.send_factor_verify_push","actor":{"id":"00uv","type":"User","alternateId":"v@acme.example"},"client":{"ipAddress":"198.51.100.7"},"outcome":{"result":"SUCCESS"}}`
		e, _ := logevent.Decode([]byte(raw))
		land(t, st, []*logevent.Event{e}, 1, 10*time.Millisecond)
	}
	waitFor(t, 10*time.Second, "all pushes read", func() bool { return r.w.stateEvents() == 30 })
	time.Sleep(100 * time.Millisecond)
	if n := len(lines(t, r.out.Bytes())); n != 1 {
		t.Fatalf("%d alerts within the hour, want 1", n)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	waitFor(t, 10*time.Second, "the update after the hour", func() bool { return len(lines(t, r.out.Bytes())) == 2 })
	a := lines(t, r.out.Bytes())
	if a[1].Status != "updated" || a[1].ID != a[0].ID || len(a[1].UUIDs) <= len(a[0].UUIDs) {
		t.Errorf("update: %+v", a[1])
	}
}

// TestWatchReplayKeepsItsPeace restarts a watch whose replay (2 hours)
// starts after the history some findings depend on:
//   - an admin who used the Admin Console from X at 0h, Y at 4h30 and X
//     again at 5h: X is known, no alert; the replay, which starts after 0h,
//     would find X new at 5h: not alerted;
//   - an MFA push storm from 3h to 7h, alerted at 3h08: the replay finds
//     it from its own start on, under another first event; the pushes after
//     the restart are an update of the alert, not a new alert.
func TestWatchReplayKeepsItsPeace(t *testing.T) {
	base := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	n := 0
	ev := func(at time.Duration, typ, user, ip string) *logevent.Event {
		n++
		raw := fmt.Sprintf(`{"uuid":"e%05d","published":%q,"eventType":%q,"actor":{"id":"00u-%s","type":"User","alternateId":"%s@acme.example"},`+
			`"client":{"ipAddress":%q},"outcome":{"result":"SUCCESS"}}`, n, base.Add(at).Format(time.RFC3339Nano), typ, user, user, ip)
		e, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	var events []*logevent.Event
	add := func(e *logevent.Event) { events = append(events, e) }
	admin := "user.session.access_admin_app"
	add(ev(0, admin, "ada", "192.0.2.10"))
	for m := 180; m <= 420; m += 2 {
		at := time.Duration(m) * time.Minute
		switch m {
		case 270:
			add(ev(at, admin, "ada", "192.0.2.20"))
		case 300:
			add(ev(at, admin, "ada", "192.0.2.10"))
		}
		add(ev(at, "system.push.send_factor_verify_push", "vic", "198.51.100.7"))
		// Other traffic moves the clock, as in any org.
		add(ev(at+time.Minute, "user.session.start", "bob", "192.0.2.50"))
	}
	restartAt := slices.IndexFunc(events, func(e *logevent.Event) bool { return e.Time.After(base.Add(6 * time.Hour)) })
	st := newStore(t)
	opts := Options{Replay: 2 * time.Hour, UpdateEvery: -1, Batch: 20} // small reads: replay points every hour
	r1 := start(t, st, opts)
	land(t, st, events[:restartAt], 50, 0)
	waitFor(t, 20*time.Second, "the first part read", func() bool { return r1.w.stateEvents() == int64(restartAt) })
	r1.stop(t)
	first := lines(t, r1.out.Bytes())
	storm := slices.IndexFunc(first, func(a render.Alert) bool { return a.Rule == "oktascope-mfa-fatigue" })
	if storm < 0 {
		t.Fatalf("no fatigue alert before the restart: %+v", first)
	}
	adminAlerts := func(alerts []render.Alert) int {
		k := 0
		for _, a := range alerts {
			if a.Rule == "oktascope-admin-console-new-ip" {
				k++
			}
		}
		return k
	}
	if k := adminAlerts(first); k != 1 {
		t.Fatalf("%d admin console alerts before the restart, want 1 (Y at 4h30)", k)
	}

	r2 := start(t, st, opts)
	land(t, st, events[restartAt:], 50, 0)
	waitFor(t, 20*time.Second, "everything read", func() bool { return r2.w.stateEvents() == int64(len(events)) })
	time.Sleep(200 * time.Millisecond)
	r2.stop(t)
	second := lines(t, r2.out.Bytes())
	if k := adminAlerts(second); k != 0 {
		t.Errorf("the replay alerted %d admin console accesses the watch had known", k)
	}
	newAlerts(t, append(first, second...))
	updates := 0
	for _, a := range second {
		if a.Rule == "oktascope-mfa-fatigue" {
			if a.Status != "updated" || a.ID != first[storm].ID {
				t.Errorf("the storm after the restart: %s alert %s, want an update of %s", a.Status, a.ID, first[storm].ID)
			}
			updates++
		}
	}
	if updates == 0 {
		t.Error("the storm's pushes after the restart were not alerted")
	}
}
