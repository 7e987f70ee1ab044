package oktaapi

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/store"
)

// Environment of the collecting child process.
const (
	childOrg = "OKTAAPI_TEST_CHILD_ORG"
	childDB  = "OKTAAPI_TEST_CHILD_DB"
)

// TestCollectChild is the child process of TestCollectSurvivesSIGKILL: it
// collects the synthetic day from the parent's server into a store, with
// its checkpoints, and prints "page" after each stored page. It does
// nothing when run on its own.
func TestCollectChild(t *testing.T) {
	orgURL, db := os.Getenv(childOrg), os.Getenv(childDB)
	if orgURL == "" || db == "" {
		t.Skip("run by TestCollectSurvivesSIGKILL")
	}
	org, err := url.Parse(orgURL)
	must(t, err)
	st, err := store.Open(db)
	must(t, err)
	defer st.Close()
	c := &Collector{Org: org, Sink: st, Checkpoint: st,
		Progress: func(p Progress) {
			if p.Phase == PhasePage {
				fmt.Fprintf(os.Stdout, "page %d\n", p.Pages)
			}
		}}
	p := window(synthOptions(0))
	p.Limit = 250
	prog, err := c.Run(context.Background(), p)
	must(t, err)
	fmt.Fprintf(os.Stdout, "done resumed=%v\n", prog.Resumed)
}

// TestCollectSurvivesSIGKILL kills collecting child processes with SIGKILL
// at random moments (mid-request, mid-insert, mid-checkpoint), restarting
// the collect each time, and checks that the store ends up holding exactly
// the served events, once each.
func TestCollectSurvivesSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	if os.Getenv(childOrg) != "" {
		t.Skip("in the child")
	}
	so := synthOptions(5000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	org := serve(t, served, ServerOptions{Now: evidenceClock(so),
		Faults: FaultConfig{Slow: Fault{Every: 1}, SlowDelay: 10 * time.Millisecond}})
	db := filepath.Join(t.TempDir(), "collected.db")
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 4; round++ {
		killAfter := 2 + rng.IntN(4)
		out := runChild(t, org, db, killAfter, time.Duration(rng.IntN(25))*time.Millisecond)
		if strings.Contains(out, "done") {
			t.Fatalf("round %d: the child finished before the kill", round)
		}
	}
	out := runChild(t, org, db, 0, 0)
	if !strings.Contains(out, "done resumed=true") {
		t.Fatalf("final run did not resume and finish: %q", out)
	}
	st, err := store.Open(db)
	must(t, err)
	defer st.Close()
	sameUUIDs(t, uuids(t, st), uuids(t, served))
}

// runChild runs the child collect; with killAfter > 0 it SIGKILLs it delay
// after the child reports its killAfter-th page. It returns the output.
func runChild(t *testing.T, org *url.URL, db string, killAfter int, delay time.Duration) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCollectChild$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), childOrg+"="+org.String(), childDB+"="+db)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	pages := 0
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "page ") {
			pages++
		}
		if killAfter > 0 && pages == killAfter {
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	err = cmd.Wait()
	if killAfter == 0 && err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	return out.String()
}
