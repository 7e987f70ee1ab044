package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/web"
)

// syncBuffer is a buffer a command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hostileLog writes one event whose fields hold escape sequences, a C1 CSI
// and invisible characters, imports it into db and returns db.
func hostileLog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, path := filepath.Join(dir, "x.db"), filepath.Join(dir, "evil.ndjson")
	evil := `{"uuid":"e1","published":"2024-05-01T10:00:00Z","eventType":"user.session.start",` +
		`"actor":{"id":"00uE","type":"User","alternateId":"adm` + "\u200b" + `in@acme.example","displayName":"x"},` +
		`"displayMessage":"ok\r\u001b[2J\u001b]0;pwned\u0007 ` + "\u009b" + `31m \u202eexe.txt"}`
	if err := os.WriteFile(path, []byte(evil+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, db, false, "import", "--rejects", filepath.Join(dir, "r.ndjson"), path); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	return db
}

// rawOnTerminal lists the characters that must never reach a terminal raw.
var rawOnTerminal = []string{"\x1b", "\r", "\x07", "\u009b", "\u202e", "\u200b"}

// Every format, on a terminal, escapes what it prints;
// piped, it keeps the events' exact text.
func TestEveryFormatOnATerminalIsEscaped(t *testing.T) {
	db := hostileLog(t)
	commands := [][]string{
		{"search", "--format", "csv"}, {"search", "--format", "json"}, {"search", "--format", "ndjson"}, {"search"},
		{"timeline", "--user", "00uE", "--format", "json"}, {"timeline", "--user", "00uE"},
		{"scope", "--user", "00uE", "--format", "json"},
	}
	for _, args := range commands {
		out, stderr, code := run(t, db, true, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, raw := range rawOnTerminal {
			if strings.Contains(out, raw) {
				t.Errorf("%v on a terminal prints %q raw", args, raw)
			}
		}
		if !strings.Contains(out, "200b") {
			t.Errorf("%v on a terminal hides the zero-width space", args)
		}
	}
	piped, _, _ := run(t, db, false, "search", "--format", "ndjson")
	if !strings.Contains(piped, "\u200b") || !strings.Contains(piped, "\u009b") {
		t.Errorf("piped NDJSON is not the event's exact text: %q", piped)
	}
}

// stubOrg serves canned /api/v1/logs answers.
func stubOrg(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCollectEscapesTheServersErrorSummary(t *testing.T) {
	org := stubOrg(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"errorCode":"E0000001","errorSummary":"bad \u001b]0;pwned\u0007\u001b[2J`+"\u009b"+`31m \u202eexe","errorCauses":[{"errorSummary":"\u001b[31mcause"}]}`)
	})
	db := filepath.Join(t.TempDir(), "c.db")
	_, stderr, code := run(t, db, false, "collect", "--org", org)
	if code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	for _, raw := range rawOnTerminal {
		if strings.Contains(stderr, raw) {
			t.Errorf("collect's error prints %q raw: %q", raw, stderr)
		}
	}
	if !strings.Contains(stderr, `\x1b]0;pwned\x07`) || !strings.Contains(stderr, `\x1b[31mcause`) {
		t.Errorf("stderr: %q", stderr)
	}
}

// signalled runs a command with a context that a signal cancelled once the
// command has started waiting (stderr shows want), as SignalContext does.
func signalled(t *testing.T, sig os.Signal, want string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	errOut := &syncBuffer{}
	streams := IO{In: strings.NewReader(""), Out: io.Discard, Err: errOut, Env: func(string) (string, bool) { return "", false }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, streams) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errOut.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the command never showed %q: %s", want, errOut)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel(&SignalError{Signal: sig})
	select {
	case code := <-done:
		return errOut.String(), code
	case <-time.After(20 * time.Second):
		t.Fatal("the command did not stop after the signal")
	}
	return "", 0
}

// rateLimitedOrg answers every request with a 429 that asks to wait a
// minute.
func rateLimitedOrg(t *testing.T) string {
	return stubOrg(t, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Rate-Limit-Limit", "120")
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", fmt.Sprint(time.Now().Unix()+60))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`)
	})
}

// An interrupted collect exits 130 (143 for SIGTERM),
// never says done, and leaves its checkpoint; a finished one exits 0.
func TestCollectExitStatus(t *testing.T) {
	for _, c := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, ExitInterrupted}, {syscall.SIGTERM, 143}} {
		db, org := filepath.Join(t.TempDir(), "c.db"), rateLimitedOrg(t)
		stderr, code := signalled(t, c.sig, "waiting", "--db", db, "collect", "--org", org, "--since", "2025-03-03", "--until", "2025-03-04")
		if code != c.code || strings.Contains(stderr, "; done") || !strings.Contains(stderr, "interrupted, not done: the checkpoint is saved") {
			t.Errorf("%v: exit %d (want %d): %s", c.sig, code, c.code, stderr)
		}
		if next, ok := savedCheckpoint(t, db, org, "2025-03-03", "2025-03-04"); !ok || !strings.Contains(next, "since=2025-03-03") {
			t.Errorf("%v: checkpoint %q, %v", c.sig, next, ok)
		}
	}
	org := stubOrg(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"uuid":"u1","published":"2025-03-03T10:00:00.000Z","eventType":"user.session.start","version":"0","severity":"INFO"}]`)
	})
	db := filepath.Join(t.TempDir(), "c.db")
	_, stderr, code := run(t, db, false, "collect", "--org", org, "--since", "2025-03-03", "--until", "2025-03-04")
	if code != ExitOK || !strings.HasSuffix(strings.TrimSpace(stderr), "; done") {
		t.Errorf("a finished collect: exit %d: %s", code, stderr)
	}
}

// The same with a real SIGINT, sent to a child process running the CLI.
func TestCollectExitsOnSIGINT(t *testing.T) {
	if os.Getenv("OKTASCOPE_CLI_CHILD") == "1" {
		ctx, stop := SignalContext(context.Background(), os.Interrupt)
		code := Main(ctx, strings.Split(os.Getenv("OKTASCOPE_CLI_ARGS"), "\n"), SystemIO())
		stop()
		os.Exit(code)
	}
	db, org := filepath.Join(t.TempDir(), "c.db"), rateLimitedOrg(t)
	args := []string{"--db", db, "collect", "--org", org, "--since", "2025-03-03", "--until", "2025-03-04"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCollectExitsOnSIGINT$")
	cmd.Env = append(os.Environ(), "OKTASCOPE_CLI_CHILD=1", "OKTASCOPE_CLI_ARGS="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "waiting") {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	text := strings.Join(lines, "\n")
	if cmd.ProcessState.ExitCode() != ExitInterrupted || strings.Contains(text, "; done") {
		t.Errorf("exit %d (%v), want %d: %s", cmd.ProcessState.ExitCode(), err, ExitInterrupted, text)
	}
	if _, ok := savedCheckpoint(t, db, org, "2025-03-03", "2025-03-04"); !ok {
		t.Error("no checkpoint")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and localhost and its key,
// and returns their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "oktascope test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// serving runs serve with args until the test ends and returns the address
// it printed and its stderr.
func serving(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errOut := &syncBuffer{}
	streams := IO{In: strings.NewReader(""), Out: io.Discard, Err: errOut,
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, streams) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut)
		}
	})
	re := regexp.MustCompile(`on (https?://[^/ ]+)/`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(errOut.String()); m != nil {
			return m[1], errOut
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address: %s", errOut)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serve --tls-cert --tls-key serves HTTPS to a
// real TLS client, the session cookie is Secure, and the token the user
// supplied is never printed.
func TestServeTLS(t *testing.T) {
	db := hostileLog(t)
	certFile, keyFile, pool := selfSigned(t)
	const secret = "user-supplied-token-0123456789"
	base, stderr := serving(t, map[string]string{"UI_TOKEN": secret}, "--db", db, "serve",
		"--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile, "--token-env", "UI_TOKEN")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("serve listens on %s", base)
	}
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Get(base + "/?token=" + secret)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.TokenCookie {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || resp.TLS == nil {
		t.Fatalf("the token link: %d, cookie %+v, TLS %v", resp.StatusCode, session, resp.TLS != nil)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.AddCookie(session)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the UI over TLS with the cookie: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest(http.MethodGet, base+oktaapi.LogsPath+"?since=2024-05-01T00:00:00Z&until=2024-05-02T00:00:00Z", nil)
	req.Header.Set("Authorization", "SSWS "+secret)
	resp, err = client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/v1/logs over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	if self := resp.Header.Get("Link"); !strings.HasPrefix(self, "<https://") {
		t.Errorf("Link over TLS: %s", self)
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := http.Get(strings.Replace(base, "https", "http", 1) + "/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered on the TLS port")
		}
	}
	text := stderr.String()
	if strings.Contains(text, secret) || strings.Contains(text, "warning") {
		t.Errorf("serve printed the user's token or a warning: %s", text)
	}
}

// Off loopback without TLS, serve warns; a token it made is printed once,
// one the user gave never.
func TestServeOffLoopback(t *testing.T) {
	db := hostileLog(t)
	_, stderr := serving(t, nil, "--db", db, "serve", "--addr", "0.0.0.0:0")
	text := stderr.String()
	if !strings.Contains(text, "warning") || !strings.Contains(text, "plain HTTP") || !strings.Contains(text, "--tls-cert") {
		t.Errorf("no warning off loopback: %s", text)
	}
	if n := strings.Count(text, "?token="); n != 1 || !regexp.MustCompile(`\?token=[0-9a-f]{48}`).MatchString(text) {
		t.Errorf("the generated token is printed %d times: %s", n, text)
	}
	const secret = "user-supplied-token-0123456789"
	_, stderr = serving(t, map[string]string{"UI_TOKEN": secret}, "--db", db, "serve", "--addr", "0.0.0.0:0", "--token-env", "UI_TOKEN")
	if text := stderr.String(); strings.Contains(text, secret) || !strings.Contains(text, "warning") {
		t.Errorf("serve with the user's token: %s", text)
	}
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte(secret+"\n"), 0o600)
	certFile, keyFile, _ := selfSigned(t)
	_, stderr = serving(t, nil, "--db", db, "serve", "--addr", "0.0.0.0:0", "--token-file", file, "--tls-cert", certFile, "--tls-key", keyFile)
	if text := stderr.String(); strings.Contains(text, secret) || strings.Contains(text, "warning") {
		t.Errorf("serve over TLS with a token file: %s", text)
	}
}

func TestServeTLSFlagsGoTogether(t *testing.T) {
	db := hostileLog(t)
	certFile, _, _ := selfSigned(t)
	if _, stderr, code := run(t, db, false, "serve", "--tls-cert", certFile); code != ExitUsage || !strings.Contains(stderr, "go together") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, db, false, "serve", "--tls-cert", certFile, "--tls-key", certFile); code != ExitUsage {
		t.Errorf("a certificate as its own key: exit %d: %s", code, stderr)
	}
}

func TestSignalContext(t *testing.T) {
	ctx, stop := SignalContext(context.Background(), syscall.SIGUSR1)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the signal did not cancel the context")
	}
	if got := signalExit(ctx); got != 128+int(syscall.SIGUSR1) {
		t.Errorf("exit status %d", got)
	}
	if signalExit(context.Background()) != 0 {
		t.Error("a context without a signal gives an exit status")
	}
}

// serve and collect read --token-env and --token-file one way: both at
// once, an unset or blank variable, an empty or oversized file are refused,
// never taken as "no token" (serve would then run open on loopback), and
// the refusal never quotes the file.
func TestTokenFlagsRefuseAMissingSecret(t *testing.T) {
	db := hostileLog(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte(" \n"), 0o600)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, bytes.Repeat([]byte("s"), maxSecretFile+1), 0o600)
	full := filepath.Join(dir, "token")
	os.WriteFile(full, []byte("token-0123456789\n"), 0o600)
	const org = "https://acme.okta.com"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--token-env", "UI_TOKEN_NOT_SET"}, "UI_TOKEN_NOT_SET: the variable is not set"},
		{[]string{"serve", "--token-file", empty}, "the file is empty"},
		{[]string{"serve", "--token-file", big}, "larger than 64 KiB"},
		{[]string{"serve", "--token-file", full, "--token-env", "UI_TOKEN"}, "not both"},
		{[]string{"collect", "--org", org, "--token-env", "OKTA_TOKEN_NOT_SET"}, "OKTA_TOKEN_NOT_SET: the variable is not set"},
		{[]string{"collect", "--org", org, "--token-file", empty}, "the file is empty"},
		{[]string{"collect", "--org", org, "--token-file", big}, "larger than 64 KiB"},
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		_, stderr, code := run(t, db, false, c.args...)
		if code == ExitOK || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "ssssssss") || strings.Contains(stderr, "token-0123456789") {
			t.Errorf("%q: exit %d: %s", c.args, code, stderr)
		}
	}
}
