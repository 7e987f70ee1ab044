package oktaapi

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestFileCheckpoints(t *testing.T) {
	dir := t.TempDir()
	path := CheckpointPath(filepath.Join(dir, "oktascope.db"))
	cp := NewFileCheckpoints(path)
	if _, ok, err := cp.Load("k"); ok || err != nil {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	must(t, cp.Save("k", "https://acme.okta.com/api/v1/logs?after=1"))
	must(t, cp.Save("other", "https://acme.okta.com/api/v1/logs?after=9"))
	must(t, cp.Save("k", "https://acme.okta.com/api/v1/logs?after=2"))
	next, ok, err := NewFileCheckpoints(path).Load("k")
	if err != nil || !ok || next != "https://acme.okta.com/api/v1/logs?after=2" {
		t.Fatalf("Load = %q %v %v", next, ok, err)
	}
	must(t, cp.Delete("k"))
	if _, ok, _ := cp.Load("k"); ok {
		t.Fatal("deleted checkpoint still there")
	}
	if next, _, _ := cp.Load("other"); next == "" {
		t.Fatal("Delete removed another key")
	}
	info, err := os.Stat(path)
	must(t, err)
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	os.WriteFile(path, []byte("{torn"), 0o600)
	if _, _, err := cp.Load("k"); err == nil {
		t.Error("a corrupt checkpoint file loaded")
	}
}

func TestCheckpointKey(t *testing.T) {
	org, _ := url.Parse("https://acme.okta.com")
	since := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	a := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "x"`})
	b := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "x"`, Limit: 1000, SortOrder: "ascending", Follow: true})
	c := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "y"`})
	if a != b || a == c {
		t.Errorf("keys: %q %q %q", a, b, c)
	}
	if k := CheckpointKey(org, Params{Key: "--since 7d"}); k != "https://acme.okta.com/api/v1/logs --since 7d" {
		t.Errorf("explicit key: %q", k)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
