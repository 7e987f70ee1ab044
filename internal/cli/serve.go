package cli

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/web"
)

// serveOptions are what serve runs with.
type serveOptions struct {
	io          IO
	openBackend backendOpener

	config serveConfig
}

// serveFlags are serve's flags as given.
type serveFlags struct {
	addr    string
	secret  secretFlags
	faults  string
	tlsCert string
	tlsKey  string
	live    serveLiveFlags
}

func newServeCmd(f *factory, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{io: f.io, openBackend: f.openBackend}
	var flags serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the web UI and an Okta-compatible /api/v1/logs over the store",
		Long: `serve opens the investigation UI (search, hunts, timelines, scope: docs/web.md) and an
Okta-compatible GET /api/v1/logs endpoint over the store, so tools written for Okta's API
can read an offline evidence set. Everything is read-only and served from the binary,
but for the Okta Event Hook receiver, which --event-hook-secret-env (or -file) turns on
at /hooks/okta: it stores the events a live org pushes, for oktascope watch
(docs/watch.md). --oauth-client makes the API a fake org's, with a token endpoint that
collect --client-id can use offline.

It binds to loopback by default. Binding to any other address requires a token
(--token-file or --token-env); a random one is made when neither is given, and the
command prints a link that carries it once. A token you supply is never printed.

--tls-cert and --tls-key serve HTTPS (the session cookie is then Secure). Off
loopback without them, the token, the cookie and the evidence cross the network in
clear, and the command says so.`,
		Example: `  oktascope --db oktascope-demo.db serve
  oktascope serve --addr 0.0.0.0:8443 --token-file ./ui-token --tls-cert cert.pem --tls-key key.pem
  oktascope --db live.db serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --event-hook-secret-env OKTA_HOOK_SECRET
  curl -H 'Authorization: SSWS my-token' 'http://127.0.0.1:8080/api/v1/logs?filter=eventType+eq+"user.session.start"&limit=5'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.config, err = flags.config(f.io.Env); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&flags.addr, "addr", defaultServeAddr, "address to listen on")
	flags.secret.register(fl, "environment variable holding the token every request must carry", "file holding that token (without one, off loopback, a random token is made)")
	fl.StringVar(&flags.faults, "faults", "", "inject faults into /api/v1/logs for drills, e.g. '429=0.1,500=0.05,drop=0.02,slow=0.1' (see docs)")
	fl.StringVar(&flags.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	fl.StringVar(&flags.tlsKey, "tls-key", "", "the certificate's private key (PEM; with --tls-cert)")
	flags.live.register(fl)
	return cmd
}

// defaultServeAddr is where serve (and demo --serve) listens by default.
const defaultServeAddr = "127.0.0.1:8080"

// serveConfig is how serve runs: its address, its token (and whether it
// made it), TLS and faults.
type serveConfig struct {
	addr      string
	token     string
	generated bool        // the token was made here: its link may be printed, once
	tls       *tls.Config // nil: plain HTTP
	faults    oktaapi.FaultConfig
	loopback  bool                  // the address is on loopback
	oauth     *oktaapi.OAuthOptions // the fake org's token endpoint, or nil
	hook      *web.EventHookOptions // the Event Hook receiver, or nil
}

// config reads the token, the faults and the TLS certificate the flags
// name.
func (f *serveFlags) config(env func(string) (string, bool)) (serveConfig, error) {
	cfg := serveConfig{addr: f.addr}
	var err error
	if cfg.token, cfg.generated, err = f.serveToken(env); err != nil {
		return cfg, err
	}
	if cfg.faults, err = oktaapi.ParseFaults(f.faults); err != nil {
		return cfg, usageError("--faults: %v", err)
	}
	if cfg.tls, err = serveTLS(f.tlsCert, f.tlsKey); err != nil {
		return cfg, err
	}
	if cfg.oauth, err = f.live.oauthOptions(); err != nil {
		return cfg, err
	}
	if cfg.hook, err = f.live.eventHook(env); err != nil {
		return cfg, err
	}
	host, _, _ := net.SplitHostPort(f.addr)
	cfg.loopback = oktaapi.IsLoopback(host)
	return cfg, nil
}

func runServe(ctx context.Context, opts *serveOptions) error {
	mode := mustExist
	if opts.config.hook != nil {
		mode = createIfMissing // a new store, for the events Okta will push
	}
	return opts.openBackend.with(ctx, mode, func(st backend.Backend) error {
		ln, err := net.Listen("tcp", opts.config.addr)
		if err != nil {
			return err
		}
		return serve(ctx, opts.io, ln, st, opts.config)
	})
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
func (f *serveFlags) serveToken(env func(string) (string, bool)) (token string, generated bool, err error) {
	if token, err = f.secret.read(env); err != nil {
		return "", false, err
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
func serve(ctx context.Context, streams IO, ln net.Listener, st backend.Backend, cfg serveConfig) error {
	token := cfg.token
	opts := web.Options{Token: token}
	mux := http.NewServeMux()
	clock, err := evidenceClock(ctx, st)
	if err != nil {
		return err
	}
	api := oktaapi.NewServer(st, oktaapi.ServerOptions{Token: token, Faults: cfg.faults, Now: clock, OAuth: cfg.oauth})
	var logs http.Handler = api
	if cfg.oauth != nil {
		// The token endpoint takes POSTs and checks each client's signed
		// assertion itself, as an org's does.
		mux.Handle(oktaapi.TokenPath, api)
	}
	if cfg.hook != nil {
		// Okta reaches the receiver under a public name: it checks Okta's
		// secret itself, on every request, not the UI's token or host.
		hook, err := web.NewEventHook(st, *cfg.hook)
		if err != nil {
			return err
		}
		mux.Handle(web.EventHookPath, hook)
	}
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
	announce(streams.Err, st.Location(), ln.Addr().String(), cfg)
	if note := liveNote(cfg.hook, cfg.oauth); note != "" {
		fmt.Fprintln(streams.Err, note)
	}
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
func announce(w io.Writer, dbPath, addr string, cfg serveConfig) {
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
	fmt.Fprintf(w, "oktascope: serving %s on %s (Ctrl-C stops)%s\n", render.Terminal(dbPath), link, note)
	if !cfg.loopback && cfg.tls == nil {
		fmt.Fprintf(w, "oktascope: warning: %s is not a loopback address and this is plain HTTP: the token, the session cookie "+
			"and the evidence cross the network unencrypted, readable and changeable by anyone on the path; use --tls-cert and --tls-key\n", addr)
	}
}
