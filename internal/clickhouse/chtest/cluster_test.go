package chtest

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// TestStartStop starts a cluster, checks that each server knows both
// shards and answers a distributed query, then that Stop ends the
// processes and removes their folder.
func TestStartStop(t *testing.T) {
	RequireServer(t)
	c, err := Start(context.Background(), Options{Shards: 2, Cluster: "pair"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Shards {
		out, err := s.Query("SELECT count() FROM system.clusters WHERE cluster = 'pair'")
		if err != nil || strings.TrimSpace(out) != "2" {
			t.Fatalf("shard %s: %q, %v", s.TCP, out, err)
		}
		out, err = s.Query("SELECT count() FROM remote('" + c.Shards[0].TCP + "," + c.Shards[1].TCP + "', system.one)")
		if err != nil || strings.TrimSpace(out) != "2" {
			t.Fatalf("shard %s: distributed query: %q, %v", s.TCP, out, err)
		}
	}
	procs := []*os.Process{c.Shards[0].proc, c.Shards[1].proc}
	dir := c.dir
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if p.Signal(syscall.Signal(0)) == nil {
			t.Errorf("server %d still running after Stop", p.Pid)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("folder %s left after Stop: %v", dir, err)
	}
}

// TestZstdMinPart checks that with ZstdMinPart an INSERT's parts stay LZ4
// and a merge writes zstd: the merged part is much smaller than the
// inserted ones it replaces (the same rows).
func TestZstdMinPart(t *testing.T) {
	RequireServer(t)
	c, err := Start(context.Background(), Options{Shards: 1, Zstd: true, ZstdMinPart: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	s := c.Shards[0]
	size := func() int {
		t.Helper()
		out, err := s.Query("SELECT sum(data_compressed_bytes) FROM system.parts WHERE active AND table = 'zstd_min_part'")
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(out))
		if err != nil || n == 0 {
			t.Fatalf("compressed bytes: %q, %v", out, err)
		}
		return n
	}
	for _, q := range []string{
		"CREATE TABLE default.zstd_min_part (n UInt64, s String) ENGINE = MergeTree() ORDER BY n",
		`INSERT INTO default.zstd_min_part SELECT number, concat('{"uuid":"', toString(cityHash64(number)), '","eventType":"user.session.start","n":', toString(number % 1000), '}') FROM numbers(100000)`,
		`INSERT INTO default.zstd_min_part SELECT number + 100000, concat('{"uuid":"', toString(cityHash64(number)), '","eventType":"user.authentication.sso","n":', toString(number % 1000), '}') FROM numbers(100000)`,
	} {
		if _, err := s.Query(q); err != nil {
			t.Fatal(err)
		}
	}
	inserted := size()
	if _, err := s.Query("OPTIMIZE TABLE default.zstd_min_part FINAL"); err != nil {
		t.Fatal(err)
	}
	merged := size()
	if merged*10 > inserted*8 {
		t.Errorf("merged part %d bytes, inserted parts %d: the merge did not take zstd, or the inserts did not keep LZ4", merged, inserted)
	}
}
