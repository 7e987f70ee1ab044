package cli

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/store"
)

// TestReadingNeedsAStore checks that a reading command does not create a
// store, and says how to get one.
func TestReadingNeedsAStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	_, errOut, code := run(t, db, false, "search", `eventType eq "x"`)
	if code != ExitFailure || !strings.Contains(errOut, "no store at "+db) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("search created %s: %v", db, err)
	}
}

// TestCollectKeepsCheckpointsInTheStore collects a polling request from a
// loopback /api/v1/logs into a new store: the events land, and the
// checkpoint a polling collect keeps is in the store, not in a file beside it.
func TestCollectKeepsCheckpointsInTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	served, err := store.Open(filepath.Join(dir, "served.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	_, events, _ := generatedLog(t, dir)
	events = events[:30]
	if _, err := served.Insert(ctx, events); err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1].Time
	srv := httptest.NewServer(oktaapi.NewServer(served, oktaapi.ServerOptions{Now: func() time.Time { return last.Add(time.Hour) }}))
	defer srv.Close()
	db := filepath.Join(dir, "collected.db")
	_, errOut, code := run(t, db, false, "collect", "--org", srv.URL, "--since", events[0].Time.Format(time.RFC3339), "--limit", "7")
	if code != ExitOK {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(db + ".checkpoints.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a checkpoint file beside the store: %v", err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.Count(ctx, backend.Query{}); err != nil || n != len(events) {
		t.Errorf("collected %d events, %v; want %d", n, err, len(events))
	}
	st.Close()
	if next, ok := savedCheckpoint(t, db, srv.URL, events[0].Time.Format(time.RFC3339), ""); !ok || !strings.Contains(next, "after=") {
		t.Errorf("checkpoint = %q, %v; want the next link", next, ok)
	}
}

// savedCheckpoint returns the checkpoint that collect --org org --since
// since --until until saved in the store db.
func savedCheckpoint(t *testing.T, db, org, since, until string) (string, bool) {
	t.Helper()
	u, err := oktaapi.ParseOrg(org)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := oktaapi.CheckpointKey(u, oktaapi.Params{Key: strings.Join([]string{since, until, "", ""}, "\x00")})
	next, ok, err := st.LoadCheckpoint(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return next, ok
}

// slowBulk is a store whose EndBulk takes a while, as building a large
// store's indexes does.
type slowBulk struct {
	*store.Store
	pause time.Duration
}

func (s slowBulk) EndBulk(ctx context.Context) error {
	time.Sleep(s.pause)
	return s.Store.EndBulk(ctx)
}

// TestImportTimeCountsTheIndexBuild: the summary's time and rate include
// the bulk load's end (the index builds), after which the events can be
// searched; it printed the reading time alone (21.9 s, 45,715 events/s for
// a 1M import that took 37.5 s).
func TestImportTimeCountsTheIndexBuild(t *testing.T) {
	dir := t.TempDir()
	path, _, _ := generatedLog(t, dir)
	var errOut strings.Builder
	opts := &importOptions{
		io:    IO{Out: io.Discard, Err: &errOut, Env: func(string) (string, bool) { return "", false }},
		paths: []string{path}, rejects: filepath.Join(dir, "rejects.ndjson"),
		openBackend: func(ctx context.Context, _ openMode) (backend.Backend, error) {
			st, err := store.Open(filepath.Join(dir, "s.db"))
			return slowBulk{st, 1500 * time.Millisecond}, err
		},
	}
	if err := runImport(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(` in ([0-9.]+)(m?s)`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("no time in %q", errOut.String())
	}
	secs, _ := strconv.ParseFloat(m[1], 64)
	if m[2] == "ms" {
		secs /= 1000
	}
	if secs < 1.5 {
		t.Errorf("the summary says %s%s, the bulk load's end alone took 1.5 s: %s", m[1], m[2], errOut.String())
	}
}
