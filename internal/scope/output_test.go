package scope

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/oktascope/oktascope/internal/golden"
	"path/filepath"
	"strings"
	"testing"
)

func report(t *testing.T, events *memSearcher, ind Indicator, depth int) *Report {
	t.Helper()
	r, err := Run(context.Background(), events, ind, depth)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestJSONGolden pins the JSON schema of docs/scope.md (testdata/scope.json;
// go test -update rewrites it).
func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := report(t, &memSearcher{events: org(t)}, Indicator{User, alice.id}, 2).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "scope.json"), buf.Bytes())
}

// TestJSONSchema checks the keys of the report's objects, and that an empty
// report has arrays, not nulls.
func TestJSONSchema(t *testing.T) {
	full, err := json.Marshal(report(t, &memSearcher{events: org(t)}, Indicator{User, alice.id}, 2))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(full, &doc); err != nil {
		t.Fatal(err)
	}
	golden.Keys(t, "report", doc, "indicator", "depth", "events", "firstSeen", "lastSeen", "users", "relatedUsers", "notFollowed", "cappedAt", "sharedLinks",
		"sessions", "ips", "userAgents", "devices", "apps", "eventTypes", "outcomes", "deviations", "queries")
	golden.Keys(t, "indicator", doc["indicator"], "kind", "value")
	first := func(name string) any { return doc[name].([]any)[0] }
	golden.Keys(t, "user", first("users"), "id", "alternateId", "displayName", "depth", "followed", "events", "via")
	golden.Keys(t, "related user", first("relatedUsers"), "id", "alternateId", "displayName", "depth", "followed", "events", "via")
	golden.Keys(t, "via", first("relatedUsers").(map[string]any)["via"].([]any)[0], "kind", "value")
	golden.Keys(t, "session", first("sessions"), "id", "users", "first", "last", "events", "ips", "userAgents")
	golden.Keys(t, "ip", first("ips"), "ip", "city", "state", "country", "asn", "asOrg", "isp", "domain", "isProxy", "zone", "events", "first", "last", "users")
	golden.Keys(t, "user agent", first("userAgents"), "raw", "os", "browser", "device", "events")
	golden.Keys(t, "device", first("devices"), "id", "name", "platform", "osVersion", "managed", "registered", "events")
	golden.Keys(t, "app", first("apps"), "id", "name", "alternateId", "events", "granted", "denied")
	golden.Keys(t, "count", first("eventTypes"), "value", "count")
	golden.Keys(t, "deviation", first("deviations"), "kind", "message", "uuids", "flowKind", "session", "user")

	var empty bytes.Buffer
	if err := report(t, &memSearcher{}, Indicator{IP, "203.0.113.1"}, 1).WriteJSON(&empty); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(empty.String(), "null") {
		t.Errorf("empty report holds null:\n%s", empty.String())
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
)

// hostileReport is a scope whose user and client carry markup, Markdown,
// table separators and terminal escapes.
func hostileReport(t *testing.T) *Report {
	ev := newEvents(t)
	evil := who{"00uevil", "evil@acme.example" + xssImg, "Mallory " + xssScript + " *bold* [x](javascript:alert(1)) | col\x1b[31m"}
	w := home
	w.ua = xssImg + " | " + xssScript + "\n# heading\x1b]0;pwned\x07"
	w.city = "Paris" + xssScript
	ev.signin(0, evil, w, "102"+xssImg)
	ev.add(10, "user.authentication.sso", evil, attacker, "102"+xssImg, nil, xssScript)
	return report(t, &memSearcher{events: ev.list}, Indicator{User, evil.id}, 1)
}

// TestHTMLEscapes checks that markup from events is escaped.
func TestHTMLEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := hostileReport(t).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{xssScript, "<script", "<img", "onerror=alert(1)>", "\x1b", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML holds %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "Content-Security-Policy"} {
		if !strings.Contains(out, good) {
			t.Errorf("HTML lacks %q", good)
		}
	}
}

// TestMarkdownEscapes checks that event text cannot inject markup, links
// or table cells into the Markdown report.
func TestMarkdownEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := hostileReport(t).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "<img", "](javascript", "*bold*", "\x1b", "\n# heading"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown holds %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert\\(1\\)&lt;/script&gt;", "\\*bold\\*", "\\[x\\]\\(javascript:alert\\(1\\)\\)", "\\|"} {
		if !strings.Contains(out, good) {
			t.Errorf("Markdown lacks %q", good)
		}
	}
	// Every row of a table has as many unescaped separators as its header.
	var header int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if header == 0 {
			header = n
		} else if n != header {
			t.Errorf("table row with %d separators, header %d: %s", n, header, line)
		}
	}
}

// TestTextEscapes checks that terminal escapes from events are escaped.
func TestTextEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := hostileReport(t).WriteText(&buf, 120); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("text holds raw control characters:\n%q", out)
	}
	if !strings.Contains(out, `\x1b`) || !strings.Contains(out, `\x0a# heading`) {
		t.Errorf("text lacks escapes:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := len([]rune(line)); n > 120 {
			t.Errorf("line of %d runes: %q", n, line)
		}
	}
}

// TestText checks the terminal view of a scope.
func TestText(t *testing.T) {
	var buf bytes.Buffer
	if err := report(t, &memSearcher{events: org(t)}, Indicator{User, alice.id}, 2).WriteText(&buf, 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Scope of user 00ualice (depth 2): 20 events, 2025-03-03T09:00:00.000Z → 2025-03-03T11:13:20.000Z",
		"USERS", "Alice Adams <alice@acme.example>",
		"OTHER USERS ON THE SAME IP ADDRESSES OR SESSIONS", "Dave Diaz <dave@acme.example>", "ip 198.18.1.20",
		"SESSIONS", "102A1", "IP ADDRESSES", "198.51.100.20", "Amsterdam, CA, Netherlands", "AS9009 m247 europe srl",
		"USER AGENTS", "DEVICES", "iPhone 15", "APPS", "salesforce app (salesforce)",
		"EVENT TYPES", "OUTCOMES", "DEVIATIONS", "session_hijack (app_signin flow, alice@acme.example, session 102A1)",
		"QUERIES", `actor.id eq "00ualice"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + out)
	}
}

// TestTextCutsLongTables checks that the terminal view shows at most
// textRows rows of a table and says how many more the other formats hold.
func TestTextCutsLongTables(t *testing.T) {
	for _, n := range []int{textRows, textRows + 12} {
		r := &Report{Indicator: Indicator{IP, "192.0.2.10"}, Depth: 1}
		for i := range n {
			r.Related = append(r.Related, UserSummary{ID: fmt.Sprintf("00u%03d", i), Depth: 1, Events: 1})
		}
		var buf bytes.Buffer
		if err := r.WriteText(&buf, 0); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if got := strings.Count(out, "  00u"); got != textRows {
			t.Errorf("%d related users: %d rows shown, want %d", n, got, textRows)
		}
		more := fmt.Sprintf("… and %d more", n-textRows)
		if shown := strings.Contains(out, "… and "); shown != (n > textRows) || (shown && !strings.Contains(out, more)) {
			t.Errorf("%d related users: note of the rows left out wrong:\n%s", n, out)
		}
	}
}
