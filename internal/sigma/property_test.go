package sigma

import (
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
)

// TestConvertedFiltersMatchLikeRules checks, over the 23 public rules, that
// the converted filter text, parsed back by filter.Parse, selects exactly the
// events the Sigma matcher selects, and that a non-convertible rule's
// prefilter selects a superset. Events: the public samples plus events
// generated from every rule's comparisons (hits and near misses).
func TestConvertedFiltersMatchLikeRules(t *testing.T) {
	rules, errs := LoadDir(sigmaDir)
	if len(errs) > 0 || len(rules) != 23 {
		t.Fatalf("loaded %d rules (want 23): %v", len(rules), errs)
	}
	events := samples.Events(t)
	for _, r := range rules {
		events = append(events, generatedEvents(t, r)...)
	}
	events = append(events, passwordEvents(t)...)
	for _, r := range rules {
		checkAgreement(t, r, events)
	}
}

func checkAgreement(t *testing.T, r *Rule, events []*logevent.Event) {
	t.Helper()
	text, convErr := Convert(r)
	pre, _ := r.Filter()
	var fm *filter.Matcher
	if convErr == nil {
		fm = filter.Compile(filter.MustParse(text))
	} else {
		fm = filter.Compile(filter.MustParse(pre.String()))
	}
	hits := 0
	for _, e := range events {
		want := r.Matcher().Match(e)
		got := fm.Match(e)
		if want {
			hits++
		}
		if convErr == nil && got != want {
			t.Errorf("%s: filter %s gives %v, the rule %v, on %s", r.File, text, got, want, e.Raw)
		}
		if convErr != nil && want && !got {
			t.Errorf("%s: prefilter %s misses an event the rule matches: %s", r.File, pre, e.Raw)
		}
	}
	if hits == 0 {
		t.Errorf("%s: no event matches; the comparison is vacuous", r.File)
	}
}

// generatedEvents builds events from a rule's comparisons: one satisfying
// every comparison (taking the k-th value of each field, for each k), one per
// comparison alone, and near misses of each.
func generatedEvents(t *testing.T, r *Rule) []*logevent.Event {
	var leaves []filter.Expr
	collectLeaves(r.tree, &leaves)
	options := map[string][]any{}
	var paths []string
	for _, l := range leaves {
		path, v, ok := satisfying(l)
		if !ok {
			continue
		}
		if _, seen := options[path]; !seen {
			paths = append(paths, path)
		}
		options[path] = append(options[path], v)
	}
	var out []*logevent.Event
	for k := range maxLen(options) {
		fields := map[string]any{}
		for _, p := range paths {
			fields[p] = options[p][k%len(options[p])]
		}
		out = append(out, event(t, fields), event(t, nearMiss(fields)))
	}
	for _, p := range paths {
		for _, v := range options[p] {
			out = append(out, event(t, map[string]any{p: v}))
		}
	}
	return out
}

func maxLen(m map[string][]any) int {
	n := 0
	for _, v := range m {
		n = max(n, len(v))
	}
	return n
}

// nearMiss changes the case of every string value.
func nearMiss(fields map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			v = strings.ToUpper(s)
		}
		out[k] = v
	}
	return out
}

func collectLeaves(n node, out *[]filter.Expr) {
	switch x := n.(type) {
	case *leaf:
		*out = append(*out, x.expr)
	case *andNode:
		for _, t := range x.terms {
			collectLeaves(t, out)
		}
	case *orNode:
		for _, t := range x.terms {
			collectLeaves(t, out)
		}
	case *notNode:
		collectLeaves(x.x, out)
	}
}

// satisfying returns a path and a value that satisfy a comparison.
func satisfying(e filter.Expr) (string, any, bool) {
	switch x := e.(type) {
	case *filter.Present:
		return x.Path, "present", true
	case *filter.Compare:
		switch {
		case x.Value.Kind == filter.LitBool:
			return x.Path, x.Value.Bool, true
		case x.Value.Kind != filter.LitString:
			return "", nil, false
		}
		s := x.Value.Str
		switch x.Op {
		case filter.Eq:
			return x.Path, s, true
		case filter.Co:
			return x.Path, "x-" + s + "-y", true
		case filter.Sw:
			return x.Path, s + "-tail", true
		case filter.Ew:
			return x.Path, "head-" + s, true
		}
	}
	return "", nil, false
}

// passwordEvents exercise the |re rule: failed logins with emails, service
// account ids and password-like names.
func passwordEvents(t *testing.T) []*logevent.Event {
	var out []*logevent.Event
	for _, id := range []string{"jane.doe@example.com", "0oa1abcd", "Winter2024!", "admin", ""} {
		out = append(out, event(t, map[string]any{"legacyEventType": "core.user_auth.login_failed", "actor.alternateId": id}))
	}
	return out
}
