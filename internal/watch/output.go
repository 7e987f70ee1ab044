package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/render"
)

// Output is where alerts go: NDJSON on a stream, a webhook.
type Output interface {
	// Name identifies the output in the backend, which keeps the version
	// of each finding it acknowledged.
	Name() string
	// Send delivers one alert (its JSON). An error is retried with
	// backoff, unless it is a *PermanentError.
	Send(ctx context.Context, alert []byte) error
}

// PermanentError is a delivery the output will never take (a webhook's
// 400): it is reported and the alert skipped, so that one alert cannot
// hold back the others.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError is a transient failure for which the output was told how
// long to wait (HTTP Retry-After).
type RetryAfterError struct {
	Err  error
	Wait time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// NDJSON writes each alert as one line of JSON.
type NDJSON struct {
	mu sync.Mutex
	w  io.Writer
}

// NewNDJSON returns the output writing to w.
func NewNDJSON(w io.Writer) *NDJSON { return &NDJSON{w: w} }

// Name is "stdout": the stream a watch prints its alerts to.
func (o *NDJSON) Name() string { return "stdout" }

// Send writes the alert and a newline.
func (o *NDJSON) Send(_ context.Context, alert []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	line := make([]byte, 0, len(alert)+1)
	line = append(append(line, alert...), '\n')
	_, err := o.w.Write(line)
	return err
}

// Delivery backoff: exponential from retryBase to retryCap, jittered.
const (
	retryBase = time.Second
	retryCap  = time.Minute
	// recheck is how often a deliverer looks for due alerts without being
	// told (alerts a previous run left due).
	recheck = 30 * time.Second
)

func (w *Watcher) outputNames() []string {
	names := make([]string, len(w.opts.Outputs))
	for i, o := range w.opts.Outputs {
		names[i] = o.Name()
	}
	return names
}

// deliver starts one deliverer per output; the channel closes when all
// have stopped, after ctx is done.
func (w *Watcher) deliver(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	var wg sync.WaitGroup
	w.wake = make([]chan struct{}, len(w.opts.Outputs))
	for i, o := range w.opts.Outputs {
		w.wake[i] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.deliverer(ctx, o, w.wake[i])
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// deliverer sends an output's due alerts, oldest first, whenever the
// watch stored some (and every recheck), retrying a failure with backoff.
func (w *Watcher) deliverer(ctx context.Context, o Output, wake <-chan struct{}) {
	failures := 0
	for {
		err := w.sendDue(ctx, o)
		wait := recheck
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait = backoff(failures)
			var ra *RetryAfterError
			if errors.As(err, &ra) && ra.Wait > wait {
				wait = min(ra.Wait, 10*retryCap)
			}
			w.opts.Logf("watch %s: %s: delivery failed (%v); retrying in %s", w.opts.Name, o.Name(), err, wait.Round(time.Second))
		} else {
			failures = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
			if failures > 0 { // a failing output waits its backoff out
				<-t.C
			}
		case <-t.C:
		}
		t.Stop()
	}
}

// sendDue sends the output's due alerts and acknowledges each; it stops at
// the first transient failure.
func (w *Watcher) sendDue(ctx context.Context, o Output) error {
	type dueAlert struct {
		f            backend.StoredFinding
		acknowledged int
	}
	var due []dueAlert
	err := w.store.Due(ctx, w.opts.Name, o.Name(), func(f backend.StoredFinding, acknowledged int) error {
		due = append(due, dueAlert{f, acknowledged})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the due alerts: %w", err)
	}
	for _, d := range due {
		f := d.f
		err := o.Send(ctx, withStatus(f.Body, d.acknowledged))
		var perm *PermanentError
		switch {
		case errors.As(err, &perm):
			w.opts.Logf("watch %s: %s refused the alert of finding %s (version %d), skipped: %v", w.opts.Name, o.Name(), f.ID, f.Version, err)
		case err != nil:
			return err
		}
		// An alert sent is recorded even when the watch is stopping, so
		// that the next run does not send it again.
		ack, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = w.store.Acknowledge(ack, w.opts.Name, f.ID, o.Name(), f.Version)
		cancel()
		if err != nil {
			return fmt.Errorf("recording a delivery: %w", err)
		}
	}
	return nil
}

// withStatus sets the status of an alert for an output: "new" when the
// output has had no alert of the finding yet (an update stored before the
// first alert went out replaces it), "updated" otherwise.
func withStatus(body []byte, acknowledged int) []byte {
	var a render.Alert
	if json.Unmarshal(body, &a) != nil {
		return body
	}
	status := "updated"
	if acknowledged == 0 {
		status = "new"
	}
	if a.Status == status {
		return body
	}
	a.Status = status
	out, err := json.Marshal(a)
	if err != nil {
		return body
	}
	return out
}

// backoff is the jittered wait before retry number n (1-based).
func backoff(n int) time.Duration {
	d := retryCap
	if n < 8 {
		d = min(retryBase<<(n-1), retryCap)
	}
	return d/2 + time.Duration(rand.Float64()*float64(d/2))
}
