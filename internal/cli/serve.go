package cli

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/store"
	"github.com/oktascope/oktascope/internal/web"
)

type serveFlags struct {
	addr      string
	tokenFile string
	tokenEnv  string
	faults    string
	tlsCert   string
	tlsKey    string
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
command prints a link that carries it once. A token you supply is never printed.

--tls-cert and --tls-key serve HTTPS (the session cookie is then Secure). Off
loopback without them, the token, the cookie and the evidence cross the network in
clear, and the command says so.`,
		Example: `  oktascope --db oktascope-demo.db serve
  oktascope serve --addr 0.0.0.0:8443 --token-file ./ui-token --tls-cert cert.pem --tls-key key.pem
  curl -H 'Authorization: SSWS my-token' 'http://127.0.0.1:8080/api/v1/logs?filter=eventType+eq+"user.session.start"&limit=5'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&f.tokenFile, "token-file", "", "file holding the token every request must carry (required off loopback)")
	fl.StringVar(&f.tokenEnv, "token-env", "", "environment variable holding that token")
	fl.StringVar(&f.faults, "faults", "", "inject faults into /api/v1/logs for drills, e.g. '429=0.1,500=0.05,drop=0.02,slow=0.1' (see docs)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the certificate's private key (PEM; with --tls-cert)")
	return cmd
}

// serveConfig is how serve runs: its token (and whether it made it), TLS
// and faults.
type serveConfig struct {
	token     string
	generated bool        // the token was made here: its link may be printed, once
	tls       *tls.Config // nil: plain HTTP
	faults    oktaapi.FaultConfig
	loopback  bool // the address is on loopback
}

func (a *app) runServe(ctx context.Context, f *serveFlags) error {
	st, err := a.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	var cfg serveConfig
	if cfg.token, cfg.generated, err = a.serveToken(f); err != nil {
		return err
	}
	if cfg.faults, err = oktaapi.ParseFaults(f.faults); err != nil {
		return usageError("--faults: %v", err)
	}
	if cfg.tls, err = serveTLS(f.tlsCert, f.tlsKey); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(f.addr)
	cfg.loopback = oktaapi.IsLoopback(host)
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	return a.serve(ctx, ln, st, cfg)
}

// serveTLS loads the certificate and key of --tls-cert and --tls-key.
func serveTLS(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, usageError("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, usageError("--tls-cert %s, --tls-key %s: %v", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// serveToken returns the token requests must carry: from a file or the
// environment, or a random one (generated) when the address is not
// loopback.
func (a *app) serveToken(f *serveFlags) (token string, generated bool, err error) {
	switch {
	case f.tokenFile != "":
		data, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return "", false, fmt.Errorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
	case f.tokenEnv != "":
		token, _ = a.io.Env(f.tokenEnv)
		token = strings.TrimSpace(token)
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return "", false, usageError("--addr %q: %v", f.addr, err)
	}
	if token == "" && !oktaapi.IsLoopback(host) {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return "", false, err
		}
		return hex.EncodeToString(b), true, nil
	}
	return token, false, nil
}

// evidenceClock is the clock of the /api/v1/logs server. Okta's API answers
// relative to now (since defaults to 7 days ago and may not reach back more
// than 180 days), so an evidence set older than that is served as if its
// newest event had just happened: the clock runs from one second after it.
func evidenceClock(ctx context.Context, st *store.Store) (func() time.Time, error) {
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
func (a *app) serve(ctx context.Context, ln net.Listener, st *store.Store, cfg serveConfig) error {
	token := cfg.token
	opts := web.Options{Token: token}
	mux := http.NewServeMux()
	clock, err := evidenceClock(ctx, st)
	if err != nil {
		return err
	}
	var logs http.Handler = oktaapi.NewServer(st, oktaapi.ServerOptions{Token: token, Faults: cfg.faults, Now: clock})
	if token == "" {
		// Without a token the UI's guard answers only requests addressed to
		// loopback names (no DNS rebinding); with one, the API checks the
		// SSWS or Bearer token itself, as Okta does.
		logs = web.Guard(logs, opts)
	}
	mux.Handle(oktaapi.LogsPath, logs)
	mux.Handle("/", web.New(st, opts))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes, TLSConfig: cfg.tls}
	a.announce(st.Path(), ln.Addr().String(), cfg)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if cfg.tls != nil {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// maxHeaderBytes bounds a request's line and headers: the longest filter
// (64 KB) fits three times over, percent-encoded.
const maxHeaderBytes = 256 << 10

// announce prints where serve listens. A token made here is printed once,
// in a link that sets the session cookie; a token the user supplied never
// is (the line ends up in service logs). Off loopback without TLS it warns
// that everything crosses the network in clear.
func (a *app) announce(dbPath, addr string, cfg serveConfig) {
	scheme := "http"
	if cfg.tls != nil {
		scheme = "https"
	}
	link := scheme + "://" + addr + "/"
	note := ""
	switch {
	case cfg.generated:
		link += "?token=" + cfg.token
		note = "; the link carries the token made for this run"
	case cfg.token != "":
		note = "; every request must carry your token: open " + link + "?token=… once, or send Authorization: Bearer …"
	}
	fmt.Fprintf(a.io.Err, "oktascope: serving %s on %s (Ctrl-C stops)%s\n", render.Terminal(dbPath), link, note)
	if !cfg.loopback && cfg.tls == nil {
		fmt.Fprintf(a.io.Err, "oktascope: warning: %s is not a loopback address and this is plain HTTP: the token, the session cookie "+
			"and the evidence cross the network unencrypted, readable and changeable by anyone on the path; use --tls-cert and --tls-key\n", addr)
	}
}
