package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/web"
)

type serveFlags struct {
	addr      string
	tokenFile string
	tokenEnv  string
	apiToken  string
	faults    string
}

func (a *app) serveCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the web UI and an Okta-compatible /api/v1/logs over the store",
		Long: `serve opens the investigation UI (search, hunts, timelines, scope: docs/web.md) and an
Okta-compatible GET /api/v1/logs endpoint over the store, so tools written for Okta's API
can read an offline evidence set. Everything is read-only and served from the binary.

It binds to loopback by default. Binding to any other address requires a token
(--token-file or --token-env); a random one is made when neither is given, and the
command prints a link that carries it once.`,
		Example: `  oktascope --db oktascope-demo.db serve
  oktascope serve --addr 0.0.0.0:8443 --token-file ./ui-token
  curl -H 'Authorization: SSWS my-token' 'http://127.0.0.1:8080/api/v1/logs?filter=eventType+eq+"user.session.start"&limit=5'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the token every request must carry (required off loopback)")
	fl.StringVar(&f.tokenEnv, "token-env", "", "environment variable holding that token")
	fl.StringVar(&f.faults, "faults", "", "inject faults into /api/v1/logs for drills, e.g. '429=0.1,500=0.05,drop=0.02,slow=0.1' (see docs)")
	return cmd
}

func (a *app) runServe(ctx context.Context, f *serveFlags) error {
	st, err := a.openBackend(ctx, mustExist)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := a.serveToken(f)
	if err != nil {
		return err
	}
	faults, err := oktaapi.ParseFaults(f.faults)
	if err != nil {
		return usageError("--faults: %v", err)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	return a.serve(ctx, ln, st, token, faults)
}

// serveToken returns the token requests must carry: from a file or the
// environment, or a random one when the address is not loopback.
func (a *app) serveToken(f *serveFlags) (string, error) {
	var token string
	switch {
	case f.tokenFile != "":
		data, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
	case f.tokenEnv != "":
		token, _ = a.io.Env(f.tokenEnv)
		token = strings.TrimSpace(token)
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return "", usageError("--addr %q: %v", f.addr, err)
	}
	if token == "" && !oktaapi.IsLoopback(host) {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		token = hex.EncodeToString(b)
	}
	return token, nil
}

// evidenceClock is the clock of the /api/v1/logs server. Okta's API answers
// relative to now (since defaults to 7 days ago and may not reach back more
// than 180 days), so an evidence set older than that is served as if its
// newest event had just happened: the clock runs from one second after it.
func evidenceClock(ctx context.Context, st backend.Reader) (func() time.Time, error) {
	stats, err := st.Stats(ctx)
	if err != nil {
		return nil, err
	}
	shift := time.Duration(0)
	if start := time.Now(); !stats.Last.IsZero() && stats.Last.Before(start) {
		shift = stats.Last.Add(time.Second).Sub(start)
	}
	return func() time.Time { return time.Now().Add(shift) }, nil
}

// serve runs the UI and the API on ln until ctx ends.
func (a *app) serve(ctx context.Context, ln net.Listener, st backend.Backend, token string, faults oktaapi.FaultConfig) error {
	opts := web.Options{Token: token}
	mux := http.NewServeMux()
	clock, err := evidenceClock(ctx, st)
	if err != nil {
		return err
	}
	var logs http.Handler = oktaapi.NewServer(st, oktaapi.ServerOptions{Token: token, Faults: faults, Now: clock})
	if token == "" {
		// Without a token the UI's guard answers only requests addressed to
		// loopback names (no DNS rebinding); with one, the API checks the
		// SSWS or Bearer token itself, as Okta does.
		logs = web.Guard(logs, opts)
	}
	mux.Handle(oktaapi.LogsPath, logs)
	mux.Handle("/", web.New(st, opts))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	url := "http://" + ln.Addr().String() + "/"
	if token != "" {
		url += "?token=" + token
	}
	fmt.Fprintf(a.io.Err, "oktascope: serving %s on %s (Ctrl-C stops)\n", st.Location(), url)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
