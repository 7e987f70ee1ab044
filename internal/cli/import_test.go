package cli

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
)

// gzipOf returns data gzip-compressed.
func gzipOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportStopsAGzipBomb imports a gzip of a gzip of 32 MiB of junk
// after one good event: exit status 1, the message names the file and the
// cap, and the good event is in the store.
func TestImportStopsAGzipBomb(t *testing.T) {
	dir := t.TempDir()
	content := []byte(`{"uuid":"good","published":"2024-05-01T10:00:00Z","eventType":"user.session.start"}` + "\n")
	content = append(content, bytes.Repeat([]byte("{\"a\":1}\n"), 4<<20)...)
	bomb := filepath.Join(dir, "bomb.json.gz")
	if err := os.WriteFile(bomb, gzipOf(t, gzipOf(t, content)), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "case.db")
	_, stderr, code := run(t, db, false, "import", "--rejects", filepath.Join(dir, "rejects.ndjson"), bomb)
	if code != 1 || !strings.Contains(stderr, bomb) || !strings.Contains(stderr, "cap of 1 MiB") {
		t.Fatalf("exit %d, stderr %q: want 1 and a message naming the file and the cap", code, stderr)
	}
	out, _, code := run(t, db, false, "search", "--format", "ndjson", `uuid eq "good"`)
	if code != 0 || !strings.Contains(out, `"uuid":"good"`) {
		t.Errorf("the event before the cap: exit %d, %q", code, out)
	}
}

// TestImportRefusesSymlinkedRejects runs import in an export directory
// holding oktascope-rejects.ndjson -> ../victim.txt.
func TestImportRefusesSymlinkedRejects(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, "export")
	os.Mkdir(export, 0o755)
	if err := os.WriteFile(filepath.Join(export, "events.ndjson"), []byte("not an event\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(export, "oktascope-rejects.ndjson")
	if err := os.Symlink("../victim.txt", rejects); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, filepath.Join(dir, "case.db"), false, "import", "--rejects", rejects, export)
	if code != 1 || !strings.Contains(stderr, "is a symbolic link") {
		t.Errorf("exit %d, stderr %q: want 1 and the reason", code, stderr)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("victim now holds %q", data)
	}
}

// TestImportConflictsAgainstTheStore imports an export, then an edited copy
// that reuses a uuid with other content and repeats another in another
// layout, into a real store: the conflict is counted ("1 conflicting"),
// written to the rejects file with the stored event's JSON, exit status 3;
// the identical re-import of the other uuid stays silent.
func TestImportConflictsAgainstTheStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.db")
	a := `{"uuid":"a","published":"2024-05-01T10:00:00Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User"}}`
	b := `{"uuid":"b","published":"2024-05-01T10:01:00Z","eventType":"user.session.end"}`
	first := filepath.Join(dir, "first.ndjson")
	if err := os.WriteFile(first, []byte(a+"\n"+b+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, db, false, "import", "--rejects", filepath.Join(dir, "r1.ndjson"), first); code != 0 {
		t.Fatalf("first import: exit %d, %s", code, stderr)
	}
	edited := `{"uuid":"a","published":"2024-05-01T10:00:00Z","eventType":"user.session.start","actor":{"id":"00u2","type":"User"}}`
	relaid := `{ "eventType": "user.session.end", "uuid": "b", "published": "2024-05-01T10:01:00Z" }`
	second := filepath.Join(dir, "second.ndjson")
	if err := os.WriteFile(second, []byte(relaid+"\n"+edited+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "r2.ndjson")
	_, stderr, code := run(t, db, false, "import", "--rejects", rejects, second)
	if code != 3 || !strings.Contains(stderr, "1 duplicate, 1 conflicting, 0 rejected") {
		t.Fatalf("second import: exit %d, %s", code, stderr)
	}
	data, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	var line struct {
		File, Reason, Record, Stored string
		Line                         int
	}
	if err := json.Unmarshal(bytes.TrimSpace(data), &line); err != nil {
		t.Fatalf("rejects %s: %v", data, err)
	}
	if line.File != second || line.Line != 2 || line.Record != edited || line.Stored != a || !strings.Contains(line.Reason, "conflicting duplicate") {
		t.Errorf("rejects line %+v", line)
	}
}

// TestImportGCPercent checks that an import runs with the garbage
// collector's target raised (importGCPercent) and restores the previous
// one, and that a GOGC from the environment is left alone.
func TestImportGCPercent(t *testing.T) {
	current := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before := current()
	var during int
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	if err := withImportGC(func() error { during = current(); return nil }); err != nil {
		t.Fatal(err)
	}
	if during != importGCPercent || current() != before {
		t.Errorf("GC percent %d during the import, %d after; want %d, %d", during, current(), importGCPercent, before)
	}
	t.Setenv("GOGC", "150")
	if err := withImportGC(func() error { during = current(); return nil }); err != nil {
		t.Fatal(err)
	}
	if during != before {
		t.Errorf("GC percent %d during the import with GOGC set, want %d (left as it is)", during, before)
	}
}
