package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/samples"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/synth"
)

// run runs oktascope with args against db and returns stdout, stderr and
// the exit status. terminal pretends stdout is a terminal.
func run(t *testing.T, db string, terminal bool, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Terminal: terminal, Width: 160,
		Env: func(string) (string, bool) { return "", false }}
	code := Main(context.Background(), append([]string{"--db", db}, args...), streams)
	return out.String(), errOut.String(), code
}

// generatedLog writes a generated org log with incidents to an NDJSON file
// and returns its path, its decoded events and the incidents.
func generatedLog(t *testing.T, dir string) (string, []*logevent.Event, []synth.Incident) {
	t.Helper()
	gen := synth.New(synth.Options{Seed: 7, Users: 40, Events: 6000, Incidents: true})
	path := filepath.Join(dir, "org.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, samples.ReadFile(t, path), gen.Incidents()
}

func uuidsOfNDJSON(t *testing.T, out string) []string {
	t.Helper()
	var uuids []string
	s := bufio.NewScanner(strings.NewReader(out))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		var e struct{ UUID string }
		if err := json.Unmarshal(s.Bytes(), &e); err != nil {
			t.Fatalf("output line is not an event: %v: %s", err, s.Text())
		}
		uuids = append(uuids, e.UUID)
	}
	return uuids
}

// tiedTo is the oracle for the article's queries, written without the
// filter package: the event is of one of the playbook's types (any, when
// it lists none) and names the indicator where the query looks.
func tiedTo(p catalog.Playbook, e *logevent.Event, value string) bool {
	if len(p.EventTypes) > 0 && !slices.Contains(p.EventTypes, e.EventType) {
		return false
	}
	switch p.Parameter {
	case indicator.IP:
		return e.Client.IPAddress == value
	case indicator.Session:
		return e.AuthenticationContext.ExternalSessionID == value
	}
	if e.Actor.ID == value {
		return true
	}
	for _, t := range e.Target {
		if t.ID == value {
			return true
		}
	}
	return false
}

// importedOrg imports a generated org log with incidents into a new store
// and returns its path, the log's events and the incidents, one of each
// kind (samples.CheckIncidents).
func importedOrg(t *testing.T) (string, []*logevent.Event, []synth.Incident) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "org.db")
	path, events, incidents := generatedLog(t, dir)
	if _, stderr, code := run(t, db, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	samples.CheckIncidents(t, incidents)
	return db, events, incidents
}

func TestHuntPlaybooksReturnExactlyTheArticlesEvents(t *testing.T) {
	db, events, incidents := importedOrg(t)
	values := map[indicator.Kind][]string{}
	for _, inc := range incidents {
		values[indicator.User] = append(values[indicator.User], inc.UserID)
		values[indicator.IP] = append(values[indicator.IP], inc.AttackerIP, inc.UserIP)
		values[indicator.Session] = append(values[indicator.Session], inc.SessionIDs...)
	}
	if len(values[indicator.User]) != 3 || len(values[indicator.IP]) != 6 || len(values[indicator.Session]) < 3 {
		t.Fatalf("indicators of the incidents: %d users, %d IPs, %d sessions; want 3, 6 and 3 or more",
			len(values[indicator.User]), len(values[indicator.IP]), len(values[indicator.Session]))
	}
	hunts, found := 0, map[string]int{} // hunts run; events found per playbook
	for _, p := range catalog.Playbooks() {
		for _, value := range values[p.Parameter] {
			hunts++
			var want []string
			for _, e := range events {
				if tiedTo(p, e, value) {
					want = append(want, e.UUID)
				}
			}
			stdout, stderr, code := run(t, db, false, "hunt", p.Name, "--"+string(p.Parameter), value, "--format", "ndjson")
			if code != 0 {
				t.Fatalf("hunt %s %s: exit %d: %s", p.Name, value, code, stderr)
			}
			got := uuidsOfNDJSON(t, stdout)
			found[p.Name] += len(got)
			if !slices.Equal(got, want) {
				t.Errorf("hunt %s --%s %s: %d events, want %d (same uuids in published order)", p.Name, p.Parameter, value, len(got), len(want))
			}
		}
	}
	// Every playbook ran, and found events for some incident: the
	// comparisons above are not of empty lists only.
	if len(found) != len(catalog.Playbooks()) || len(catalog.Playbooks()) != 8 || hunts < 8*3 {
		t.Errorf("%d hunts of %d playbooks (want 8, each run): %v", hunts, len(found), found)
	}
	for name, n := range found {
		if n == 0 {
			t.Errorf("hunt %s found no event for any incident", name)
		}
	}
	for _, inc := range incidents {
		byID, _, _ := run(t, db, false, "hunt", "user-signin", "--user", inc.UserID)
		byLogin, stderr, code := run(t, db, false, "hunt", "user-signin", "--user", inc.UserLogin)
		if code != 0 || byLogin != byID || byID == "" {
			t.Errorf("hunt --user %s (login) differs from --user %s (id): exit %d %s", inc.UserLogin, inc.UserID, code, stderr)
		}
	}
}

func TestSearchSyntaxErrorExits2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "empty.db")
	_, stderr, code := run(t, db, false, "search", `actor.id "00u1"`)
	if code != ExitUsage || !strings.Contains(stderr, "filter: column 10: expected an operator after 'actor.id'") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestScopeFlagErrorsExit2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "empty.db")
	for _, args := range [][]string{
		{"scope", "--user", "a@x", "--max-shared", "-1"},
		{"scope", "--user", "a@x", "--depth", "0"},
		{"scope", "--user", "a@x", "--ip", "192.0.2.1"},
	} {
		if _, stderr, code := run(t, db, false, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, stderr %q; want %d", args, code, stderr, ExitUsage)
		}
	}
}

func TestTableEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	path := filepath.Join(dir, "evil.ndjson")
	evil := `{"uuid":"e1","published":"2024-05-01T10:00:00Z","eventType":"user.session.start",` +
		`"actor":{"id":"00uE","type":"User","alternateId":"\u001b[31mred\u001b]0;title\u0007","displayName":"x"},` +
		`"displayMessage":"line\nbreak \u202eevil"}`
	if err := os.WriteFile(path, []byte(evil+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, db, false, "import", "--rejects", filepath.Join(dir, "r.ndjson"), path); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	out, _, code := run(t, db, true, "search")
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, `\x1b[31mred`) {
		t.Errorf("table output not escaped: %q", out)
	}
}

func TestExplain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"explain", "user.account.unlock_token"}, 0, []string{"A token was issued for unlocking the user’s account.", "hunt user-ssu"}},
		{[]string{"explain", "user.sesion.start"}, 1, []string{"Did you mean: user.session.start"}},
		{[]string{"explain", "--catalog", "../catalog/testdata/event-types.json", "user.account.lock"}, 0, []string{"Max sign in attempts exceeded.", "Okta's event-type catalogue"}},
	}
	for _, tt := range tests {
		out, _, code := run(t, db, false, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.args, code, tt.code)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
}

// TestExplainStoredType explains event types the article does not define
// from what the store holds: 43 rate-limit warnings (two messages, three
// actors, one of them hostile text), exit 0; a type the store lacks is
// still unknown.
// TestExplainEscapesAStoredType: a stored event type is event content; its
// search line wrote a bidirectional override raw (the rest of the report
// escaped it), which reverses the text of a terminal or a cat of the file.
func TestExplainEscapesAStoredType(t *testing.T) {
	dir := t.TempDir()
	db, path := filepath.Join(dir, "o.db"), filepath.Join(dir, "x.ndjson")
	eventType := "evil.\u202etype\u200b"
	raw := `{"uuid":"x1","published":"2025-03-03T09:00:00.000Z","eventType":"` + eventType + `","displayMessage":"m"}` + "\n"
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, db, false, "import", path); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	out, errOut, code := run(t, db, false, "explain", "evil.\u202etype\u200b")
	if code != 0 || !strings.Contains(out, "In the store: 1 events") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if strings.ContainsAny(out, "\u202e\u200b") {
		t.Errorf("raw invisible or bidirectional characters in:\n%q", out)
	}
	if !strings.Contains(out, `Search: oktascope search 'eventType eq "evil.\u202etype\u200b"'`) {
		t.Errorf("the search line does not show the type escaped:\n%s", out)
	}
}

// TestErrorsPrintOneALine: an import of two files that both fail joins
// two errors; each is a line of its own, not one line with a visible \x0a
// where the escaper met the newline between them. A newline inside one
// error (from a file name or a server) stays escaped.
func TestErrorsPrintOneALine(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"a.json", "b\nc.json"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(`{"a":1}`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	_, errOut, code := run(t, filepath.Join(dir, "o.db"), false, append([]string{"import"}, paths...)...)
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if strings.HasPrefix(line, "oktascope: ") {
			lines = append(lines, line)
		}
	}
	if code != 1 || len(lines) != 2 || strings.Contains(errOut, `\x0a`+filepath.Join(dir, "b")) ||
		!strings.Contains(lines[0], "a.json: not an Okta System Log export") || !strings.Contains(lines[1], `b\x0ac.json: not an Okta System Log export`) {
		t.Errorf("exit %d, error lines %q in:\n%s", code, lines, errOut)
	}
}

func TestExplainStoredType(t *testing.T) {
	dir := t.TempDir()
	db, path := filepath.Join(dir, "o.db"), filepath.Join(dir, "rl.ndjson")
	var b strings.Builder
	actors := []string{`"id":"00ualice","type":"User","alternateId":"alice@acme.example"`, `"id":"00ubob","type":"User","alternateId":"bob@acme.example"`,
		`"id":"0oaevil","type":"PublicClientApp","alternateId":"evil\u001b[31mred"`}
	for i := range 43 {
		msg := "Rate limit warning"
		if i%10 == 9 {
			msg = "Rate limit violation"
		}
		fmt.Fprintf(&b, `{"uuid":"rl-%02d","published":"2025-03-03T09:%02d:00.000Z","eventType":"system.org.rate_limit.warning","displayMessage":%q,"actor":{%s},"authenticationContext":{"externalSessionId":"trsX%02d"}}`+"\n",
			i, i, msg, actors[min(i%7, 2)], i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, db, false, "import", path); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	out, _, code := run(t, db, false, "explain", "system.org.rate_limit.warning")
	for _, want := range []string{
		"Not an event type the article names; what the store holds of it:",
		"In the store: 43 events, first 2025-03-03T09:00:00.000Z, last 2025-03-03T09:42:00.000Z",
		"displayMessage values Okta wrote (2 distinct):", "39  Rate limit warning", "4  Rate limit violation",
		"Actors with the most events (3 distinct):", "alice@acme.example (00ualice)", `evil\x1b[31mred (0oaevil)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 0 || strings.Contains(out, "\x1b") {
		t.Errorf("exit %d, or raw escape in:\n%q", code, out)
	}
	if _, _, code := run(t, db, false, "explain", "system.org.rate_limit.violation"); code != 1 {
		t.Errorf("a type neither defined nor stored: exit %d, want 1", code)
	}
	out, _, code = run(t, db, false, "explain", "--catalog", "../catalog/testdata/event-types.json", "user.account.lock", "system.org.rate_limit.warning")
	if code != 0 || !strings.Contains(out, "Max sign in attempts exceeded.") || !strings.Contains(out, "nor Okta's catalogue; what the store holds") {
		t.Errorf("with the catalogue: exit %d\n%s", code, out)
	}
}
