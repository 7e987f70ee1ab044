// Package chtest starts a ClickHouse cluster on loopback for tests and
// benchmarks: clickhouse-server processes (Debian's 18.16 and current
// releases read the same configuration), one per shard, each in a folder of
// its own with free ports, named as one cluster in every server's
// remote_servers. The processes die with the process that started them
// (Linux parent-death signal), so that a test killed midway leaves none.
package chtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Options configure Start.
type Options struct {
	// Shards is the number of servers (default 2).
	Shards int
	// Dir is where the servers keep their data and logs, one subfolder per
	// shard (default: a new temporary folder, removed by Stop).
	Dir string
	// Server is the clickhouse-server binary (default: Binary()).
	Server string
	// Cluster is the cluster's name in remote_servers (default
	// "oktascope").
	Cluster string
	// Zstd compresses the parts with zstd instead of LZ4 (smaller, slower
	// to write).
	Zstd bool
	// ZstdMinPart, with Zstd, applies zstd only to parts of at least so
	// many compressed bytes: the parts merges write (an INSERT's part is
	// of size 0 to the server's choice), the others LZ4.
	ZstdMinPart int64
	// MemoryLimit caps each server's memory per query, in bytes (default
	// 2 GB).
	MemoryLimit int64
	// CompressBlock, when set, is the servers' min_compress_block_size
	// and max_compress_block_size (default profile), in bytes: the size
	// of the blocks parts are compressed in, which a read of one granule
	// decompresses whole. MergeTree takes them from the server's default
	// profile (for inserts and merges alike), not from a query.
	CompressBlock int
	// BasePort, when set, fixes the ports: shard i (from 0) listens on
	// BasePort+3i (native), BasePort+3i+1 (HTTP) and BasePort+3i+2
	// (interserver). By default they are free ports picked at start.
	BasePort int
}

// Cluster is a running local cluster.
type Cluster struct {
	// Name is the cluster's name in remote_servers.
	Name string
	// Shards are the servers, in shard order.
	Shards []*Shard
	dir    string
	ownDir bool
}

// Shard is one server of a Cluster.
type Shard struct {
	// TCP and HTTP are the addresses of the native and HTTP interfaces.
	TCP, HTTP string
	// Dir holds the server's configuration, data and logs.
	Dir  string
	proc *os.Process
	done chan error // the server's exit
}

// Pid is the server's process id (0 when stopped).
func (s *Shard) Pid() int {
	if s.proc == nil {
		return 0
	}
	return s.proc.Pid
}

// Binary returns the clickhouse-server binary: $OKTASCOPE_CLICKHOUSE_SERVER,
// clickhouse-server on PATH, or Debian's /usr/sbin/clickhouse-server; ""
// when there is none.
func Binary() string {
	if b := os.Getenv("OKTASCOPE_CLICKHOUSE_SERVER"); b != "" {
		return b
	}
	if b, err := exec.LookPath("clickhouse-server"); err == nil {
		return b
	}
	if _, err := os.Stat("/usr/sbin/clickhouse-server"); err == nil {
		return "/usr/sbin/clickhouse-server"
	}
	return ""
}

// ErrNoServer is returned by Start when no clickhouse-server is installed.
var ErrNoServer = errors.New("clickhouse-server is not installed (Debian: apt-get install clickhouse-server clickhouse-client; or set OKTASCOPE_CLICKHOUSE_SERVER)")

// Start starts the servers and waits until each answers (at most a
// minute). On error it stops those it started.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Shards <= 0 {
		opts.Shards = 2
	}
	if opts.Cluster == "" {
		opts.Cluster = "oktascope"
	}
	if opts.Server == "" {
		opts.Server = Binary()
	}
	if opts.Server == "" {
		return nil, ErrNoServer
	}
	if opts.MemoryLimit <= 0 {
		opts.MemoryLimit = 2_000_000_000
	}
	c := &Cluster{Name: opts.Cluster, dir: opts.Dir}
	if c.dir != "" {
		abs, err := filepath.Abs(c.dir)
		if err != nil {
			return nil, fmt.Errorf("clickhouse cluster: %w", err)
		}
		c.dir = abs
	}
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "oktascope-clickhouse-")
		if err != nil {
			return nil, fmt.Errorf("clickhouse cluster: %w", err)
		}
		c.dir, c.ownDir = dir, true
	}
	ports, err := freePorts(3 * opts.Shards)
	if opts.BasePort > 0 {
		for i := range ports {
			ports[i] = opts.BasePort + i
		}
	}
	if err != nil {
		c.Stop()
		return nil, fmt.Errorf("clickhouse cluster: %w", err)
	}
	for i := range opts.Shards {
		c.Shards = append(c.Shards, &Shard{
			Dir:  filepath.Join(c.dir, fmt.Sprintf("s%d", i+1)),
			TCP:  fmt.Sprintf("127.0.0.1:%d", ports[3*i]),
			HTTP: fmt.Sprintf("127.0.0.1:%d", ports[3*i+1]),
		})
	}
	for i, s := range c.Shards {
		if err := c.write(s, ports[3*i+2], opts); err != nil {
			c.Stop()
			return nil, err
		}
		if err := s.start(opts.Server); err != nil {
			c.Stop()
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, s := range c.Shards {
		if err := s.wait(ctx); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// DSN is oktascope's DSN of the cluster for database db.
func (c *Cluster) DSN(db string) string {
	return "clickhouse://" + c.Shards[0].TCP + "/" + db + "?cluster=" + c.Name
}

// Stop stops every server (TERM, then KILL after 30 s) and removes the
// folder Start created.
func (c *Cluster) Stop() error {
	var errs []error
	for _, s := range c.Shards {
		errs = append(errs, s.stop())
	}
	if c.ownDir {
		errs = append(errs, os.RemoveAll(c.dir))
	}
	return errors.Join(errs...)
}

// write writes the shard's configuration.
func (c *Cluster) write(s *Shard, interserver int, opts Options) error {
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, sub), 0o700); err != nil {
			return fmt.Errorf("clickhouse cluster: %w", err)
		}
	}
	var shards strings.Builder
	for _, o := range c.Shards {
		host, port, _ := net.SplitHostPort(o.TCP)
		fmt.Fprintf(&shards, "      <shard><replica><host>%s</host><port>%s</port></replica></shard>\n", host, port)
	}
	compression := ""
	if opts.Zstd {
		compression = "  <compression><case><method>zstd</method></case></compression>\n"
		if opts.ZstdMinPart > 0 {
			compression = fmt.Sprintf("  <compression><case><min_part_size>%d</min_part_size><method>zstd</method></case></compression>\n", opts.ZstdMinPart)
		}
	}
	_, httpPort, _ := net.SplitHostPort(s.HTTP)
	_, tcpPort, _ := net.SplitHostPort(s.TCP)
	config := fmt.Sprintf(configXML, s.Dir, httpPort, tcpPort, interserver, compression, c.Name, shards.String())
	profile := ""
	if opts.CompressBlock > 0 {
		profile = fmt.Sprintf("      <min_compress_block_size>%[1]d</min_compress_block_size>\n"+
			"      <max_compress_block_size>%[1]d</max_compress_block_size>\n", opts.CompressBlock)
	}
	users := fmt.Sprintf(usersXML, opts.MemoryLimit, profile)
	if err := os.WriteFile(filepath.Join(s.Dir, "config.xml"), []byte(config), 0o600); err != nil {
		return fmt.Errorf("clickhouse cluster: %w", err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "users.xml"), []byte(users), 0o600); err != nil {
		return fmt.Errorf("clickhouse cluster: %w", err)
	}
	return nil
}

// configXML is a server's configuration: loopback only, its own folders,
// UTC, every shard in remote_servers. (<yandex> is the root element
// 18.16 reads; current releases read it too.)
const configXML = `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>%[1]s/log/server.log</log>
    <errorlog>%[1]s/log/server.err.log</errorlog>
    <size>20M</size><count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>%[2]s</http_port>
  <tcp_port>%[3]s</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>%[4]d</interserver_http_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>134217728</uncompressed_cache_size>
  <mark_cache_size>134217728</mark_cache_size>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/tmp/</tmp_path>
  <user_files_path>%[1]s/user_files/</user_files_path>
  <format_schema_path>%[1]s/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <umask>077</umask>
  <mlock_executable>false</mlock_executable>
%[5]s  <remote_servers>
    <%[6]s>
%[7]s    </%[6]s>
  </remote_servers>
</yandex>
`

// usersXML lets the default user in from loopback, without a password.
const usersXML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>%d</max_memory_usage>
%s    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`

// start runs the server in the foreground, from a goroutine locked to its
// OS thread: the parent-death signal is sent when the thread that started
// the process exits, so that thread lives as long as the server.
func (s *Shard) start(server string) error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("clickhouse cluster: %w", err)
	}
	started := make(chan error, 1)
	s.done = make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		defer logf.Close()
		cmd := exec.Command(server, "--config-file="+filepath.Join(s.Dir, "config.xml"))
		cmd.Dir = s.Dir
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("clickhouse cluster: start %s: %w", server, err)
			return
		}
		s.proc = cmd.Process
		started <- nil
		s.done <- cmd.Wait()
	}()
	return <-started
}

// wait waits until the server answers /ping, or fails when it exited.
func (s *Shard) wait(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.HTTP+"/ping", nil)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("clickhouse cluster: server in %s exited (%v): %s", s.Dir, err, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("clickhouse cluster: server in %s did not answer on %s: %s", s.Dir, s.HTTP, s.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// logTail is the end of the server's error log, for error messages.
func (s *Shard) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "log", "server.err.log"))
	if len(b) == 0 {
		b, _ = os.ReadFile(filepath.Join(s.Dir, "log", "stdout.log"))
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

func (s *Shard) stop() error {
	if s.proc == nil {
		return nil
	}
	s.proc.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.proc.Kill()
		<-s.done
	}
	s.proc = nil
	return nil
}

// freePorts returns n ports free on loopback now.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
