package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/store"
)

// TestCollectWithOAuthFlags runs `collect --client-id --private-key`
// against `serve --oauth-client --oauth-dpop`, the fake org with a service
// app registered that requires DPoP: every event is collected, and the key
// never shows in the output; a key the app does not have is refused.
func TestCollectWithOAuthFlags(t *testing.T) {
	dir := t.TempDir()
	logPath, events, _ := generatedLog(t, dir)
	servedDB := filepath.Join(dir, "served.db")
	if _, errOut, code := run(t, servedDB, false, "import", logPath); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath := filepath.Join(dir, "app.pem"), filepath.Join(dir, "app.pub.pem")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	stats := statsOf(t, servedDB)
	// The fake org: serve with the app registered, requiring DPoP.
	base, serveErr := serving(t, nil, "--db", servedDB, "serve", "--addr", "127.0.0.1:0", "--oauth-client", "0oaapp="+pubPath, "--oauth-dpop")
	if !strings.Contains(serveErr.String(), "OAuth 2.0 tokens at /oauth2/v1/token for 1 app") {
		t.Errorf("serve does not say it serves tokens: %s", serveErr)
	}

	since := stats.First.Format(time.RFC3339)
	until := stats.Last.Add(time.Second).Format(time.RFC3339)
	db := filepath.Join(dir, "collected.db")
	_, errOut, code := run(t, db, false, "collect", "--org", base, "--client-id", "0oaapp", "--private-key", keyPath, "--since", since, "--until", until)
	if code != 0 {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	if gs := statsOf(t, db); gs.Events != len(events) {
		t.Errorf("collected %d events, the log holds %d", gs.Events, len(events))
	}
	if strings.Contains(errOut, "PRIVATE") || strings.Contains(errOut, string(keyPEM[40:80])) {
		t.Errorf("output shows the key: %s", errOut)
	}

	// A key the app does not have: refused, and said why.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherPath := filepath.Join(dir, "other.pem")
	os.WriteFile(otherPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}), 0o600)
	_, errOut, code = run(t, filepath.Join(dir, "x.db"), false, "collect", "--org", base, "--client-id", "0oaapp", "--private-key", otherPath, "--since", since, "--until", until)
	if code != ExitFailure || !strings.Contains(errOut, "invalid_client") {
		t.Errorf("wrong key: exit %d: %s", code, errOut)
	}
}

// statsOf opens a store and returns its stats.
func statsOf(t *testing.T, path string) backend.Stats {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCollectOAuthFlagErrors(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "notkey")
	os.WriteFile(notKey, []byte("hunter2-secret"), 0o600)
	db := filepath.Join(dir, "x.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-id", "0oa1"}, "go together"},
		{[]string{"--private-key", notKey}, "go together"},
		{[]string{"--client-id", "0oa1", "--private-key", notKey}, notKey},
		{[]string{"--client-id", "0oa1", "--private-key", filepath.Join(dir, "missing")}, "missing"},
		{[]string{"--client-id", "0oa1", "--private-key", notKey, "--token-file", notKey}, "not both"},
	} {
		args := append([]string{"collect", "--org", "http://127.0.0.1:9"}, c.args...)
		_, errOut, code := run(t, db, false, args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("%v: exit %d: %s", c.args, code, errOut)
		}
	}
}

func TestServeOAuthFlagErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	if _, errOut, code := run(t, db, false, "import", writeEmptyLog(t, dir)); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	notKey := filepath.Join(dir, "notkey")
	os.WriteFile(notKey, []byte("hunter2-secret"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--oauth-dpop"}, "needs --oauth-client"},
		{[]string{"--oauth-client", "0oa1"}, "CLIENT_ID=PUBLIC_KEY_FILE"},
		{[]string{"--oauth-client", "0oa1=" + notKey}, notKey},
		{[]string{"--oauth-client", "0oa1=" + filepath.Join(dir, "missing")}, "missing"},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)
		_, errOut, code := run(t, db, false, args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("%v: exit %d: %s", c.args, code, errOut)
		}
	}
}

// writeEmptyLog writes a log of one event, to make a store from.
func writeEmptyLog(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "one.ndjson")
	line := `{"uuid":"u1","published":"2025-03-03T10:00:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User"}}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
