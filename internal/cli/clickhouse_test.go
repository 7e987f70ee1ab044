package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/catalog"
	"github.com/oktascope/oktascope/internal/clickhouse/chtest"
	"github.com/oktascope/oktascope/internal/indicator"
)

// TestCommandsOnClickHouse runs the commands on a 2-shard ClickHouse
// cluster (--db clickhouse://…) and on the embedded store, over the same
// import, and checks that they print the same: every playbook for every
// indicator of the incidents, search, explain, timeline, scope and detect.
func TestCommandsOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	db, _, incidents := importedOrg(t)
	dir := t.TempDir()
	path, events, _ := generatedLog(t, dir)
	stdout, stderr, code := run(t, dsn, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path)
	if code != 0 || !strings.Contains(stderr, "imported") {
		t.Fatalf("import into ClickHouse: exit %d: %s %s", code, stdout, stderr)
	}
	if _, stderr, _ := run(t, dsn, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), path); !strings.Contains(stderr, "0 imported") {
		t.Errorf("import again: %s", stderr)
	}
	same := func(args ...string) string {
		t.Helper()
		want, _, wantCode := run(t, db, false, args...)
		got, stderr, code := run(t, dsn, false, args...)
		if code != wantCode || got != want {
			t.Errorf("%s: ClickHouse printed (exit %d, %s)\n%.400s\nthe embedded store (exit %d)\n%.400s", strings.Join(args, " "), code, stderr, got, wantCode, want)
		}
		return got
	}
	hunts := 0
	for _, inc := range incidents {
		values := map[indicator.Kind][]string{indicator.User: {inc.UserID}, indicator.IP: {inc.AttackerIP}, indicator.Session: inc.SessionIDs[:1]}
		for _, p := range catalog.Playbooks() {
			for _, v := range values[p.Parameter] {
				if out := same("hunt", p.Name, "--"+string(p.Parameter), v, "--format", "ndjson"); out != "" {
					hunts++
				}
			}
		}
		same("hunt", "user-signin", "--user", inc.UserLogin)
		same("timeline", "--user", inc.UserID)
		same("scope", "--ip", inc.AttackerIP, "--format", "json")
	}
	if hunts < 10 {
		t.Errorf("only %d hunts found events: the comparison exercises little", hunts)
	}
	same("search", `eventType sw "user.mfa." and outcome.result eq "FAILURE"`, "--format", "ndjson")
	same("search", "--q", "push", "--limit", "20", "--format", "ndjson")
	same("explain", "user.account.reset_password")
	same("detect", "--format", "json")
	if n := len(strings.Split(strings.TrimSpace(same("search", "--format", "ndjson")), "\n")); n != len(events) {
		t.Errorf("search of everything: %d events, want %d", n, len(events))
	}
}

// TestDemoOnClickHouse runs the demo on a ClickHouse database twice: it
// replaces what the database held, and prints commands that name it.
func TestDemoOnClickHouse(t *testing.T) {
	dsn := chtest.DSN(t)
	for range 2 {
		stdout, stderr, code := run(t, dsn, false, "demo")
		if code != 0 {
			t.Fatalf("demo: exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "--db '"+dsn+"'") || !strings.Contains(stdout, "hunt user-signin") {
			t.Fatalf("demo output does not walk through %s:\n%.600s", dsn, stdout)
		}
	}
}
