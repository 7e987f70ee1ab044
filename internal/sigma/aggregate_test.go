package sigma

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// at builds an event at t0 plus offset.
func at(t *testing.T, offset time.Duration, fields map[string]any) *logevent.Event {
	t.Helper()
	fields["published"] = t0.Add(offset).Format(time.RFC3339Nano)
	return event(t, fields)
}

func pushDeny(t *testing.T, offset time.Duration, user string) *logevent.Event {
	return at(t, offset, map[string]any{"eventType": "user.mfa.okta_verify.deny_push", "actor.alternateId": user})
}

const pushRule = `    sel:
        eventType: user.mfa.okta_verify.deny_push
    timeframe: 5m
    condition: sel | count() by actor.alternateId >= 3
`

func TestAggregationParsed(t *testing.T) {
	r := mustRule(t, pushRule)
	want := &Aggregation{Func: "count", GroupBy: []string{"actor.alternateId"}, Op: ">=", Threshold: 3, Timeframe: 5 * time.Minute}
	if !reflect.DeepEqual(r.Aggregation, want) {
		t.Fatalf("aggregation = %+v", r.Aggregation)
	}
	if r.Condition != "sel | count() by actor.alternateId >= 3" {
		t.Errorf("condition = %q", r.Condition)
	}
	_, err := Convert(r)
	if err == nil || !strings.Contains(err.Error(), `aggregation "count() by actor.alternateId >= 3" within 5m counts events across time`) {
		t.Errorf("Convert error = %v", err)
	}
	if pre, _ := r.Filter(); pre == nil || pre.String() != `eventType eq "user.mfa.okta_verify.deny_push"` {
		t.Errorf("prefilter = %v", pre)
	}
	r2 := mustRule(t, "    sel:\n        eventType: x\n    condition: sel | COUNT(client.ipaddress) by actor.id, client.zone > 1\n")
	want2 := &Aggregation{Func: "count", Field: "client.ipAddress", GroupBy: []string{"actor.id", "client.zone"}, Op: ">", Threshold: 1}
	if !reflect.DeepEqual(r2.Aggregation, want2) {
		t.Errorf("aggregation = %+v", r2.Aggregation)
	}
}

func TestAggregatorWindow(t *testing.T) {
	r := mustRule(t, pushRule)
	a := NewAggregator(r)
	var got []Finding
	feed := func(e *logevent.Event) { got = append(got, a.Add(e)...) }
	// alice: 4 denials within 3 minutes (one burst); bob: 3 denials spread
	// over 12 minutes (never 3 within 5m); carol: 2 only.
	feed(pushDeny(t, 0, "alice"))
	feed(pushDeny(t, 0, "bob"))
	feed(pushDeny(t, time.Minute, "alice"))
	feed(at(t, 90*time.Second, map[string]any{"eventType": "user.session.start", "actor.alternateId": "alice"}))
	feed(pushDeny(t, 2*time.Minute, "alice"))
	feed(pushDeny(t, 3*time.Minute, "alice"))
	feed(pushDeny(t, 6*time.Minute, "bob"))
	feed(pushDeny(t, 7*time.Minute, "carol"))
	feed(pushDeny(t, 8*time.Minute, "carol"))
	feed(pushDeny(t, 12*time.Minute, "bob"))
	got = append(got, a.Flush()...)
	if len(got) != 1 {
		t.Fatalf("findings = %+v, want one for alice", got)
	}
	f := got[0]
	if f.Group["actor.alternateId"] != "alice" || f.Count != 4 || len(f.UUIDs) != 4 ||
		!f.Start.Equal(t0) || !f.End.Equal(t0.Add(3*time.Minute)) || f.Rule != r {
		t.Errorf("finding = %+v", f)
	}
}

func TestAggregatorBurstsAreSeparate(t *testing.T) {
	a := NewAggregator(mustRule(t, pushRule))
	var got []Finding
	for _, off := range []time.Duration{0, time.Minute, 2 * time.Minute, time.Hour, time.Hour + time.Minute, time.Hour + 2*time.Minute} {
		got = append(got, a.Add(pushDeny(t, off, "alice"))...)
	}
	if len(got) != 1 || got[0].Count != 3 || !got[0].End.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("the first burst must close when the second begins: %+v", got)
	}
	got = append(got, a.Flush()...)
	if len(got) != 2 || !got[1].Start.Equal(t0.Add(time.Hour)) {
		t.Fatalf("findings = %+v", got)
	}
}

func TestAggregatorClosesIdleGroups(t *testing.T) {
	a := NewAggregator(mustRule(t, pushRule))
	var got []Finding
	for _, off := range []time.Duration{0, time.Minute, 2 * time.Minute} {
		got = append(got, a.Add(pushDeny(t, off, "alice"))...)
	}
	// Other users' events move the clock on: alice's burst closes without
	// waiting for Flush.
	got = append(got, a.Add(pushDeny(t, 20*time.Minute, "bob"))...)
	if len(got) != 1 || got[0].Group["actor.alternateId"] != "alice" {
		t.Fatalf("findings = %+v", got)
	}
	if rest := a.Flush(); len(rest) != 0 {
		t.Errorf("flush = %+v", rest)
	}
}

func TestAggregatorDistinctCount(t *testing.T) {
	r := mustRule(t, `    sel:
        eventType: user.session.start
        outcome.result: FAILURE
    timeframe: 10m
    condition: sel | count(actor.alternateId) by client.ipAddress > 2
`)
	a := NewAggregator(r)
	var got []Finding
	fail := func(off time.Duration, user, ip string) {
		got = append(got, a.Add(at(t, off, map[string]any{"eventType": "user.session.start", "outcome.result": "FAILURE", "actor.alternateId": user, "client.ipAddress": ip}))...)
	}
	// Password spraying: one IP, many users; one user retrying from another IP.
	fail(0, "u1", "203.0.113.9")
	fail(time.Minute, "u2", "203.0.113.9")
	fail(2*time.Minute, "u2", "203.0.113.9")
	fail(3*time.Minute, "u3", "203.0.113.9")
	for i := range 5 {
		fail(time.Duration(i)*time.Minute, "u9", "198.51.100.1")
	}
	got = append(got, a.Flush()...)
	if len(got) != 1 || got[0].Group["client.ipAddress"] != "203.0.113.9" || got[0].Count != 3 || len(got[0].UUIDs) != 4 {
		t.Fatalf("findings = %+v", got)
	}
}

func TestAggregatorWithoutTimeframeOrGroup(t *testing.T) {
	a := NewAggregator(mustRule(t, "    sel:\n        eventType: x\n    condition: sel | count() > 2\n"))
	for i := range 3 {
		if f := a.Add(at(t, time.Duration(i)*24*time.Hour, map[string]any{"eventType": "x"})); len(f) != 0 {
			t.Fatalf("finding before flush: %+v", f)
		}
	}
	got := a.Flush()
	if len(got) != 1 || got[0].Group != nil || got[0].Count != 3 {
		t.Fatalf("findings = %+v", got)
	}
}

func TestAggregatorPlainRule(t *testing.T) {
	a := NewAggregator(mustRule(t, "    sel:\n        eventType: x\n    condition: sel\n"))
	e := at(t, 0, map[string]any{"eventType": "x"})
	got := a.Add(e)
	if len(got) != 1 || got[0].Count != 1 || got[0].UUIDs[0] != e.UUID || !got[0].Start.Equal(t0) {
		t.Fatalf("findings = %+v", got)
	}
	if got := a.Add(at(t, 0, map[string]any{"eventType": "y"})); len(got) != 0 {
		t.Errorf("non-matching event gave %+v", got)
	}
}

func TestTimeframes(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "5m": 5 * time.Minute, "1h": time.Hour, "2d": 48 * time.Hour, "1w": 7 * 24 * time.Hour} {
		got, err := parseTimeframe(in)
		if err != nil || got != want || formatTimeframe(got) != in {
			t.Errorf("parseTimeframe(%q) = %v, %v (prints %s)", in, got, err, formatTimeframe(got))
		}
	}
	for _, bad := range []string{"", "5", "m", "0m", "1y", "-1h", "99999999999d"} {
		if _, err := parseTimeframe(bad); err == nil {
			t.Errorf("parseTimeframe(%q) accepted", bad)
		}
	}
}

// TestAggregatorOpen: a burst shows in Open from the event that crosses
// the threshold, grows there with its first event kept, and leaves Open
// when it ends, as the finding Add returns.
func TestAggregatorOpen(t *testing.T) {
	a := NewAggregator(mustRule(t, pushRule))
	a.Add(pushDeny(t, 0, "alice"))
	a.Add(pushDeny(t, time.Minute, "alice"))
	if open := a.Open(); len(open) != 0 {
		t.Fatalf("open below the threshold: %+v", open)
	}
	a.Add(pushDeny(t, 2*time.Minute, "alice"))
	open := a.Open()
	if len(open) != 1 || open[0].Count != 3 || len(open[0].UUIDs) != 3 {
		t.Fatalf("open at the threshold: %+v", open)
	}
	first := open[0].UUIDs[0]
	a.Add(pushDeny(t, 3*time.Minute, "alice"))
	open = a.Open()
	if len(open) != 1 || open[0].Count != 4 || open[0].UUIDs[0] != first {
		t.Fatalf("open as it grows: %+v", open)
	}
	ended := a.Add(pushDeny(t, time.Hour, "bob"))
	if len(ended) != 1 || ended[0].UUIDs[0] != first || len(a.Open()) != 0 {
		t.Fatalf("ended %+v, still open %+v", ended, a.Open())
	}
}
