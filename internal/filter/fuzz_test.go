package filter

import (
	"reflect"
	"testing"
)

// FuzzParse checks that no input panics the parser or the evaluator, and
// that every filter that parses prints canonical text that parses back to
// the same AST.
func FuzzParse(f *testing.F) {
	for _, q := range articleQueries(f) {
		f.Add(q)
	}
	for _, q := range customerDetectionQueries(f) {
		f.Add(q)
	}
	for _, q := range []string{`a eq "\u00e9\"" or not (b pr)`, `x in [1, -2.5e3, true, null]`, `((((a eq 1))))`, `published gt "2024-01-01T00:00:00Z"`} {
		f.Add(q)
	}
	event := decode(f, sampleEvent)
	f.Fuzz(func(t *testing.T, text string) {
		expr, err := Parse(text)
		if err != nil || expr == nil {
			return
		}
		printed := expr.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", printed, text, err)
		}
		if !reflect.DeepEqual(expr, again) {
			t.Fatalf("round trip of %q changed the AST: %q", text, printed)
		}
		Compile(expr).Match(event)
	})
}
