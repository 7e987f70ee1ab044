package chtest

import (
	"context"
	"os"
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
