package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
)

// RequireEnv names the environment variable that, set to 1, makes a
// missing clickhouse-server fail the tests that need one instead of
// skipping them (CI sets it).
const RequireEnv = "OKTASCOPE_CLICKHOUSE_TESTS"

var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// Main runs a package's tests (call it from TestMain) and stops the
// cluster Shared started, if any.
func Main(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the ClickHouse test cluster:", err)
		}
	}
	os.Exit(code)
}

// RequireServer skips the test when no clickhouse-server is installed, or
// fails it when OKTASCOPE_CLICKHOUSE_TESTS=1.
func RequireServer(t testing.TB) {
	t.Helper()
	if Binary() != "" {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%v (%s=1)", ErrNoServer, RequireEnv)
	}
	t.Skipf("skipping: %v (set %s=1 to make this a failure)", ErrNoServer, RequireEnv)
}

// Shared returns the test process's 2-shard cluster, started on first
// use. Without clickhouse-server the test is skipped, or fails when
// OKTASCOPE_CLICKHOUSE_TESTS=1.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	RequireServer(t)
	shared.once.Do(func() {
		shared.cluster, shared.err = Start(context.Background(), Options{})
	})
	if shared.err != nil {
		t.Fatalf("ClickHouse test cluster: %v", shared.err)
	}
	return shared.cluster
}

// DSN returns the DSN of a new database of the shared cluster, for this
// test alone; the database is dropped on every shard when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	b := make([]byte, 6)
	rand.Read(b)
	db := "t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		for _, s := range c.Shards {
			if err := s.Exec("DROP DATABASE IF EXISTS " + db); err != nil {
				t.Errorf("drop test database: %v", err)
			}
		}
	})
	return c.DSN(db)
}

// Exec runs one statement on the shard through its HTTP interface.
func (s *Shard) Exec(statement string) error {
	_, err := s.Query(statement)
	return err
}

// Query runs a query on the shard through its HTTP interface and returns
// its output (TabSeparated).
func (s *Shard) Query(query string) (string, error) {
	resp, err := http.Post("http://"+s.HTTP+"/?"+url.Values{"query": {query}}.Encode(), "text/plain", nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", strings.Fields(query)[0], strings.TrimSpace(string(body)))
	}
	return string(body), nil
}
