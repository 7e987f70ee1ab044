package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/web"
)

const hookSecret = "okta-event-hook-secret-4f1c"

// alertSink is the webhook receiver of the tests: it records each alert
// and when it came.
type alertSink struct {
	mu     sync.Mutex
	alerts []render.Alert
	at     []time.Time
}

func (s *alertSink) serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var a render.Alert
		if err := json.Unmarshal(body, &a); err != nil {
			t.Errorf("the webhook got no alert: %v: %s", err, body)
			return
		}
		s.mu.Lock()
		s.alerts, s.at = append(s.alerts, a), append(s.at, time.Now())
		s.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/alerts"
}

func (s *alertSink) got() ([]render.Alert, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.alerts), slices.Clone(s.at)
}

// watching runs `watch` in the background until the test ends; it returns
// its standard output and a function that stops it.
func watching(t *testing.T, args ...string) (*syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	streams := IO{In: strings.NewReader(""), Out: out, Err: errOut, Env: func(string) (string, bool) { return "", false }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, streams) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("watch exited %d: %s", code, errOut)
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errOut.String(), "watch default: ") {
		if time.Now().After(deadline) {
			t.Fatalf("watch did not start: %s", errOut)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return out, stop
}

// deliveries cuts events (in published order) into Okta Event Hook
// deliveries of about n events; their bodies are Okta's.
func deliveries(events []*logevent.Event, n int) [][]byte {
	var out [][]byte
	for i := 0; i < len(events); i += n {
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1",`+
			`"source":"https://acme.okta.com/api/v1/eventHooks/who1","eventId":"delivery-%d","data":{"events":[`, i)
		for j, e := range events[i:min(i+n, len(events))] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(e.Raw)
		}
		b.WriteString("]}}")
		out = append(out, b.Bytes())
	}
	return out
}

// deliver posts a delivery as Okta does and returns when it was accepted.
func deliver(t *testing.T, url string, body []byte) time.Time {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", hookSecret)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: HTTP %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a delivery took %s, past Okta's 3 s", d)
	}
	return time.Now()
}

// pushOrg plays Okta: it delivers events to serve's receiver in
// deliveries of 20, some twice (a retry after a timeout), some again later
// (at least once), some swapped with the next (no order guaranteed), and
// returns when each event's delivery was accepted.
func pushOrg(t *testing.T, url string, events []*logevent.Event) map[string]time.Time {
	t.Helper()
	bodies := deliveries(events, 20)
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := 0; i+1 < len(bodies); i++ {
		if rnd.IntN(10) == 0 {
			bodies[i], bodies[i+1] = bodies[i+1], bodies[i]
			i++
		}
	}
	stored := map[string]time.Time{}
	var sent [][]byte
	for i, body := range bodies {
		at := deliver(t, url, body)
		if rnd.IntN(8) == 0 {
			deliver(t, url, body) // a retry
		}
		if len(sent) > 0 && rnd.IntN(12) == 0 {
			deliver(t, url, sent[rnd.IntN(len(sent))]) // an old one again
		}
		sent = append(sent, body)
		for _, e := range events[i*20 : min(i*20+20, len(events))] {
			stored[e.UUID] = at
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stored
}

// TestLiveEndToEnd: serve receives Okta Event Hook deliveries of a
// generated org's day with the three planted attacks (retried, duplicated
// and out of order), watch alerts a local webhook: each attack is one
// alert, alerted new exactly once, within 5 s of the delivery of its last
// event, and nothing else is; a restarted watch repeats nothing.
func TestLiveEndToEnd(t *testing.T) {
	dir := t.TempDir()
	_, events, planted := generatedLog(t, dir)
	if len(planted) != 3 {
		t.Fatalf("%d incidents planted", len(planted))
	}
	db := filepath.Join(dir, "live.db")
	base, serveErr := serving(t, map[string]string{"HOOK_SECRET": hookSecret}, "--db", db, "serve", "--addr", "127.0.0.1:0", "--event-hook-secret-env", "HOOK_SECRET")
	sink := &alertSink{}
	hookURL := sink.serve(t)
	out, stop := watching(t, "--db", db, "watch", "--webhook", hookURL)
	stored := pushOrg(t, base+web.EventHookPath, events)

	rules := map[synth.IncidentKind]string{synth.MFAPushFatigue: "oktascope-mfa-fatigue", synth.SessionHijack: "oktascope-session-hijack", synth.PasswordResetTakeover: "oktascope-recovery-takeover"}
	incidentOf := func(a render.Alert, inc synth.Incident) bool {
		return slices.ContainsFunc(a.Findings, func(f render.AlertFinding) bool {
			return f.Rule == rules[inc.Kind] && slices.ContainsFunc(inc.AttackerEventUUIDs, func(u string) bool { return slices.Contains(f.UUIDs, u) })
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		alerts, _ := sink.got()
		all := true
		for _, inc := range planted {
			all = all && slices.ContainsFunc(alerts, func(a render.Alert) bool { return incidentOf(a, inc) })
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every incident alerted: %d alerts", len(alerts))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // anything else would come now
	stop()

	alerts, at := sink.got()
	first := map[string]time.Time{}
	for i, a := range alerts {
		switch a.Status {
		case "new":
			if _, dup := first[a.ID]; dup {
				t.Errorf("incident %s alerted new twice", a.ID)
			}
			first[a.ID] = at[i]
		case "updated":
			if _, ok := first[a.ID]; !ok {
				t.Errorf("incident %s updated before its first alert", a.ID)
			}
		}
	}
	if len(first) != len(planted) {
		t.Errorf("%d incidents alerted, %d planted", len(first), len(planted))
	}
	for _, inc := range planted {
		var id string
		for _, a := range alerts {
			if incidentOf(a, inc) {
				id = a.ID
			}
		}
		var last time.Time
		for _, u := range inc.AttackerEventUUIDs {
			if stored[u].After(last) {
				last = stored[u]
			}
		}
		if first[id].IsZero() || first[id].Sub(last) > 5*time.Second {
			t.Errorf("%s: alerted at %s, its last event stored at %s", inc.Kind, first[id].Format(time.StampMilli), last.Format(time.StampMilli))
		}
	}
	// Both outputs end with each incident as it stands (an output that
	// falls behind skips the versions in between).
	lastOf := func(alerts []render.Alert) map[string]int {
		m := map[string]int{}
		for _, a := range alerts {
			m[a.ID] = max(m[a.ID], a.Version)
		}
		return m
	}
	var printed []render.Alert
	dec := json.NewDecoder(strings.NewReader(out.String()))
	for dec.More() {
		var a render.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("stdout: %v", err)
		}
		printed = append(printed, a)
	}
	if a, b := lastOf(printed), lastOf(alerts); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("stdout ends with %v, the webhook with %v", a, b)
	}
	if strings.Contains(serveErr.String(), hookSecret) {
		t.Error("serve printed the Event Hook secret")
	}

	// A restart reads the day again to rebuild its state, and repeats
	// nothing, even as Okta sends an old delivery again.
	out2, stop2 := watching(t, "--db", db, "watch", "--webhook", hookURL)
	deliver(t, base+web.EventHookPath, deliveries(events, 20)[5])
	time.Sleep(4 * time.Second)
	stop2()
	if again, _ := sink.got(); len(again) != len(alerts) || out2.String() != "" {
		t.Errorf("the restarted watch alerted again: %d alerts, stdout %q", len(again)-len(alerts), out2.String())
	}
}

// TestLiveQuietOnBenignTraffic: a day of an org without attacks, pushed
// through the receiver as Okta does (retries, repeats, out of order),
// makes no alert.
func TestLiveQuietOnBenignTraffic(t *testing.T) {
	dir := t.TempDir()
	gen := synth.New(synth.Options{Seed: 9, Users: 60, Events: 6000})
	var events []*logevent.Event
	for line, ok := gen.Next(); ok; line, ok = gen.Next() {
		e, err := logevent.Decode(bytes.Clone(line))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	db := filepath.Join(dir, "benign.db")
	base, _ := serving(t, map[string]string{"HOOK_SECRET": hookSecret}, "--db", db, "serve", "--addr", "127.0.0.1:0", "--event-hook-secret-env", "HOOK_SECRET")
	sink := &alertSink{}
	out, stop := watching(t, "--db", db, "watch", "--webhook", sink.serve(t))
	pushOrg(t, base+web.EventHookPath, events)
	if n := statsOf(t, db).Events; n != len(events) {
		t.Fatalf("%d events stored, %d delivered", n, len(events))
	}
	time.Sleep(4 * time.Second) // the watch reads them within a poll or two
	stop()
	if alerts, _ := sink.got(); len(alerts) != 0 || out.String() != "" {
		t.Errorf("%d alerts on benign traffic: %s", len(alerts), out)
	}
}
