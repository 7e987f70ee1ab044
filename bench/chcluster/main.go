// Command chcluster runs a ClickHouse cluster on loopback for trying
// oktascope's ClickHouse backend and for bench/clickhouse.sh: one
// clickhouse-server per shard (Debian's 18.16 or a current release), each
// in a folder of its own under -dir, until interrupted.
//
//	go run ./bench/chcluster -shards 2 -dir /tmp/okch
//
// It prints the DSN to give oktascope (--db or OKTASCOPE_DB) and, with
// -dsn-file, writes it to that file once every server answers. On SIGINT
// or SIGTERM it stops the servers; the data stays in -dir.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/oktascope/oktascope/internal/clickhouse/chtest"
)

func main() {
	shards := flag.Int("shards", 2, "number of shards (servers)")
	dir := flag.String("dir", "", "folder for the servers' data and logs (default: a temporary folder, removed on exit)")
	db := flag.String("database", "oktascope", "database named in the printed DSN")
	zstd := flag.Bool("zstd", true, "compress parts with zstd (smaller than LZ4, about as fast here)")
	zstdMin := flag.Int64("zstd-min-part", 0, "with -zstd, only parts of at least so many bytes (merged parts) use zstd, an INSERT's parts LZ4")
	dsnFile := flag.String("dsn-file", "", "write the DSN to this file when the cluster is up")
	block := flag.Int("compress-block", 0, "the servers' min and max compress block size in bytes (default: the server's, 64 KiB to 1 MiB)")
	port := flag.Int("port", 0, "first port: shard i listens on port+3i (native), +1 (HTTP), +2 (interserver); default: free ports")
	flag.Parse()
	opts := chtest.Options{Shards: *shards, Dir: *dir, Zstd: *zstd, ZstdMinPart: *zstdMin, MemoryLimit: 8_000_000_000, BasePort: *port, CompressBlock: *block}
	if err := run(opts, *db, *dsnFile); err != nil {
		fmt.Fprintln(os.Stderr, "chcluster:", err)
		os.Exit(1)
	}
}

func run(opts chtest.Options, db, dsnFile string) error {
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := chtest.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Stop()
	dsn := c.DSN(db)
	for i, s := range c.Shards {
		fmt.Printf("shard %d: native %s, HTTP %s, pid %d, folder %s\n", i+1, s.TCP, s.HTTP, s.Pid(), s.Dir)
	}
	fmt.Println(dsn)
	if dsnFile != "" {
		if err := os.WriteFile(dsnFile, []byte(dsn+"\n"), 0o600); err != nil {
			return err
		}
	}
	<-ctx.Done()
	fmt.Println("stopping")
	return c.Stop()
}
