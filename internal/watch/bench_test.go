package watch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/detect"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// BenchmarkAlertLatency measures the time from a fatigue burst's fifth
// push stored to its alert on the NDJSON output, on a store holding a
// generated day (15,000 events), with the default poll interval (1 s) and
// a short one (the reading, detecting and alerting alone). Each burst is
// stored just after the previous alert, as the watch begins its pause:
// the worst case of the poll.
//
//	go test ./internal/watch -run '^$' -bench AlertLatency -benchtime 10x
func BenchmarkAlertLatency(b *testing.B) {
	for _, poll := range []time.Duration{DefaultPoll, 50 * time.Millisecond} {
		b.Run("poll="+poll.String(), func(b *testing.B) { benchLatency(b, poll) })
	}
}

func benchLatency(b *testing.B, poll time.Duration) {
	st := newStore(b)
	events, _ := generated(b, synth.Options{Seed: 5, Users: 60, Events: 15000})
	if _, err := st.Insert(context.Background(), events); err != nil {
		b.Fatal(err)
	}
	out := &syncBuffer{}
	w, err := New(st, Options{Outputs: []Output{NewNDJSON(out)}, Poll: poll, Detect: detect.Options{Builtin: true, Thresholds: detect.DefaultThresholds()}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for {
		if _, ok, _ := st.LoadCheckpoint(ctx, w.checkpointKey()); ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	base := events[len(events)-1].Time
	var total time.Duration
	b.ResetTimer()
	for i := range b.N {
		var burst []*logevent.Event
		for p := range 5 {
			raw := fmt.Sprintf(`{"uuid":"lat-%d-%d","published":%q,"eventType":"system.push.send_factor_verify_push",`+
				`"actor":{"id":"00ulat%d","type":"User","alternateId":"lat%d@acme.example"},"outcome":{"result":"SUCCESS"}}`,
				i, p, base.Add(time.Duration(i)*time.Hour+time.Duration(p)*time.Second).Format(time.RFC3339Nano), i, i)
			e, err := logevent.Decode([]byte(raw))
			if err != nil {
				b.Fatal(err)
			}
			burst = append(burst, e)
		}
		before := len(out.Bytes())
		if _, err := st.Insert(ctx, burst); err != nil {
			b.Fatal(err)
		}
		stored := time.Now()
		for len(out.Bytes()) == before {
			time.Sleep(time.Millisecond)
		}
		total += time.Since(stored)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/alert")
}
