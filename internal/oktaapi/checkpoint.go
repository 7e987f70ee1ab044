package oktaapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CheckpointStore keeps, for each collect (an org and a query, named by a
// key), the next link to fetch. The Collector saves it after each page is
// stored and loads it on start, so that an interrupted collect resumes
// where it stopped.
type CheckpointStore interface {
	// Load returns the saved link for key; ok is false when there is none.
	Load(key string) (next string, ok bool, err error)
	// Save records the link for key.
	Save(key, next string) error
	// Delete forgets key (a finished collect).
	Delete(key string) error
}

// CheckpointPath is where a store's checkpoints live: next to the database
// file.
func CheckpointPath(dbPath string) string { return dbPath + ".checkpoints.json" }

// FileCheckpoints is a CheckpointStore in one JSON file, readable only by
// its owner (0600). Every Save rewrites the file atomically (a temporary
// file in the same directory, synced, then renamed over it), so a crash at
// any moment leaves either the old or the new checkpoint, never a torn one.
// It is safe for concurrent use within a process; two processes collecting
// into one store at once may lose each other's checkpoints (never events).
type FileCheckpoints struct {
	path string
	mu   sync.Mutex
}

// NewFileCheckpoints returns the checkpoint store in the file at path
// (created on the first Save).
func NewFileCheckpoints(path string) *FileCheckpoints { return &FileCheckpoints{path: path} }

// Path returns the file's path.
func (f *FileCheckpoints) Path() string { return f.path }

type checkpointFile struct {
	Version     int                   `json:"version"`
	Checkpoints map[string]checkpoint `json:"checkpoints"`
}

type checkpoint struct {
	Next  string    `json:"next"`
	Saved time.Time `json:"saved"`
}

// Load returns the saved link for key.
func (f *FileCheckpoints) Load(key string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cf, err := f.read()
	if err != nil {
		return "", false, err
	}
	cp, ok := cf.Checkpoints[key]
	return cp.Next, ok, nil
}

// Save records next for key.
func (f *FileCheckpoints) Save(key, next string) error {
	return f.update(func(cf *checkpointFile) {
		cf.Checkpoints[key] = checkpoint{Next: next, Saved: time.Now().UTC()}
	})
}

// Delete forgets key.
func (f *FileCheckpoints) Delete(key string) error {
	return f.update(func(cf *checkpointFile) { delete(cf.Checkpoints, key) })
}

func (f *FileCheckpoints) update(change func(*checkpointFile)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cf, err := f.read()
	if err != nil {
		return err
	}
	change(cf)
	data, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return writeFileAtomic(f.path, append(data, '\n'))
}

func (f *FileCheckpoints) read() (*checkpointFile, error) {
	cf := &checkpointFile{Version: 1, Checkpoints: map[string]checkpoint{}}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return cf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := json.Unmarshal(data, cf); err != nil {
		return nil, fmt.Errorf("checkpoint %s: not a checkpoint file: %w", f.path, err)
	}
	if cf.Checkpoints == nil {
		cf.Checkpoints = map[string]checkpoint{}
	}
	return cf, nil
}

// writeFileAtomic replaces path with data: temporary file (0600) in the same
// directory, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable (best effort: not every platform
// can sync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
