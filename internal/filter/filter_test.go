package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
)

// sampleEvent is a LogEvent with a value of each JSON type, arrays, a
// free-form map and nulls, for operator tests.
const sampleEvent = `{
 "uuid": "u-1", "published": "2024-03-01T10:00:00.123Z", "eventType": "user.session.start",
 "severity": "INFO", "displayMessage": "User login to Okta",
 "actor": {"id": "00uA", "type": "User", "alternateId": "alice@example.com", "displayName": "Alice", "detailEntry": null},
 "client": {"ipAddress": "203.0.113.7", "zone": "null", "device": "Computer",
   "userAgent": {"rawUserAgent": "Mozilla/5.0", "browser": "CHROME", "os": "Mac OS X"},
   "geographicalContext": {"city": "Paris", "country": "France", "geolocation": {"lat": 48.85, "lon": "2.35"}}},
 "outcome": {"result": "SUCCESS", "reason": null},
 "target": [
   {"id": "0oaApp", "type": "AppInstance", "displayName": "Okta Admin Console", "detailEntry": {"signOnModeType": "SAML_2_0"}},
   {"id": "00uB", "type": "User", "alternateId": "bob@example.com", "displayName": "Bob", "detailEntry": {"methodTypeUsed": "push"}}
 ],
 "authenticationContext": {"externalSessionId": "102abc", "authenticationStep": 0, "credentialType": null},
 "securityContext": {"asNumber": 9009, "asOrg": "m247", "isProxy": true, "isp": null},
 "debugContext": {"debugData": {"requestUri": "/idp/idx/identify", "risk": "{level=LOW}", "threatSuspected": "false", "count": 3}},
 "request": {"ipChain": [{"ip": "203.0.113.7", "version": "V4"}, {"ip": "198.51.100.2", "version": "V4"}]},
 "p_extra": {"Nested": "yes"}
}`

func decode(t testing.TB, raw string) *logevent.Event {
	t.Helper()
	e, err := logevent.Decode([]byte(raw))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return e
}

func matches(t *testing.T, filterText string, e *logevent.Event) bool {
	t.Helper()
	expr, err := Parse(filterText)
	if err != nil {
		t.Fatalf("Parse(%q): %v", filterText, err)
	}
	return Compile(expr).Match(e)
}

func TestOperators(t *testing.T) {
	e := decode(t, sampleEvent)
	tests := []struct {
		name, filter string
		want         bool
	}{
		{"eq string exact", `eventType eq "user.session.start"`, true},
		{"eq string is case-sensitive", `eventType eq "USER.SESSION.START"`, false},
		{"ne string", `eventType ne "user.session.end"`, true},
		{"ne same string", `eventType ne "user.session.start"`, false},
		{"operator case-insensitive", `eventType EQ "user.session.start"`, true},
		{"path case-insensitive", `EVENTTYPE eq "user.session.start"`, true},
		{"sw", `eventType sw "user.session."`, true},
		{"sw no match", `eventType sw "session"`, false},
		{"co", `displayMessage co "login"`, true},
		{"ew", `actor.alternateId ew "@example.com"`, true},
		{"gt string bytewise", `actor.id gt "00u0"`, true},
		{"lt string bytewise", `actor.id lt "00u0"`, false},
		{"eq number", `securityContext.asNumber eq 9009`, true},
		{"quoted literal against a number", `securityContext.asNumber eq "9009"`, true},
		{"gt number numerically", `securityContext.asNumber gt 10000`, false},
		{"ge number", `securityContext.asNumber ge 9009`, true},
		{"le number", `securityContext.asNumber le 9008.5`, false},
		{"number written as a string in the event", `client.geographicalContext.geolocation.lon gt 2`, true},
		{"eq true", `securityContext.isProxy eq true`, true},
		{"quoted literal against a boolean", `securityContext.isProxy eq "true"`, true},
		{"quoted false against a boolean", `securityContext.isProxy eq "false"`, false},
		{"ne boolean", `securityContext.isProxy ne false`, true},
		{"booleans have no order", `securityContext.isProxy gt false`, false},
		{"eq null on a null", `outcome.reason eq null`, true},
		{"eq null on an absent path", `client.nothing eq null`, true},
		{"eq null on a present value", `outcome.result eq null`, false},
		{"ne null on a present value", `outcome.result ne null`, true},
		{"ne null on a null", `securityContext.isp ne null`, false},
		{"null never equals a string", `outcome.reason eq "null"`, false},
		{"the string null is a string", `client.zone eq "null"`, true},
		{"absent never satisfies eq", `client.nothing eq "x"`, false},
		{"absent never satisfies ne", `client.nothing ne "x"`, false},
		{"absent never satisfies co", `outcome.reason co ""`, false},
		{"pr on a value", `client.ipAddress pr`, true},
		{"pr on a null", `outcome.reason pr`, false},
		{"pr on a null object", `actor.detailEntry pr`, false},
		{"pr on an object", `actor pr`, true},
		{"pr on an array", `target pr`, true},
		{"pr on an absent array", `device pr`, false},
		{"array matches any element", `target.id eq "00uB"`, true},
		{"array first element", `target.id eq "0oaApp"`, true},
		{"array no element", `target.id eq "00uC"`, false},
		{"array ne matches any differing element", `target.id ne "00uB"`, true},
		{"ipChain through array", `request.ipChain.ip eq "198.51.100.2"`, true},
		{"numeric index step", `target.0.displayName eq "Okta Admin Console"`, true},
		{"numeric index step other element", `target.0.displayName eq "Bob"`, false},
		{"index out of range", `target.5.id pr`, false},
		{"each comparison on its own", `target.id eq "0oaApp" and target.displayName eq "Bob"`, true},
		{"free-form map", `debugContext.debugData.requestUri eq "/idp/idx/identify"`, true},
		{"free-form map case-insensitive key", `debugContext.debugData.RequestURI eq "/idp/idx/identify"`, true},
		{"free-form number", `debugContext.debugData.count ge 3`, true},
		{"detailEntry through target array", `target.detailEntry.methodTypeUsed eq "push"`, true},
		{"unknown top-level field", `p_extra.nested eq "yes"`, true},
		{"in list", `eventType in ["user.session.end", "user.session.start"]`, true},
		{"in list no match", `eventType in ["a", "b"]`, false},
		{"in list with null", `outcome.reason in ["x", null]`, true},
		{"published as instant, other precision", `published eq "2024-03-01T10:00:00.123000Z"`, true},
		{"published as instant, other zone", `published gt "2024-03-01T11:00:00+02:00"`, true},
		{"published before", `published lt "2024-03-01T10:00:00Z"`, false},
		{"and", `eventType eq "user.session.start" and actor.id eq "00uA"`, true},
		{"and false", `eventType eq "user.session.start" and actor.id eq "00uB"`, false},
		{"or", `actor.id eq "00uB" or target.id eq "00uB"`, true},
		{"not", `not (actor.id eq "00uB")`, true},
		{"NOT upper", `NOT (actor.id eq "00uA")`, false},
		{"precedence and over or", `actor.id eq "x" and actor.id eq "y" or eventType pr`, true},
		{"precedence or inside parens", `actor.id eq "x" and (actor.id eq "y" or eventType pr)`, false},
		{"escaped quote in value", `displayMessage ne "a\"b"`, true},
		{"unicode escape", `client.geographicalContext.city eq "P\u0061ris"`, true},
		{"newlines between tokens", "(actor.id\neq\n\"00uA\")\n", true},
		{"empty filter matches all", ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(t, tt.filter, e); got != tt.want {
				t.Errorf("%s: got %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		filter, want string
	}{
		{`actor.id "00u1abcdef"`, `filter: column 10: expected an operator after 'actor.id', found '"00u1abcdef"'`},
		{`eventType eqq "x"`, `filter: column 11: unrecognized attribute operator 'eqq' after 'eventType'; expected one of eq, ne, gt, ge, lt, le, sw, co, ew, pr, in`},
		{`eventType eq`, `filter: column 13: expected a value (a "string", a number, true, false or null) after 'eq', found the end of the filter`},
		{`(eventType eq "x"`, `filter: column 18: expected ')' to close the '(' at column 1, found the end of the filter`},
		{`eventType eq "x" and`, `filter: column 21: expected an attribute path such as eventType or actor.id, found the end of the filter`},
		{`eventType eq "x)`, `filter: column 14: unterminated string`},
		{`eventType eq "\q"`, `filter: column 14: invalid string "\q": invalid escape \q`},
		{`not eventType eq "x"`, `filter: column 5: expected '(' after 'not', found 'eventType'`},
		{`eventType in "x"`, `filter: column 14: expected '[' after 'in', found '"x"'`},
		{`eventType in ["x" "y"]`, `filter: column 19: expected ',' or ']' in the list, found '"y"'`},
		{`actor..id eq "x"`, `filter: column 1: invalid attribute path 'actor..id': empty step`},
		{`eventType eq "x" eventType`, `filter: column 18: expected 'and', 'or' or the end of the filter, found 'eventType'`},
		{`eventType eq 01`, `filter: column 14: invalid number '01'`},
		{`eventType eq "x" # y`, `filter: column 18: unexpected character '#'`},
		{"(eventType eq \"x\") and\n(actor.id eq)", `filter: line 2, column 13: expected a value (a "string", a number, true, false or null) after 'eq', found ')'`},
		{strings.Repeat("(", MaxDepth+1) + `a eq 1` + strings.Repeat(")", MaxDepth+1), `filter: column 65: filter nests deeper than 64 levels`},
		{`a eq "` + strings.Repeat("x", MaxLength) + `"`, `filter: column 1: filter is 65543 bytes long; the limit is 65536`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.filter)
		var syntaxErr *SyntaxError
		if !errors.As(err, &syntaxErr) {
			t.Errorf("Parse(%.40q): got %v, want a *SyntaxError", tt.filter, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%.40q):\n got  %s\n want %s", tt.filter, err, tt.want)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, text := range append(articleQueries(t), customerDetectionQueries(t)...) {
		assertRoundTrip(t, text)
	}
	for _, text := range []string{
		`a eq "x" and (b eq "y" or c pr) and not (d lt 3.5e2 or e in ["q", null, true])`,
		`x eq "tab\there \"quoted\" back\\slash \u0001 é"`,
		`((a eq 1))`, `a eq 1 or (b eq 2 and c eq 3)`,
	} {
		assertRoundTrip(t, text)
	}
}

// assertRoundTrip checks that printing a parsed filter yields canonical text
// that parses to the same AST.
func assertRoundTrip(t *testing.T, text string) {
	t.Helper()
	first, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	printed := first.String()
	second, err := Parse(printed)
	if err != nil {
		t.Fatalf("re-Parse(%q): %v", printed, err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("round trip changed the AST:\n text    %s\n printed %s\n again   %s", text, printed, second)
	}
	if second.String() != printed {
		t.Errorf("canonical text is not stable: %q then %q", printed, second.String())
	}
}

func TestQuoteKeepsValueOneLiteral(t *testing.T) {
	for _, value := range []string{`"`, `\`, `") or (eventType pr`, "line\nbreak", "\x00\x1f\u2028", `\"`, "é漢"} {
		text := `actor.id eq ` + Quote(value)
		expr, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
		c, ok := expr.(*Compare)
		if !ok || c.Value.Str != value {
			t.Errorf("value %q: parsed to %#v", value, expr)
		}
	}
}
