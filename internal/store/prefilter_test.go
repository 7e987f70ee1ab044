package store

import (
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// TestPrefilterNeverExcludesAMatch checks the prefilter's one promise: an
// event the filter matches always passes it. Events are written so that
// the JSON holds the value otherwise than the filter's literal: numbers
// in other notations, booleans, times, escapes.
func TestPrefilterNeverExcludesAMatch(t *testing.T) {
	raws := []string{
		`{"uuid":"a","eventType":"x","published":"2024-03-01T00:00:00Z","debugContext":{"debugData":{"n":9.009e3,"b":true,"t":"2024-03-01T00:00:00.000Z","s":"plain text","u":"\u0063url/7.1"}}}`,
		`{"uuid":"b","eventType":"x","published":"2024-03-01T00:00:00Z","debugContext":{"debugData":{"n":9009,"b":"TRUE","t":"2024-03-01T00:00:00Z","s":"curl/8.0","path":"\/api\/v1"}}}`,
		`{"uuid":"c","eventType":"x","published":"2024-03-01T00:00:00Z","debugContext":{"debugData":{"n":"9009","b":false,"s":"NaN","x":1e21,"neg":-0.5}}}`,
		`{"uuid":"d","eventType":"x","published":"2024-03-01T00:00:00Z","displayMessage":"User login to Okta","debugContext":{"debugData":{"s":"user.mfa.okta_verify"}}}`,
	}
	var events []*logevent.Event
	for _, r := range raws {
		e, err := logevent.Decode([]byte(r))
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		events = append(events, e)
	}
	filters := []string{
		`debugContext.debugData.n eq "9009"`,
		`debugContext.debugData.n co "00"`,
		`debugContext.debugData.x sw "1000"`,
		`debugContext.debugData.neg co "-0."`,
		`debugContext.debugData.b eq "true"`,
		`debugContext.debugData.b co "ru"`,
		`debugContext.debugData.b co "als"`,
		`debugContext.debugData.s eq "NaN"`,
		`debugContext.debugData.t eq "2024-03-01T00:00:00Z"`,
		`debugContext.debugData.u sw "curl"`,
		`debugContext.debugData.path sw "/api/"`,
		`debugContext.debugData.s co "curl" or debugContext.debugData.u co "curl"`,
		`debugContext.debugData.s sw "user.mfa." and displayMessage co "login"`,
		`debugContext.debugData.s in ["plain text", "curl/8.0"]`,
		`not (debugContext.debugData.s eq "plain text")`,
		`debugContext.debugData.s ne "zzz"`,
		`debugContext.debugData.s pr`,
	}
	excluded := 0
	for _, text := range filters {
		f := filter.MustParse(text)
		m := filter.Compile(f)
		p := newPrefilter(f)
		p.anchor(&[256]int{'u': 9, 'r': 1, 'l': 5})
		matched := 0
		for _, e := range events {
			pass := p.mayMatch(e.Raw)
			if m.Match(e) {
				matched++
				if !pass {
					t.Errorf("%s: prefilter excludes matching event %s", text, e.UUID)
				}
			} else if !pass {
				excluded++
			}
		}
		if matched == 0 {
			t.Errorf("%s matches none of the events: the case tests nothing", text)
		}
	}
	if excluded == 0 {
		t.Error("the prefilter excluded nothing: it is not exercised")
	}
}

func TestPrefilterRequirements(t *testing.T) {
	for _, tt := range []struct {
		filter string
		want   string // clauses, "|" between alternatives, ";" between clauses
	}{
		{`a eq "curl"`, "curl"},
		{`a eq "9009"`, ""},
		{`a eq "true"`, ""},
		{`a co "rue"`, ""},
		{`a co "e/"`, "e/"},
		{`a eq "2024-03-01T00:00:00Z"`, ""},
		{`a sw ""`, ""},
		{`a eq "x" and b co "yy"`, "x;yy"},
		{`a eq "x" or b co "yy"`, "x|yy"},
		{`a eq "x" or b gt "yy"`, ""},
		{`(a eq "xx" and b eq "y") or c eq "zzz"`, "xx|zzz"},
		{`a in ["p1", "p2"]`, "p1|p2"},
		{`a in ["p1", null]`, ""},
		{`not (a eq "x")`, ""},
		{`a ne "x"`, ""},
		{`a eq 5`, ""},
	} {
		got := ""
		for i, c := range requirements(filter.MustParse(tt.filter)) {
			if i > 0 {
				got += ";"
			}
			for j, lit := range c {
				if j > 0 {
					got += "|"
				}
				got += lit
			}
		}
		if got != tt.want {
			t.Errorf("requirements(%s) = %q, want %q", tt.filter, got, tt.want)
		}
	}
}

func TestLiteralIn(t *testing.T) {
	for _, tt := range []struct {
		lit, raw string
		at       int
		want     bool
	}{
		{"abc", "xxabcxx", 0, true},
		{"abc", "xxabcxx", 2, true},
		{"abc", "abc", 1, true},
		{"abc", "ab", 2, false},
		{"abc", "cabxbc", 2, false},
		{"aab", "aaab", 0, true},
		{"c", "", 0, false},
	} {
		l := literal{text: []byte(tt.lit), at: tt.at}
		if got := l.in([]byte(tt.raw)); got != tt.want {
			t.Errorf("%q at %d in %q = %v", tt.lit, tt.at, tt.raw, got)
		}
	}
}
