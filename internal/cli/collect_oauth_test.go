package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/store"
)

// TestCollectWithOAuthFlags runs `collect --client-id --private-key`
// against the fake Okta server with a service app registered: every event
// is collected, and the key never shows in the output.
func TestCollectWithOAuthFlags(t *testing.T) {
	dir := t.TempDir()
	logPath, events, _ := generatedLog(t, dir)
	servedDB := filepath.Join(dir, "served.db")
	if _, errOut, code := run(t, servedDB, false, "import", logPath); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	served, err := store.Open(servedDB)
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "app.pem")
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := oktaapi.ParsePublicKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := served.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return stats.Last.Add(time.Hour) }
	srv := httptest.NewServer(oktaapi.NewServer(served, oktaapi.ServerOptions{
		Now:   clock,
		OAuth: &oktaapi.OAuthOptions{Clients: map[string]oktaapi.OAuthClient{"0oaapp": {PublicKey: pub, RequireDPoP: true}}},
	}))
	defer srv.Close()

	since := stats.First.Format(time.RFC3339)
	until := stats.Last.Add(time.Second).Format(time.RFC3339)
	db := filepath.Join(dir, "collected.db")
	_, errOut, code := run(t, db, false, "collect", "--org", srv.URL, "--client-id", "0oaapp", "--private-key", keyPath, "--since", since, "--until", until)
	if code != 0 {
		t.Fatalf("collect: exit %d: %s", code, errOut)
	}
	got, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	gs, err := got.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if gs.Events != len(events) {
		t.Errorf("collected %d events, the log holds %d", gs.Events, len(events))
	}
	if strings.Contains(errOut, "PRIVATE") || strings.Contains(errOut, string(keyPEM[40:80])) {
		t.Errorf("output shows the key: %s", errOut)
	}

	// A key the app does not have: refused, and said why.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherPath := filepath.Join(dir, "other.pem")
	os.WriteFile(otherPath, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}), 0o600)
	_, errOut, code = run(t, filepath.Join(dir, "x.db"), false, "collect", "--org", srv.URL, "--client-id", "0oaapp", "--private-key", otherPath, "--since", since, "--until", until)
	if code != ExitFailure || !strings.Contains(errOut, "invalid_client") {
		t.Errorf("wrong key: exit %d: %s", code, errOut)
	}
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
