//go:build unix

package privfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// victim returns a file outside dir holding text, the target of planted
// links.
func victim(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkUntouched(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "precious" {
		t.Fatalf("victim %s now holds %q (%v)", path, data, err)
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

func TestCreatedFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	for name, create := range map[string]func(string) (*os.File, error){"Create": Create, "CreateNew": CreateNew} {
		path := filepath.Join(dir, name)
		f, err := create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		checkMode(t, path, 0o600)
	}
}

func TestCreateTruncatesOwnFileAndMakesItPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old")
	if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new")
	f.Close()
	checkMode(t, path, 0o600)
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("content %q, want %q", data, "new")
	}
}

func TestCreateRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := victim(t, dir)
	for _, tt := range []struct{ name, target string }{
		{"to a file", target},
		{"dangling", filepath.Join(dir, "nothing-here")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			link := filepath.Join(t.TempDir(), "rejects.ndjson")
			if err := os.Symlink(tt.target, link); err != nil {
				t.Fatal(err)
			}
			f, err := Create(link)
			if err == nil {
				f.Close()
				t.Fatal("Create followed a symbolic link")
			}
			if !errors.Is(err, ErrSymlink) {
				t.Errorf("error %v, want ErrSymlink", err)
			}
			checkUntouched(t, target)
			if _, err := os.Stat(filepath.Join(dir, "nothing-here")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the dangling link's target was created (%v)", err)
			}
			if _, err := CreateNew(link); !errors.Is(err, ErrSymlink) {
				t.Errorf("CreateNew on a symbolic link: %v, want ErrSymlink", err)
			}
			if _, err := Check(link); !errors.Is(err, ErrSymlink) {
				t.Errorf("Check on a symbolic link: %v, want ErrSymlink", err)
			}
		})
	}
}

func TestCreateRefusesHardLinkAndFIFO(t *testing.T) {
	dir := t.TempDir()
	target := victim(t, dir)
	hard := filepath.Join(dir, "hard")
	if err := os.Link(target, hard); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{hard, fifo} {
		f, err := Create(path)
		if err == nil {
			f.Close()
			t.Fatalf("Create(%s) opened it", path)
		}
		if !errors.Is(err, ErrNotPrivate) {
			t.Errorf("Create(%s): %v, want ErrNotPrivate", path, err)
		}
		if _, err := Check(path); !errors.Is(err, ErrNotPrivate) {
			t.Errorf("Check(%s): %v, want ErrNotPrivate", path, err)
		}
	}
	checkUntouched(t, target)
}

func TestCreateWritesToDevNull(t *testing.T) {
	f, err := Create(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("x"); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if info, err := Check(filepath.Join(dir, "absent")); info != nil || err != nil {
		t.Errorf("Check(absent) = %v, %v; want nil, nil", info, err)
	}
	own := filepath.Join(dir, "own")
	if err := os.WriteFile(own, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if info, err := Check(own); info == nil || err != nil {
		t.Errorf("Check(own file) = %v, %v; want its information", info, err)
	}
	if _, err := CreateNew(own); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateNew(existing file): %v, want fs.ErrExist", err)
	}
}
