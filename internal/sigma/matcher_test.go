package sigma

import (
	"strings"
	"testing"
)

// matchCase is an event (as dotted fields) and whether the rule matches it.
type matchCase struct {
	fields map[string]any
	want   bool
}

// checkRule parses a detection, checks its conversion (want "" when it is
// not convertible, then reason must occur in the error) and its matches.
func checkRule(t *testing.T, detection, wantFilter, reason string, cases []matchCase) {
	t.Helper()
	r := mustRule(t, detection)
	got, err := Convert(r)
	switch {
	case wantFilter != "" && (err != nil || got != wantFilter):
		t.Errorf("Convert = %q (%v), want %q", got, err, wantFilter)
	case wantFilter == "" && (err == nil || !strings.Contains(err.Error(), reason)):
		t.Errorf("Convert error = %v, want one containing %q", err, reason)
	}
	for i, c := range cases {
		if m := r.Matcher().Match(event(t, c.fields)); m != c.want {
			t.Errorf("case %d %v: match = %v, want %v", i, c.fields, m, c.want)
		}
	}
}

func TestStringModifiers(t *testing.T) {
	checkRule(t, `    sel:
        debugContext.debugData.requestUri|contains: /admin/
        client.userAgent.rawUserAgent|startswith: curl/
        actor.alternateId|endswith: '@example.com'
    condition: sel
`, `debugContext.debugData.requestUri co "/admin/" and client.userAgent.rawUserAgent sw "curl/" and actor.alternateId ew "@example.com"`, "",
		[]matchCase{
			{map[string]any{"debugContext.debugData.requestUri": "/api/admin/x", "client.userAgent.rawUserAgent": "curl/8.0", "actor.alternateId": "a@example.com"}, true},
			{map[string]any{"debugContext.debugData.requestUri": "/api/ADMIN/x", "client.userAgent.rawUserAgent": "curl/8.0", "actor.alternateId": "a@example.com"}, false},
			{map[string]any{"debugContext.debugData.requestUri": "/api/admin/x", "client.userAgent.rawUserAgent": "xcurl/8.0", "actor.alternateId": "a@example.com"}, false},
			{map[string]any{"debugContext.debugData.requestUri": "/api/admin/x", "client.userAgent.rawUserAgent": "curl/8.0", "actor.alternateId": "a@example.com.evil"}, false},
		})
}

func TestListsAndAll(t *testing.T) {
	checkRule(t, `    sel:
        eventType:
            - user.session.start
            - user.authentication.sso
        displayMessage|contains|all:
            - User
            - login
    condition: sel
`, `(eventType eq "user.session.start" or eventType eq "user.authentication.sso") and displayMessage co "User" and displayMessage co "login"`, "",
		[]matchCase{
			{map[string]any{"eventType": "user.authentication.sso", "displayMessage": "User login to Okta"}, true},
			{map[string]any{"eventType": "user.session.start", "displayMessage": "User logout"}, false},
			{map[string]any{"eventType": "user.session.end", "displayMessage": "User login"}, false},
		})
}

func TestListOfMaps(t *testing.T) {
	checkRule(t, `    sel:
        - eventType: a.b
          outcome.result: FAILURE
        - eventType: c.d
    condition: sel
`, `(eventType eq "a.b" and outcome.result eq "FAILURE") or eventType eq "c.d"`, "",
		[]matchCase{
			{map[string]any{"eventType": "a.b", "outcome.result": "FAILURE"}, true},
			{map[string]any{"eventType": "a.b", "outcome.result": "SUCCESS"}, false},
			{map[string]any{"eventType": "c.d"}, true},
		})
}

func TestExistsAndNull(t *testing.T) {
	checkRule(t, `    sel:
        securityContext.isProxy|exists: true
        client.zone|exists: false
        outcome.reason: null
    condition: sel
`, `securityContext.isProxy pr and not (client.zone pr) and outcome.reason eq null`, "",
		[]matchCase{
			{map[string]any{"securityContext.isProxy": false}, true},
			{map[string]any{}, false},
			{map[string]any{"securityContext.isProxy": true, "client.zone": "Office"}, false},
			{map[string]any{"securityContext.isProxy": true, "outcome.reason": "x"}, false},
		})
}

func TestTypedValues(t *testing.T) {
	checkRule(t, `    sel:
        securityContext.isProxy: true
        securityContext.asNumber: 13335
        authenticationContext.authenticationStep|gte: 0x1
    condition: sel
`, `securityContext.isProxy eq true and securityContext.asNumber eq 13335 and authenticationContext.authenticationStep ge 1`, "",
		[]matchCase{
			{map[string]any{"securityContext.isProxy": true, "securityContext.asNumber": 13335, "authenticationContext.authenticationStep": 2}, true},
			{map[string]any{"securityContext.isProxy": "true", "securityContext.asNumber": "13335", "authenticationContext.authenticationStep": 1}, true},
			{map[string]any{"securityContext.isProxy": true, "securityContext.asNumber": 13335, "authenticationContext.authenticationStep": 0}, false},
		})
}

func TestRegexp(t *testing.T) {
	checkRule(t, `    sel:
        client.userAgent.rawUserAgent|re|i: '^python-requests/\d+'
    condition: sel
`, "", "field modifier |re on client.userAgent.rawUserAgent has no equivalent in Okta's filter language",
		[]matchCase{
			{map[string]any{"client.userAgent.rawUserAgent": "Python-Requests/2.31"}, true},
			{map[string]any{"client.userAgent.rawUserAgent": "x python-requests/2"}, false},
			{map[string]any{}, false},
		})
}

func TestCIDR(t *testing.T) {
	checkRule(t, `    sel:
        client.ipAddress|cidr:
            - 10.0.0.0/8
            - 2001:db8::/32
    condition: sel
`, "", "field modifier |cidr on client.ipAddress has no equivalent in Okta's filter language",
		[]matchCase{
			{map[string]any{"client.ipAddress": "10.1.2.3"}, true},
			{map[string]any{"client.ipAddress": "2001:db8::1"}, true},
			{map[string]any{"client.ipAddress": "::ffff:10.0.0.1"}, true},
			{map[string]any{"client.ipAddress": "11.0.0.1"}, false},
			{map[string]any{"client.ipAddress": "null"}, false},
		})
}

func TestCIDROverArray(t *testing.T) {
	r := mustRule(t, "    sel:\n        request.ipChain.ip|cidr: 192.0.2.0/24\n    condition: sel\n")
	e := event(t, map[string]any{"request": map[string]any{"ipChain": []any{
		map[string]any{"ip": "198.51.100.7"}, map[string]any{"ip": "192.0.2.9"},
	}}})
	if !r.Matcher().Match(e) {
		t.Error("a path through an array must match when any element does")
	}
}

func TestWildcards(t *testing.T) {
	tests := []struct {
		value, filter, reason string
		yes, no               []string
	}{
		{value: "admin*", filter: `displayMessage sw "admin"`, yes: []string{"admin", "admin x"}, no: []string{"xadmin"}},
		{value: "*admin", filter: `displayMessage ew "admin"`, yes: []string{"xadmin"}, no: []string{"admin x"}},
		{value: "*admin*", filter: `displayMessage co "admin"`, yes: []string{"my admin x"}, no: []string{"adm"}},
		{value: "*", filter: `displayMessage pr`, yes: []string{"x"}, no: nil},
		{value: `a\*b`, filter: `displayMessage eq "a*b"`, yes: []string{"a*b"}, no: []string{"axb"}},
		{value: `C:\Users`, filter: `displayMessage eq "C:\\Users"`, yes: []string{`C:\Users`}, no: nil},
		{value: "a*b", reason: `value "a*b" of displayMessage has a wildcard inside it`, yes: []string{"ab", "a-x-b"}, no: []string{"ba", "abc"}},
		{value: "us?r", reason: `value "us?r" of displayMessage has a wildcard inside it`, yes: []string{"user", "usar"}, no: []string{"usr", "ussser"}},
		{value: "*a?c*", reason: "wildcard inside it", yes: []string{"xxabcxx"}, no: []string{"ac"}},
	}
	for _, tt := range tests {
		var cases []matchCase
		for _, s := range tt.yes {
			cases = append(cases, matchCase{map[string]any{"displayMessage": s}, true})
		}
		for _, s := range tt.no {
			cases = append(cases, matchCase{map[string]any{"displayMessage": s}, false})
		}
		cases = append(cases, matchCase{map[string]any{}, false})
		t.Run(tt.value, func(t *testing.T) {
			checkRule(t, "    sel:\n        displayMessage: '"+tt.value+"'\n    condition: sel\n", tt.filter, tt.reason, cases)
		})
	}
}

func TestConditions(t *testing.T) {
	sels := `    sel_a:
        eventType: a
    sel_b:
        outcome.result: SUCCESS
    filter_x:
        actor.id: admin
    _private:
        client.zone: Z
`
	ev := func(eventType, result, actor string) map[string]any {
		return map[string]any{"eventType": eventType, "outcome.result": result, "actor.id": actor}
	}
	tests := []struct {
		cond, filter string
		cases        []matchCase
	}{
		{"sel_a and not filter_x", `eventType eq "a" and not (actor.id eq "admin")`,
			[]matchCase{{ev("a", "", "u"), true}, {ev("a", "", "admin"), false}}},
		{"1 of sel_*", `eventType eq "a" or outcome.result eq "SUCCESS"`,
			[]matchCase{{ev("b", "SUCCESS", ""), true}, {ev("b", "FAILURE", ""), false}}},
		{"all of sel_*", `eventType eq "a" and outcome.result eq "SUCCESS"`,
			[]matchCase{{ev("a", "SUCCESS", ""), true}, {ev("a", "FAILURE", ""), false}}},
		{"1 of them", `eventType eq "a" or outcome.result eq "SUCCESS" or actor.id eq "admin"`,
			[]matchCase{{ev("x", "", "admin"), true}, {map[string]any{"eventType": "x", "client.zone": "Z"}, false}}},
		{"all of them", `eventType eq "a" and outcome.result eq "SUCCESS" and actor.id eq "admin"`,
			[]matchCase{{ev("a", "SUCCESS", "admin"), true}}},
		{"sel_a or sel_b and not filter_x", `eventType eq "a" or (outcome.result eq "SUCCESS" and not (actor.id eq "admin"))`,
			[]matchCase{{ev("a", "", "admin"), true}, {ev("b", "SUCCESS", "admin"), false}}},
		{"(sel_a or sel_b) and not filter_x", `(eventType eq "a" or outcome.result eq "SUCCESS") and not (actor.id eq "admin")`,
			[]matchCase{{ev("a", "", "admin"), false}, {ev("b", "SUCCESS", "u"), true}}},
		{"NOT not sel_a", `not (not (eventType eq "a"))`,
			[]matchCase{{ev("a", "", ""), true}}},
		{"not 1 of filter* and sel_a", `not (actor.id eq "admin") and eventType eq "a"`,
			[]matchCase{{ev("a", "", "u"), true}, {ev("a", "", "admin"), false}}},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			checkRule(t, sels+"    condition: "+tt.cond+"\n", tt.filter, "", tt.cases)
		})
	}
}

func TestConditionList(t *testing.T) {
	checkRule(t, "    a:\n        eventType: a\n    b:\n        eventType: b\n    condition:\n        - a\n        - b\n",
		`eventType eq "a" or eventType eq "b"`, "", []matchCase{{map[string]any{"eventType": "b"}, true}})
}

func TestFieldNames(t *testing.T) {
	tests := map[string]string{
		"eventtype":                                   "eventType",
		"EVENTTYPE":                                   "eventType",
		"event_type":                                  "eventType",
		"displaymessage":                              "displayMessage",
		"client.ipaddress":                            "client.ipAddress",
		"client.useragent.rawuseragent":               "client.userAgent.rawUserAgent",
		"securitycontext.isproxy":                     "securityContext.isProxy",
		"device.osPlatform":                           "device.os_platform",
		"debugcontext.debugdata.requesturi":           "debugContext.debugData.requestUri",
		"debugContext.debugData.someNewKey":           "debugContext.debugData.someNewKey",
		"target.0.displayname":                        "target.0.displayName",
		"target.detailentry.methodtypeused":           "target.detailEntry.methodTypeUsed",
		"authenticationcontext.externalsessionid":     "authenticationContext.externalSessionId",
		"request.ipchain.geographicalcontext.country": "request.ipChain.geographicalContext.country",
		"authenticationContext.authenticatorContext.BindingMethod": "authenticationContext.authenticatorContext.bindingMethod",
		"unknownTop.Field": "unknownTop.Field",
	}
	for in, want := range tests {
		if got := canonicalPath(in); got != want {
			t.Errorf("canonicalPath(%q) = %q, want %q", in, got, want)
		}
	}
	checkRule(t, "    sel:\n        displaymessage: Hi\n    condition: sel\n", `displayMessage eq "Hi"`, "",
		[]matchCase{{map[string]any{"displayMessage": "Hi"}, true}})
}

func TestInvalidPathIsGoSide(t *testing.T) {
	checkRule(t, "    sel:\n        debugContext.debugData.odd key: x\n    condition: sel\n", "",
		`field name "debugContext.debugData.odd key" cannot be written as an attribute path`,
		[]matchCase{{map[string]any{"debugContext.debugData.odd key": "x"}, true}, {map[string]any{}, false}})
}
