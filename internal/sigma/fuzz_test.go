package sigma

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// FuzzParseRule checks that no rule text makes Parse, the matcher, the
// aggregator or Convert panic, and that every conversion parses back.
func FuzzParseRule(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sigmaDir, "*.yml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, d := range []string{
		"    sel:\n        a|re|i: 'x.*'\n        b|cidr: 10.0.0.0/8\n    f:\n        - c: 'a*b?'\n        - d|exists: false\n    timeframe: 1m\n    condition: sel and not 1 of f* | count(e) by g > 1\n",
		"    s:\n        x|contains|all: [1, true, null]\n    condition: all of them or (s)\n",
	} {
		f.Add([]byte(ruleYAMLText(d)))
	}
	raw := []byte(`{"uuid":"u","published":"2024-05-01T10:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@b.c"},"target":[{"displayName":"Okta Admin Console"}],"debugContext":{"debugData":{"requestUri":"/admin"}},"client":{"ipAddress":"10.1.2.3"}}`)
	ev, err := logevent.Decode(raw)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		r.Matcher().Match(ev)
		a := NewAggregator(r)
		a.Add(ev)
		ev.Time = ev.Time.Add(time.Hour)
		a.Add(ev)
		a.Flush()
		if pre, err := r.Filter(); err != nil && pre != nil {
			if _, perr := filter.Parse(pre.String()); perr != nil && validPrefilter(pre) {
				t.Fatalf("prefilter %q does not parse: %v", pre, perr)
			}
		}
		if text, err := Convert(r); err == nil {
			if back, perr := filter.Parse(text); perr != nil || back.String() != text {
				t.Fatalf("conversion %q does not parse back: %v", text, perr)
			}
		}
	})
}

// validPrefilter reports whether every path in e can be written in a filter
// (paths that cannot are Go-side leaves, never in a prefilter).
func validPrefilter(e filter.Expr) bool {
	switch x := e.(type) {
	case *filter.And:
		for _, t := range x.Terms {
			if !validPrefilter(t) {
				return false
			}
		}
	case *filter.Or:
		for _, t := range x.Terms {
			if !validPrefilter(t) {
				return false
			}
		}
	case *filter.Not:
		return validPrefilter(x.X)
	}
	return true
}
