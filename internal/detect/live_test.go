package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
)

// drained feeds events to a live engine, draining after every event, and
// returns, per finding ID, the finding as last seen (open or final), the
// index of the event after which it first showed, and whether it ended
// final.
type drainedFinding struct {
	f     Finding
	first int
	final bool
}

func drainEvery(t *testing.T, opts Options, events []*logevent.Event) map[string]*drainedFinding {
	t.Helper()
	opts.Live = true
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*drainedFinding{}
	note := func(i int, fs []Finding, final bool) {
		for _, f := range fs {
			id := f.ID()
			d := seen[id]
			if d == nil {
				d = &drainedFinding{first: i}
				seen[id] = d
			}
			if d.final {
				t.Fatalf("%s (%s) came again after it was final", f.Rule, f.Indicator.Value)
			}
			if len(f.UUIDs) < len(d.f.UUIDs) || f.Count < d.f.Count {
				t.Fatalf("%s (%s) shrank: %d events, then %d", f.Rule, f.Indicator.Value, len(d.f.UUIDs), len(f.UUIDs))
			}
			for _, u := range d.f.UUIDs {
				if !slices.Contains(f.UUIDs, u) {
					t.Fatalf("%s (%s) dropped %s as it grew", f.Rule, f.Indicator.Value, u)
				}
			}
			d.f, d.final = f, final
		}
	}
	for i, ev := range events {
		e.Add(ev)
		final, open := e.Drain()
		note(i, final, true)
		note(i, open, false)
	}
	note(len(events), e.Finish(), true)
	return seen
}

// TestLiveFindsWhatBatchFinds streams a generated day with the three
// planted incidents through a live engine, draining after every event:
// it finds the findings a batch run finds, each under one identity from
// first sight to its final form, growing only; and it shows each
// incident no later than the last event the finding cites.
func TestLiveFindsWhatBatchFinds(t *testing.T) {
	events, incidents := samples.Generated(t, synth.Options{Seed: 5, Users: 60, Events: 15000, Incidents: true})
	opts := Options{Builtin: true, Thresholds: DefaultThresholds()}
	batch := runEngine(t, opts, decodeAgain(t, events))
	live := drainEvery(t, opts, events)
	if len(batch) == 0 {
		t.Fatal("the batch run found nothing: the test proves nothing")
	}
	for _, f := range batch {
		d, ok := live[f.ID()]
		if !ok {
			t.Errorf("live missed %s (%s, %d events)", f.Rule, f.Indicator.Value, f.Count)
			continue
		}
		if fmt.Sprint(d.f.UUIDs) != fmt.Sprint(f.UUIDs) || d.f.Count != f.Count || d.f.Message != f.Message {
			t.Errorf("%s (%s): live ended with %d events %q, batch %d %q", f.Rule, f.Indicator.Value, len(d.f.UUIDs), d.f.Message, len(f.UUIDs), f.Message)
		}
	}
	if len(live) != len(batch) {
		t.Errorf("live found %d findings, batch %d", len(live), len(batch))
	}
	index := map[string]int{}
	for i, e := range events {
		index[e.UUID] = i
	}
	want := map[synth.IncidentKind]string{
		synth.MFAPushFatigue: "oktascope-mfa-fatigue", synth.SessionHijack: "oktascope-session-hijack",
		synth.PasswordResetTakeover: "oktascope-recovery-takeover",
	}
	for _, inc := range incidents {
		var hit *drainedFinding
		for _, d := range live {
			if d.f.Rule == want[inc.Kind] && citesAny(d.f, inc.AttackerEventUUIDs) {
				hit = d
			}
		}
		if hit == nil {
			t.Errorf("%s against %s: no live finding", inc.Kind, inc.UserLogin)
			continue
		}
		last := 0
		for _, u := range hit.f.UUIDs {
			last = max(last, index[u])
		}
		if hit.first > last {
			t.Errorf("%s: shown after event %d, its last cited event is %d", inc.Kind, hit.first, last)
		}
	}
}

// decodeAgain decodes fresh copies: an engine trims the events it keeps.
func decodeAgain(t *testing.T, events []*logevent.Event) []*logevent.Event {
	t.Helper()
	out := make([]*logevent.Event, len(events))
	for i, e := range events {
		c, err := logevent.Decode(append([]byte(nil), e.Raw...))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = c
	}
	return out
}

// TestLiveClosesIdleFindings: a per-event finding of one user closes once
// the user is idle past the horizon, so that a live engine forgets it and
// a match days later is a new finding.
func TestLiveClosesIdleFindings(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	curl := func(n int, at time.Time) *logevent.Event {
		raw := fmt.Sprintf(`{"uuid":"c%d","published":%q,"eventType":"user.session.start","actor":{"id":"00umal","type":"User","alternateId":"mal@acme.example"},`+
			`"client":{"ipAddress":"203.0.113.9","userAgent":{"rawUserAgent":"curl/8.4.0"}},"outcome":{"result":"FAILURE"}}`, n, at.Format(time.RFC3339Nano))
		e, err := logevent.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	var events []*logevent.Event
	for i := range 3 {
		events = append(events, curl(i, start.Add(time.Duration(i)*time.Minute)))
	}
	for i := range 3 {
		events = append(events, curl(10+i, start.Add(72*time.Hour+time.Duration(i)*time.Minute)))
	}
	opts := Options{Builtin: true, Thresholds: DefaultThresholds(), Live: true}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var finals []Finding
	for _, ev := range events {
		e.Add(ev)
		final, _ := e.Drain()
		finals = append(finals, final...)
	}
	ua := findingsOf(finals, "oktascope-suspicious-user-agent")
	if len(ua) != 1 || ua[0].Count != 3 || ua[0].UUIDs[0] != "c0" {
		t.Fatalf("closed findings: %+v", ua)
	}
	if len(e.grouped) != 1 {
		t.Errorf("the engine holds %d per-event findings, want the new one only", len(e.grouped))
	}
	rest := findingsOf(e.Finish(), "oktascope-suspicious-user-agent")
	if len(rest) != 1 || rest[0].UUIDs[0] != "c10" || rest[0].ID() == ua[0].ID() {
		t.Fatalf("the later matches: %+v", rest)
	}
}
