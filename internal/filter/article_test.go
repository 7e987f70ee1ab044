package filter

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/samples"
)

// articleQueries reads the queries of the article (testdata/article.txt):
// every block of lines that starts with "(" and closes its parentheses.
func articleQueries(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("../../testdata/article.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var queries []string
	var block []string
	depth := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if depth == 0 && !strings.HasPrefix(line, "(") {
			continue
		}
		block = append(block, line)
		depth += strings.Count(line, "(") - strings.Count(line, ")")
		if depth == 0 {
			queries = append(queries, strings.Join(block, "\n"))
			block = nil
		}
	}
	if len(queries) != 8 {
		t.Fatalf("found %d queries in the article, want 8", len(queries))
	}
	return queries
}

// customerDetectionQueries reads the filters Okta publishes in
// okta/customer-detections (testdata/okta-samples/okta-customer-detections).
func customerDetectionQueries(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/okta-samples/okta-customer-detections/queries.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		fields := strings.Split(line, "\t")
		if i == 0 || len(fields) < 4 {
			continue
		}
		queries = append(queries, fields[3])
	}
	if len(queries) != 37 {
		t.Fatalf("found %d customer-detection queries, want 37", len(queries))
	}
	return queries
}

var (
	eventTypeInQuery = regexp.MustCompile(`eventType eq "([^"]+)"`)
	placeholder      = regexp.MustCompile(`<enter [^>]+>`)
)

// articleEventTypes are every event type the article names.
func articleEventTypes(queries []string) []string {
	seen := map[string]bool{}
	var types []string
	for _, q := range queries {
		for _, m := range eventTypeInQuery.FindAllStringSubmatch(q, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				types = append(types, m[1])
			}
		}
	}
	return types
}

func articleEvent(t testing.TB, n int, eventType, actorID, targetID, ip, session string) *logevent.Event {
	return decode(t, fmt.Sprintf(`{"uuid":"e%d","published":"2024-05-01T12:00:%02d.000Z","eventType":%q,
 "actor":{"id":%q,"type":"User"},"target":[{"id":"0oa1","type":"AppInstance"},{"id":%q,"type":"User"}],
 "client":{"ipAddress":%q},"authenticationContext":{"externalSessionId":%q},"outcome":{"result":"SUCCESS"}}`,
		n, n%60, eventType, actorID, targetID, ip, session))
}

// TestArticleQueries runs every query of the article, verbatim with its
// placeholder replaced, over events of every type the article names, for the
// indicator and for others: each must return exactly the events of its own
// event types tied to the indicator.
func TestArticleQueries(t *testing.T) {
	queries := articleQueries(t)
	types := append(articleEventTypes(queries), "user.session.access_admin_app", "user.account.lock")
	const user, ip, session = "00uVictim", "198.51.100.9", "102SessionX"
	for _, q := range queries {
		text := placeholder.ReplaceAllStringFunc(q, func(p string) string {
			switch {
			case strings.Contains(p, "user id"):
				return user
			case strings.Contains(p, "ip address"):
				return ip
			}
			return session
		})
		m := Compile(MustParse(text))
		wanted := map[string]bool{}
		for _, et := range articleEventTypes([]string{q}) {
			wanted[et] = true
		}
		byUser := strings.Contains(q, "actor.id")
		byIP := strings.Contains(q, "client.ipAddress")
		n := 0
		for _, et := range types {
			for _, c := range []struct {
				actor, target, ip, session string
				tied                       bool
			}{
				{user, "00uOther", "203.0.113.1", "102Other", byUser},
				{"00uAdmin", user, "203.0.113.1", "102Other", byUser},
				{"00uOther", "00uOther2", ip, "102Other", byIP},
				{"00uOther", "00uOther2", "203.0.113.1", session, !byUser && !byIP},
				{"00uOther", "00uOther2", "203.0.113.1", "102Other", false},
			} {
				n++
				e := articleEvent(t, n, et, c.actor, c.target, c.ip, c.session)
				want := c.tied && (len(wanted) == 0 || wanted[et])
				if got := m.Match(e); got != want {
					t.Errorf("query %.60q… on %s (actor %s, target %s, ip %s, session %s): got %v, want %v",
						q, et, c.actor, c.target, c.ip, c.session, got, want)
				}
			}
		}
	}
}

// TestCustomerDetectionQueries parses and runs every filter Okta publishes,
// over every public sample event.
func TestCustomerDetectionQueries(t *testing.T) {
	events := samples.Events(t)
	for _, q := range customerDetectionQueries(t) {
		expr, err := Parse(q)
		if err != nil {
			t.Errorf("Parse(%q): %v", q, err)
			continue
		}
		m := Compile(expr)
		for _, e := range events {
			m.Match(e)
		}
	}
}

// TestCustomerDetectionSemantics checks a few of Okta's published filters on
// events built to match and to miss them.
func TestCustomerDetectionSemantics(t *testing.T) {
	tests := []struct {
		filter string
		event  string
		want   bool
	}{
		{`eventType in ["system.api_token.create", "system.api_token.update"] AND debugContext.debugData.networkConnection eq "ANYWHERE"`,
			`{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"system.api_token.update","debugContext":{"debugData":{"networkConnection":"ANYWHERE"}}}`, true},
		{`eventType in ["system.api_token.create", "system.api_token.update"] AND debugContext.debugData.networkConnection eq "ANYWHERE"`,
			`{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"system.api_token.update","debugContext":{"debugData":{"networkConnection":"ZONE"}}}`, false},
		{`eventType eq "user.session.start" and securityContext.isProxy eq "true"`,
			`{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"user.session.start","securityContext":{"isProxy":true}}`, true},
		{`eventType eq "user.authentication.verify" and not (target.detailEntry.MethodTypeUsed eq "push")`,
			`{"uuid":"1","published":"2024-01-01T00:00:00Z","eventType":"user.authentication.verify","target":[{"detailEntry":{"methodTypeUsed":"password"}}]}`, true},
	}
	for _, tt := range tests {
		if got := matches(t, tt.filter, decode(t, tt.event)); got != tt.want {
			t.Errorf("%s on %s: got %v, want %v", tt.filter, tt.event, got, tt.want)
		}
	}
}
