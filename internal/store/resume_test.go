package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointFileMigrates opens a store beside the checkpoint file of
// the previous release: its checkpoints move into the store (a key the
// store holds keeps its link) and the file goes, once.
func TestCheckpointFileMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "collected.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	key := "https://acme.okta.com/api/v1/logs \x00\x00\x00"
	if err := s.SaveCheckpoint(ctx, "newer", "https://acme.okta.com/api/v1/logs?after=new"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// As the previous release's oktaapi.FileCheckpoints wrote it.
	old := `{
  "version": 1,
  "checkpoints": {
    "https://acme.okta.com/api/v1/logs \u0000\u0000\u0000": {
      "next": "https://acme.okta.com/api/v1/logs?after=old1",
      "saved": "2025-03-03T10:00:00.123456Z"
    },
    "newer": {
      "next": "https://acme.okta.com/api/v1/logs?after=stale",
      "saved": "2025-03-01T10:00:00Z"
    }
  }
}
`
	file := checkpointFile(path)
	if err := os.WriteFile(file, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{key: "https://acme.okta.com/api/v1/logs?after=old1", "newer": "https://acme.okta.com/api/v1/logs?after=new"} {
		if next, ok, err := s.LoadCheckpoint(ctx, k); err != nil || !ok || next != want {
			t.Errorf("checkpoint %q = %q, %v, %v; want %q", k, next, ok, err, want)
		}
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the checkpoint file is still there: %v", err)
	}
	// Once: a finished collect's checkpoint does not come back.
	if err := s.DeleteCheckpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok, _ := s.LoadCheckpoint(ctx, key); ok {
		t.Error("a deleted checkpoint came back from the migrated file")
	}
}

// TestCheckpointFileCorrupt checks that a checkpoint file that is not one
// stops Open with an error naming it, and leaves it in place.
func TestCheckpointFileCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "collected.db")
	file := checkpointFile(path)
	if err := os.WriteFile(file, []byte("{torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open with a corrupt checkpoint file succeeded")
	}
	if !strings.Contains(err.Error(), file) {
		t.Errorf("error %q does not name %s", err, file)
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the corrupt file was removed: %v", err)
	}
}
