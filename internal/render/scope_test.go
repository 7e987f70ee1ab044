package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/scope/scopetest"

	"github.com/oktascope/oktascope/internal/samples"

	"github.com/oktascope/oktascope/internal/golden"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/scope"
)

// report is the scope of the indicator over the events of an NDJSON
// fixture (none when name is empty).
func report(t *testing.T, name string, ind indicator.Indicator, depth int) *scope.Report {
	t.Helper()
	var events []*logevent.Event
	if name != "" {
		events = samples.ReadFile(t, filepath.Join("testdata", name))
	}
	r, err := scope.Run(context.Background(), &scopetest.Searcher{Events: events}, ind, depth)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// org is internal/scope's test log (testdata/scope-org.ndjson): alice
// (00ualice) and the users and sessions around her.
const org = "scope-org.ndjson"

var (
	alice = indicator.Indicator{Kind: indicator.User, Value: "00ualice"}
	evil  = indicator.Indicator{Kind: indicator.User, Value: "00uevil"}
)

// writeScope writes r in format f.
func writeScope(t *testing.T, f Format, r *scope.Report, width int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteScope(&buf, f, r, Options{Width: width}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestScopeJSONGolden pins the JSON schema of docs/scope.md (testdata/scope.json;
// go test -update rewrites it).
func TestScopeJSONGolden(t *testing.T) {
	golden.Check(t, filepath.Join("testdata", "scope.json"), []byte(writeScope(t, JSON, report(t, org, alice, 2), 0)))
}

// TestScopeJSONSchema checks the keys of the report's objects, and that an empty
// report has arrays, not nulls.
func TestScopeJSONSchema(t *testing.T) {
	full, err := MarshalScope(report(t, org, alice, 2))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(full, &doc); err != nil {
		t.Fatal(err)
	}
	golden.Keys(t, "report", doc, "indicator", "depth", "events", "firstSeen", "lastSeen", "users", "relatedUsers", "notFollowed", "cappedAt", "sharedLinks",
		"sessions", "transactions", "ips", "userAgents", "devices", "apps", "eventTypes", "outcomes", "deviations", "queries", "graph")
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
	graph := doc["graph"].(map[string]any)
	golden.Keys(t, "graph", graph, "nodes", "edges")
	golden.Keys(t, "graph node", graph["nodes"].([]any)[0], "id", "kind", "label", "value", "detail", "events", "indicator", "cited", "deviations", "shared", "more")
	golden.Keys(t, "graph edge", graph["edges"].([]any)[0], "source", "target", "kind", "events")

	empty := writeScope(t, JSON, report(t, "", indicator.Indicator{Kind: indicator.IP, Value: "203.0.113.1"}, 1), 0)
	if strings.Contains(empty, "null") {
		t.Errorf("empty report holds null:\n%s", empty)
	}
}

// hostileReport is a scope whose user and client carry markup, Markdown,
// table separators and terminal escapes (testdata/scope-hostile.ndjson).
func hostileReport(t *testing.T) *scope.Report {
	return report(t, "scope-hostile.ndjson", evil, 1)
}

// TestScopeHTMLEscapes checks that markup from events is escaped.
func TestScopeHTMLEscapes(t *testing.T) {
	out := withoutPictures(t, writeScope(t, HTML, hostileReport(t), 0), "graph")
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

// TestScopeMarkdownEscapes checks that event text cannot inject markup, links
// or table cells into the Markdown report.
func TestScopeMarkdownEscapes(t *testing.T) {
	out := writeScope(t, MD, hostileReport(t), 0)
	for _, bad := range []string{"<script", "<img", "](javascript", "*bold*", "\x1b", "\n# heading", "<b>"} {
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

// TestScopeTextEscapes checks that terminal escapes from events are escaped.
func TestScopeTextEscapes(t *testing.T) {
	out := writeScope(t, Text, hostileReport(t), 120)
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

// TestScopeText checks the terminal view of a scope.
func TestScopeText(t *testing.T) {
	out := writeScope(t, Text, report(t, org, alice, 2), 0)
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

// TestScopeMermaid checks the graph of the Markdown report: one Mermaid
// node per graph node, one link per edge, the indicator and the cited
// nodes classed.
func TestScopeMermaid(t *testing.T) {
	r := report(t, org, alice, 2)
	out := writeScope(t, MD, r, 0)
	start, end := strings.Index(out, "```mermaid\nflowchart LR\n"), strings.Index(out, "\n```\n")
	if start < 0 || end < start {
		t.Fatalf("no Mermaid block:\n%s", out)
	}
	block := out[start:end]
	for _, want := range []string{
		`n0(["alice@acme.example · 11 events"])`, `[("198.51.100.20 · 4 events")]`, `{{"iPhone 15 · 1 event"}}`,
		`-->|"in · 5"|`, "class n0 indicator", "classDef cited",
	} {
		if !strings.Contains(block, want) {
			t.Errorf("Mermaid block lacks %q:\n%s", want, block)
		}
	}
	if got, want := strings.Count(block, "-->|")+strings.Count(block, "-.->|"), len(r.Graph.Edges); got != want || want == 0 {
		t.Errorf("%d links, want %d", got, want)
	}
	for i := range r.Graph.Nodes {
		if !strings.Contains(block, fmt.Sprintf("\n  n%d", i)) {
			t.Errorf("no Mermaid node n%d", i)
		}
	}
}

// TestMermaidText: nothing in a label can leave its quotes.
func TestMermaidText(t *testing.T) {
	for in, want := range map[string]string{
		"alice@acme.example":        "alice@acme.example",
		`"]) --> x[evil`:            "#34;#93;) --#62; x#91;evil",
		"<script>alert(1)</script>": "#60;script#62;alert(1)#60;/script#62;",
		"a\nb```c;#d":               "a#92;x0ab#96;#96;#96;c#59;#35;d",
		"São Paulo · … \u202e":      "S#227;o Paulo · … #92;u202e",
	} {
		if got := mermaidText(in); got != want {
			t.Errorf("mermaidText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestScopeTransactions checks that every format lists a report's API
// transactions apart from its sessions, their ids escaped.
func TestScopeTransactions(t *testing.T) {
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	r := &scope.Report{
		Sessions:     []scope.SessionSummary{{ID: "102A1", Users: []string{"alice@acme.example"}, First: at, Last: at, Events: 3}},
		Transactions: []scope.TransactionSummary{{ID: "trsT1<b>", Users: []string{"alice@acme.example"}, First: at, Last: at.Add(time.Minute), Events: 2}},
	}
	for f, want := range map[Format][]string{
		Text: {"API TRANSACTIONS (REQUESTS OUTSIDE ANY SESSION)", "trsT1<b>     alice@acme.example  2025-03-03T09:00:00.000Z  2025-03-03T09:01:00.000Z  2"},
		MD:   {`## API transactions \(requests outside any session\)`, `| trsT1&lt;b&gt; | alice@acme.example |`},
		HTML: {"API transactions (requests outside any session)", "trsT1&lt;b&gt;"},
		JSON: {`"transactions": [`, `"id": "trsT1\u003cb\u003e"`, `"events": 2`},
	} {
		out := writeScope(t, f, r, 0)
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", f, w, out)
			}
		}
	}
}

// TestScopeCappedSaysSo checks that a report that reached its cap on
// events says so, in the summary line of every format and in JSON.
func TestScopeCappedSaysSo(t *testing.T) {
	r := report(t, org, alice, 2)
	r.CappedAt = 3
	for _, f := range []Format{Text, MD, HTML} {
		if out := writeScope(t, f, r, 0); !strings.Contains(out, "capped at 3 events") {
			t.Errorf("%v report does not say it is capped:\n%.300s", f, out)
		}
	}
	var doc struct {
		CappedAt int `json:"cappedAt"`
	}
	if err := json.Unmarshal([]byte(writeScope(t, JSON, r, 0)), &doc); err != nil || doc.CappedAt != 3 {
		t.Errorf("JSON cappedAt = %d (%v), want 3", doc.CappedAt, err)
	}
}
