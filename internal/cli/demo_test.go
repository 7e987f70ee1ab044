package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/render"
)

// demo replaces what its store held (here a file that is no store, and a
// stale write-ahead log), then walks through the three incidents: each
// printed command names the store, and each is followed by its output.
func TestDemoReplacesItsStoreAndWalksThrough(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo store.db")
	for _, file := range []string{db, db + "-wal"} {
		if err := os.WriteFile(file, []byte("not a store"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := run(t, db, false, "demo")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dbFlag := "oktascope --db " + render.ShellQuote(db) + " "
	for _, want := range []string{
		"Generated a sample org's System Log: ", "(store: " + db + ")",
		"== 1. ", "== 2. ", "== 3. ",
		"$ " + dbFlag + "hunt user-signin --user ", "$ " + dbFlag + "hunt session --session ",
		"$ " + dbFlag + "timeline --session ", "$ " + dbFlag + "scope --ip ",
		"Next steps:\n  " + dbFlag + "detect",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Five hunts, and a timeline and a scope for each of the three
	// incidents, each printed before its output.
	if n := strings.Count(out, "\n  $ "+dbFlag); n != 11 {
		t.Errorf("%d commands printed, want 11", n)
	}
}
