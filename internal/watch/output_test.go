package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/timeline"
)

func TestNewWebhookChecksTheURL(t *testing.T) {
	for _, c := range []struct {
		url, format string
		ok          bool
	}{
		{"https://hooks.slack.com/services/T0/B0/secret", FormatSlack, true},
		{"http://127.0.0.1:9000/alerts", FormatJSON, true},
		{"http://localhost:9000/alerts", "", true},
		{"http://alerts.example.com/in", FormatJSON, false},
		{"https://user:pw@alerts.example.com/in", FormatJSON, false},
		{"ftp://alerts.example.com/in", FormatJSON, false},
		{"/relative", FormatJSON, false},
		{"https://alerts.example.com/in", "xml", false},
	} {
		_, err := NewWebhook(c.url, c.format)
		if (err == nil) != c.ok {
			t.Errorf("%s %s: %v", c.url, c.format, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the URL's path: %v", err)
		}
	}
}

// TestWebhookRetriesAndSkips: a webhook that fails twice with 503 gets the
// alert on the third attempt, once; one that answers 400 has the alert
// skipped, so that it does not hold the others back. Errors name the host,
// never the URL's secret path.
func TestWebhookRetriesAndSkips(t *testing.T) {
	alert := []byte(`{"rule":"r","id":"x","status":"new"}`)
	flaky := &receiver{failFirst: 2, failWith: http.StatusServiceUnavailable}
	h, err := NewWebhook(flaky.serve(t), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for {
		err := h.Send(context.Background(), alert)
		if err == nil {
			break
		}
		var ra *RetryAfterError
		if !errors.As(err, &ra) || ra.Wait != time.Second {
			t.Fatalf("a 503 with Retry-After: %v", err)
		}
		errs = append(errs, err)
		if len(errs) > 5 {
			t.Fatal("never delivered")
		}
	}
	if len(errs) != 2 || len(flaky.bodies) != 1 || string(flaky.bodies[0]) != string(alert) {
		t.Errorf("%d failures, %d deliveries", len(errs), len(flaky.bodies))
	}
	for _, e := range errs {
		if strings.Contains(e.Error(), "secret-path") {
			t.Errorf("the error shows the URL: %v", e)
		}
	}
	refusing := &receiver{failFirst: 1 << 30, failWith: http.StatusBadRequest}
	h, _ = NewWebhook(refusing.serve(t), FormatJSON)
	var perm *PermanentError
	if err := h.Send(context.Background(), alert); !errors.As(err, &perm) {
		t.Errorf("a 400: %v", err)
	}
}

// TestWebhookPostsSlackText: the slack format posts {"text"} with the
// alert as render.SlackText writes it.
func TestWebhookPostsSlackText(t *testing.T) {
	a, err := render.NewAlert([]detect.Finding{{Rule: "r", Title: "<!channel>", Severity: "high"}}, []string{"abc"}, timeline.Timeline{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Status = "new"
	rec := &receiver{}
	h, _ := NewWebhook(rec.serve(t), FormatSlack)
	body, _ := json.Marshal(a)
	if err := h.Send(context.Background(), body); err != nil {
		t.Fatal(err)
	}
	var posted map[string]string
	if err := json.Unmarshal(rec.bodies[0], &posted); err != nil || posted["text"] != render.SlackText(a) || len(posted) != 1 ||
		strings.Contains(posted["text"], "<!channel>") {
		t.Errorf("posted %s", rec.bodies[0])
	}
}

// failingOutput fails every send until told otherwise.
type failingOutput struct {
	mu    sync.Mutex
	fail  bool
	sent  [][]byte
	tries int
}

func (f *failingOutput) Name() string { return "test" }

func (f *failingOutput) Send(_ context.Context, alert []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.fail {
		return fmt.Errorf("down")
	}
	f.sent = append(f.sent, alert)
	return nil
}

// TestWatchDeliversAfterOutage: an output that fails gets the alerts once
// it recovers, with backoff between attempts, and the watch goes on
// detecting meanwhile.
func TestWatchDeliversAfterOutage(t *testing.T) {
	out := &failingOutput{fail: true}
	st := newStore(t)
	r := start(t, st, Options{Outputs: []Output{out}})
	base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	var pushes []*logevent.Event
	for i := range 6 {
		raw := fmt.Sprintf(`{"uuid":"p%d","published":%q,"eventType":"system.push.send_factor_verify_push",`+
			`"actor":{"id":"00uv","type":"User","alternateId":"v@acme.example"},"outcome":{"result":"SUCCESS"}}`, i, base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
		e, _ := logevent.Decode([]byte(raw))
		pushes = append(pushes, e)
	}
	land(t, st, pushes, 6, 0)
	waitFor(t, 10*time.Second, "the alert on stdout", func() bool { return len(lines(t, r.out.Bytes())) == 1 })
	time.Sleep(1500 * time.Millisecond)
	out.mu.Lock()
	tries := out.tries
	out.fail = false
	out.mu.Unlock()
	if tries < 1 || tries > 3 {
		t.Errorf("%d attempts in 1.5 s: want backoff from 1 s", tries)
	}
	waitFor(t, 10*time.Second, "the alert after the outage", func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		return len(out.sent) == 1
	})
	var a render.Alert
	if err := json.Unmarshal(out.sent[0], &a); err != nil || a.Status != "new" || a.Rule != "oktascope-mfa-fatigue" {
		t.Errorf("delivered %s", out.sent[0])
	}
}
