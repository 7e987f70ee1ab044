package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/privfile"
)

// TestNewStoreFilesArePrivate opens a new store, writes to it, and checks
// the real files SQLite made, while the store is open (the -wal and -shm
// files exist only then): the database, its -wal and its -shm are 0600.
func TestNewStoreFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustInsert(t, s, backendtest.NewGenerator(backendtest.GenOptions{Seed: 1}).Events(10))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v (the store is open and written: it should exist)", p, err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", p, mode)
		}
	}
}

// TestExistingStoreModeKept opens a store whose owner made it readable by
// the group: its mode is left as it is (docs/storage.md), and SQLite's
// -wal and -shm follow it.
func TestExistingStoreModeKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustInsert(t, s, backendtest.NewGenerator(backendtest.GenOptions{Seed: 2}).Events(3))
	for _, p := range []string{path, path + "-wal"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o640 {
			t.Errorf("%s: mode %v, want the store's own -rw-r-----", p, mode)
		}
	}
}

// TestStoreRefusesSymlinks plants a symbolic link at the store's path and
// at its -wal: Open refuses both, and the link's target is untouched.
func TestStoreRefusesSymlinks(t *testing.T) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		t.Run("link at store"+suffix, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, nil, 0o644); err != nil { // empty: SQLite would take it for a new database
				t.Fatal(err)
			}
			path := filepath.Join(dir, "export", "oktascope.db")
			if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("../victim", path+suffix); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open followed a symbolic link")
			}
			if !errors.Is(err, privfile.ErrSymlink) {
				t.Errorf("error %v, want privfile.ErrSymlink", err)
			}
			if info, err := os.Stat(victim); err != nil || info.Size() != 0 {
				t.Errorf("victim written: %v, %v", info.Size(), err)
			}
			if suffix != "" {
				if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the store was created although its %s is a link (%v)", suffix, err)
				}
			}
		})
	}
}
