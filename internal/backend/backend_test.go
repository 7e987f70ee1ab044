package backend

import (
	"testing"
	"time"
)

func TestSameContent(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`, true},
		{`{"a":1,"b":[1,2]}`, ` { "b" : [ 1 , 2 ] ,
			"a" : 1 } `, true},
		{`{"n":1}`, `{"n":1.0}`, true},
		{`{"n":100}`, `{"n":1e2}`, true},
		{`{"a":null}`, `{"a":null}`, true},
		{`{"a":null}`, `{}`, false},
		{`{"a":1,"b":[1,2]}`, `{"a":1,"b":[2,1]}`, false},
		{`{"a":"1"}`, `{"a":1}`, false},
		{`{"a":true}`, `{"a":"true"}`, false},
		{`{"a":{"x":1}}`, `{"a":{"x":1,"y":2}}`, false},
		{`{"a":"é"}`, `{"a":"\u00e9"}`, true},
		{`{"a":1}`, `{"a":1} {"a":1}`, false},
		{`{"a":`, `{"a":`, true}, // equal bytes
		{`{"a":`, `{"a": `, false},
		{`{"n":1e400}`, `{"n":2e400}`, false},
	} {
		if got := SameContent([]byte(tt.a), []byte(tt.b)); got != tt.same {
			t.Errorf("SameContent(%s, %s) = %v", tt.a, tt.b, got)
		}
		if got := SameContent([]byte(tt.b), []byte(tt.a)); got != tt.same {
			t.Errorf("SameContent(%s, %s) = %v", tt.b, tt.a, got)
		}
	}
}

func TestBuckets(t *testing.T) {
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	b := Buckets{From: from, Step: time.Hour, N: 24}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if !b.End().Equal(from.Add(24 * time.Hour)) {
		t.Errorf("End = %v", b.End())
	}
	for _, tt := range []struct {
		t  time.Time
		i  int
		ok bool
	}{
		{from, 0, true},
		{from.Add(-time.Nanosecond), 0, false},
		{from.Add(time.Hour - 1), 0, true},
		{from.Add(time.Hour), 1, true},
		{from.Add(24*time.Hour - 1), 23, true},
		{from.Add(24 * time.Hour), 0, false},
		{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), 0, false},
		{time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC), 0, false},
	} {
		if i, ok := b.Index(tt.t); i != tt.i || ok != tt.ok {
			t.Errorf("Index(%v) = %d, %v; want %d, %v", tt.t, i, ok, tt.i, tt.ok)
		}
	}
	for _, bad := range []Buckets{
		{From: from, Step: 0, N: 1},
		{From: from, Step: -time.Hour, N: 1},
		{From: from, Step: time.Hour, N: 0},
		{From: from, Step: time.Hour, N: MaxBuckets + 1},
		{From: from, Step: 100 * 365 * 24 * time.Hour, N: 2},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validates", bad)
		}
	}
}

// FuzzSameContent checks that SameContent is reflexive and symmetric on
// any input, and never panics.
func FuzzSameContent(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[1,2]}`), []byte(`{"b":[1,2],"a":1.0}`))
	f.Add([]byte(`{"a":"x"}`), []byte(`[`))
	f.Add([]byte(`1e999`), []byte(`1e999`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if !SameContent(a, a) {
			t.Errorf("%q is not the same as itself", a)
		}
		if SameContent(a, b) != SameContent(b, a) {
			t.Errorf("not symmetric on %q, %q", a, b)
		}
	})
}
