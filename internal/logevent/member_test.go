package logevent

import (
	"strings"
	"testing"
)

// memberTests are lookups into objects findMember reads, or declines to:
// FuzzDecode seeds its corpus with the objects.
var memberTests = []struct {
	name, obj, key string
	fold           bool
	value          string // the member's JSON, when found
	found, ok      bool
}{
	{"member", `{"a":1,"requestUri":"/x","b":[true,{"c":null}]}`, "requestUri", true, `"/x"`, true, true},
	{"absent", `{"a":1}`, "requestUri", true, "", false, true},
	{"empty", `{}`, "a", true, "", false, true},
	{"white space", "{ \"a\" :\t[ 1 , 2 ]\n, \"b\":{ } }", "a", true, "[ 1 , 2 ]", true, true},
	{"nested name is not a member", `{"x":{"a":1}}`, "a", true, "", false, true},
	{"other case", `{"RequestURI":"/x"}`, "requestUri", true, `"/x"`, true, true},
	{"other case, exactly", `{"RequestURI":"/x"}`, "requestUri", false, "", false, true},
	{"exact wins", `{"A":1,"a":2,"A":3}`, "a", true, "2", true, true},
	{"last duplicate", `{"a":1,"a":2}`, "a", false, "2", true, true},
	{"last duplicate in other case", `{"A":1,"A":2}`, "a", true, "2", true, true},
	{"two other cases", `{"A":1,"aA":0,"Aa":2}`, "aa", true, "", false, false},
	{"two other cases, exact after", `{"aA":0,"Aa":2,"aa":3}`, "aa", true, "3", true, true},
	{"two other cases, exact before", `{"aa":3,"aA":0,"Aa":2}`, "aa", true, "3", true, true},
	{"escaped name", `{"r\u0065questUri":"/x"}`, "requestUri", true, `"/x"`, true, true},
	{"escaped quote in name", `{"a\"b":1}`, `a"b`, false, "1", true, true},
	{"non-ASCII name folds", `{"requeſtUri":"/x"}`, "requestUri", true, `"/x"`, true, true},
	{"Kelvin sign folds", `{"\u212a":1}`, "k", true, "1", true, true},
	{"invalid UTF-8 name", "{\"a\xff\":1}", "a\ufffd", false, "1", true, true},
	{"escapes in values", `{"x":"\"\\\/\b\f\n\r\t\u00e9","a":2}`, "a", true, "2", true, true},
	{"numbers", `{"x":[0,-0,1.5,-12.25,100],"a":2}`, "a", true, "2", true, true},
	{"exponent", `{"x":1e400,"a":2}`, "a", true, "", false, false},
	{"too long a number", `{"x":` + strings.Repeat("9", 400) + `,"a":2}`, "a", true, "", false, false},
	{"too deep", `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"a":2}`, "a", true, "", false, false},
	{"invalid after the member", `{"a":2,"x":tru}`, "a", true, "", false, false},
	{"trailing comma", `{"a":2,}`, "a", true, "", false, false},
	{"leading zero", `{"a":01}`, "a", true, "", false, false},
	{"control character", "{\"a\":\"\x01\"}", "a", true, "", false, false},
	{"bad escape", `{"a":"\x"}`, "a", true, "", false, false},
	{"unclosed", `{"a":2`, "a", true, "", false, false},
	{"after the end", `{"a":2}x`, "a", true, "", false, false},
}

func TestMembers(t *testing.T) {
	for _, tt := range memberTests {
		t.Run(tt.name, func(t *testing.T) {
			value, found, ok := findMember([]byte(tt.obj), tt.key, tt.fold)
			if string(value) != tt.value || found != tt.found || ok != tt.ok {
				t.Errorf("%s: member %q (fold %v) = %s, %v, %v; want %s, %v, %v",
					tt.obj, tt.key, tt.fold, value, found, ok, tt.value, tt.found, tt.ok)
			}
			checkObject(t, []byte(tt.obj))
		})
	}
}

// TestPlainRun puts every byte at every place of a run of plain bytes, and
// a second one after it, across the eight-byte words plainRun reads.
func TestPlainRun(t *testing.T) {
	isPlain := func(c byte) bool { return c >= ' ' && c < 0x80 && c != '"' && c != '\\' }
	b := make([]byte, 20)
	for c := range 256 {
		for at := range len(b) {
			for second := range len(b) {
				for i := range b {
					b[i] = 'a'
				}
				b[second] = 0x80
				b[at] = byte(c)
				want := len(b)
				for i, x := range b {
					if !isPlain(x) {
						want = i
						break
					}
				}
				if got := plainRun(b); got != want {
					t.Fatalf("plainRun(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}
