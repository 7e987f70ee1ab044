package oktaapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/okta/okta-sdk-golang/v5/okta"
)

// testRSAKey is one 2048-bit key for the package's tests (making one
// takes a while).
var testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func pemBytes(t testing.TB, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes(t, "PRIVATE KEY", der)
}

func jwkJSON(t testing.TB, key any, kid string) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: key, KeyID: kid})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePrivateKey(t *testing.T) {
	rsaKey := testRSAKey()
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ec256)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	good := []struct {
		name string
		data []byte
		alg  string
	}{
		{"PKCS #1 PEM", pemBytes(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), "RS256"},
		{"PKCS #8 PEM, RSA", pkcs8(t, rsaKey), "RS256"},
		{"SEC 1 PEM, P-256", pemBytes(t, "EC PRIVATE KEY", ecDER), "ES256"},
		{"PKCS #8 PEM, P-384", pkcs8(t, ec384), "ES384"},
		{"PEM after a certificate block", append(pemBytes(t, "CERTIFICATE", []byte{1, 2}), pkcs8(t, rsaKey)...), "RS256"},
		{"JWK", jwkJSON(t, rsaKey, "k1"), "RS256"},
		{"JWK set of one key", []byte(`{"keys":[` + string(jwkJSON(t, ec256, "k2")) + `]}`), "ES256"},
	}
	for _, c := range good {
		k, err := ParsePrivateKey(c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if k.Algorithm() != c.alg {
			t.Errorf("%s: algorithm %s, want %s", c.name, k.Algorithm(), c.alg)
		}
	}
	bad := []struct {
		name, data, want string
	}{
		{"garbage", "hello", "neither a PEM key nor a JWK"},
		{"public key", string(pemBytes(t, "PUBLIC KEY", pubDER)), "public key"},
		{"public JWK", string(jwkJSON(t, &rsaKey.PublicKey, "")), "public key"},
		{"small RSA", string(pkcs8(t, small)), "1024 bits"},
		{"Ed25519", string(pkcs8(t, ed)), "Ed25519"},
		{"encrypted", string(pemBytes(t, "ENCRYPTED PRIVATE KEY", []byte{1})), "encrypted"},
		{"two keys", `{"keys":[` + string(jwkJSON(t, ec256, "a")) + `,` + string(jwkJSON(t, ec384, "b")) + `]}`, "2 keys"},
		{"bad JSON", `{"kty":`, "not valid JSON"},
	}
	for _, c := range bad {
		_, err := ParsePrivateKey([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	if len(good) == 0 || len(bad) == 0 {
		t.Fatal("no cases")
	}
}

func TestReadPrivateKeyNeverShowsTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	data := pemBytes(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testRSAKey()))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := ReadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	holder := struct {
		name string
		key  PrivateKey
		O    *OAuth
	}{"x", k, &OAuth{Key: k, ClientID: "c"}}
	d := testRSAKey().D.String()
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q", k, k, k, k, k), fmt.Sprintf("%+v %#v", holder, holder)} {
		if strings.Contains(s, d[:20]) || strings.Contains(s, "PRIVATE") {
			t.Fatalf("printed key: %s", s)
		}
	}
	text, _ := json.Marshal(holder.O)
	if strings.Contains(string(text), d[:20]) {
		t.Fatal("JSON holds the key")
	}
	// A file that is not a key: the error names the file, not the content.
	bad := filepath.Join(t.TempDir(), "notakey")
	os.WriteFile(bad, []byte("s3cr3t-content"), 0o600)
	_, err = ReadPrivateKey(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error: %v", err)
	}
}

// oauthOrg serves a synthetic day with the token endpoint, one app with
// the test key; now is the clock of credentials.
func oauthOrg(t *testing.T, n int, client OAuthClient, opts OAuthOptions, now func() time.Time) (*url.URL, *server, Params, []string) {
	t.Helper()
	so := synthOptions(n)
	served := openStore(t, "served.db")
	fill(t, served, so)
	if client.PublicKey.Key == nil {
		client.PublicKey = jose.JSONWebKey{Key: &testRSAKey().PublicKey}
	}
	opts.Clients = map[string]OAuthClient{"0oaclient": client}
	opts.Now = now
	h := NewServer(served, ServerOptions{OAuth: &opts, Now: evidenceClock(so), RateLimit: -1})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	org, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := window(so)
	p.Limit = 100
	return org, h.(*server), p, uuids(t, served)
}

func testKey(t testing.TB) PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(pemBytes(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testRSAKey())))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tickTransport moves a fake clock on every API request it sends, between
// the moment the client signs the request and the moment the server
// checks it.
type tickTransport struct {
	clock *fakeClock
	tick  time.Duration
}

func (tt tickTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == LogsPath {
		tt.clock.Sleep(req.Context(), tt.tick)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// revokingTransport revokes the server's tokens before every n-th API
// request.
type revokingTransport struct {
	srv   *server
	every int
	n     int
}

func (rt *revokingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == LogsPath {
		if rt.n++; rt.n%rt.every == 0 {
			rt.srv.auth.revokeAll()
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// collectOAuth collects p with an OAuth client; with clock, every API
// request moves it by tick.
func collectOAuth(t *testing.T, org *url.URL, p Params, auth *OAuth, clock *fakeClock, tick time.Duration) (Progress, []string, error) {
	t.Helper()
	rec := &recorder{}
	if clock != nil {
		auth.HTTP = &http.Client{Transport: tickTransport{clock, tick}}
	}
	if auth.HTTP == nil {
		auth.HTTP = http.DefaultClient
	}
	sink, prog, err := collect(t, org, p, func(c *Collector) {
		c.Auth = auth
		c.Progress = rec.add
		c.HTTP = auth.HTTP
	})
	var texts []string
	for _, r := range rec.all() {
		texts = append(texts, r.String(), r.Reason)
	}
	if err != nil {
		texts = append(texts, err.Error())
	}
	return prog, append(texts, uuids(t, sink)...), err
}

// tokensOf lists the access tokens a server issued.
func tokensOf(s *server) (tokens []string, bound int) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	for tok, it := range s.auth.tokens {
		tokens = append(tokens, tok)
		if it.jkt != "" {
			bound++
		}
	}
	return tokens, bound
}

// noSecrets fails if any text shows an issued token.
func noSecrets(t *testing.T, s *server, texts []string) {
	t.Helper()
	tokens, _ := tokensOf(s)
	if len(tokens) == 0 {
		t.Fatal("no token was issued")
	}
	for _, text := range texts {
		for _, tok := range tokens {
			if strings.Contains(text, tok) {
				t.Fatalf("output shows an access token: %s", text)
			}
		}
	}
}

func TestCollectWithOAuth(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org, srv, p, want := oauthOrg(t, 2000, OAuthClient{}, OAuthOptions{}, clock.Now)
	auth := &OAuth{Org: org, ClientID: "0oaclient", Key: testKey(t), Now: clock.Now}
	prog, texts, err := collectOAuth(t, org, p, auth, clock, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameUUIDs(t, texts[len(texts)-len(want):], want)
	if srv.auth.issued != 1 || auth.issued != 1 {
		t.Errorf("%d tokens issued for one collect of %d pages, want 1", srv.auth.issued, prog.Pages)
	}
	if _, bound := tokensOf(srv); bound != 0 {
		t.Error("a Bearer app got a DPoP-bound token")
	}
	noSecrets(t, srv, texts)
}

// TestCollectRenewsExpiringToken: tokens live 5 minutes and every API
// request takes 30 s of the shared fake clock, between the client's
// Authorize and the server's check: the client renews each token before it
// expires (30 s early for a 5-minute token), so the server never refuses
// one.
func TestCollectRenewsExpiringToken(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org, srv, p, want := oauthOrg(t, 2000, OAuthClient{}, OAuthOptions{TokenLifetime: 5 * time.Minute}, clock.Now)
	auth := &OAuth{Org: org, ClientID: "0oaclient", Key: testKey(t), Now: clock.Now}
	prog, texts, err := collectOAuth(t, org, p, auth, clock, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameUUIDs(t, texts[len(texts)-len(want):], want)
	if prog.Pages < 20 {
		t.Fatalf("only %d pages", prog.Pages)
	}
	if minutes := prog.Pages / 2; srv.auth.issued < minutes/5 {
		t.Errorf("%d tokens for %d minutes of 5-minute tokens", srv.auth.issued, minutes)
	}
	if srv.auth.rejected != 0 {
		t.Errorf("the server refused %d requests: a token was used past its expiry", srv.auth.rejected)
	}
	noSecrets(t, srv, texts)
}

// TestCollectRecoversFromTokenExpiredEarly: the server stops taking the
// client's token mid-collect, before its announced expiry (revoked, as an
// administrator may), three times: each time the API answers 401, upon
// which the client drops the token, gets another and repeats the request.
func TestCollectRecoversFromTokenExpiredEarly(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org, srv, p, want := oauthOrg(t, 2000, OAuthClient{}, OAuthOptions{}, clock.Now)
	auth := &OAuth{Org: org, ClientID: "0oaclient", Key: testKey(t), Now: clock.Now}
	rt := &revokingTransport{srv: srv, every: 5}
	auth.HTTP = &http.Client{Transport: rt}
	_, texts, err := collectOAuth(t, org, p, auth, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameUUIDs(t, texts[len(texts)-len(want):], want)
	if srv.auth.rejected < 3 {
		t.Errorf("%d tokens refused mid-collect, want 3 or more", srv.auth.rejected)
	}
	if srv.auth.issued != srv.auth.rejected+1 {
		t.Errorf("%d tokens issued after %d were refused", srv.auth.issued, srv.auth.rejected)
	}
	noSecrets(t, srv, texts)
}

// TestCollectWithDPoP: the app requires DPoP. The client learns it from
// the token endpoint (invalid_dpop_proof), makes a key, takes the nonce
// the server gives (use_dpop_nonce), and sends every API request with a
// proof. The nonce changes every minute of a collect where each request
// takes 20 s: the API answers use_dpop_nonce with the new one, and the
// client repeats the request with it.
func TestCollectWithDPoP(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)}
	org, srv, p, want := oauthOrg(t, 2000, OAuthClient{RequireDPoP: true}, OAuthOptions{NonceLifetime: time.Minute}, clock.Now)
	auth := &OAuth{Org: org, ClientID: "0oaclient", Key: testKey(t), Now: clock.Now}
	_, texts, err := collectOAuth(t, org, p, auth, clock, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameUUIDs(t, texts[len(texts)-len(want):], want)
	tokens, bound := tokensOf(srv)
	if len(tokens) == 0 || bound != len(tokens) {
		t.Errorf("%d tokens, %d DPoP-bound: want all bound", len(tokens), bound)
	}
	if srv.auth.rejected == 0 {
		t.Error("no request met a stale nonce: the test proves nothing")
	}
	noSecrets(t, srv, texts)
}

func TestCollectOAuthFailures(t *testing.T) {
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey, err := ParsePrivateKey(pkcs8(t, other))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		client OAuthClient
		auth   *OAuth
		want   string
	}{
		{"wrong key", OAuthClient{}, &OAuth{ClientID: "0oaclient", Key: otherKey}, "invalid_client"},
		{"unknown client", OAuthClient{}, &OAuth{ClientID: "0oaother", Key: testKey(t)}, "invalid_client"},
		{"scope not granted", OAuthClient{Scopes: []string{"okta.users.read"}}, &OAuth{ClientID: "0oaclient", Key: testKey(t)}, "invalid_scope"},
		{"token without the logs scope", OAuthClient{Scopes: []string{"okta.users.read"}}, &OAuth{ClientID: "0oaclient", Key: testKey(t), Scopes: []string{"okta.users.read"}}, "E0000006"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			org, _, p, _ := oauthOrg(t, 200, c.client, OAuthOptions{}, time.Now)
			c.auth.Org = org
			_, _, err := collectOAuth(t, org, p, c.auth, nil, 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %s", err, c.want)
			}
		})
	}
}

// TestTokenEndpointRefuses checks the token endpoint's verification with
// hand-made requests: each must fail, so that the collect tests above
// prove the client signs correctly.
func TestTokenEndpointRefuses(t *testing.T) {
	now := time.Now()
	org, srv, _, _ := oauthOrg(t, 10, OAuthClient{}, OAuthOptions{}, func() time.Time { return now })
	key := testKey(t)
	o := &OAuth{Org: org, ClientID: "0oaclient", Key: key, Now: func() time.Time { return now }}
	endpoint := o.tokenURL()
	post := func(assertion string, header ...string) (int, string) {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {ScopeLogsRead},
			"client_assertion_type": {assertionType}, "client_assertion": {assertion}}
		req, _ := http.NewRequest(http.MethodPost, endpoint.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var oe struct {
			Error string `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&oe)
		return resp.StatusCode, oe.Error
	}
	good, err := o.assertion(endpoint, now)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := post(good); status != http.StatusOK {
		t.Fatalf("a good assertion: %d", status)
	}
	wrongAud, _ := o.assertion(&url.URL{Scheme: "https", Host: "elsewhere.okta.com", Path: TokenPath}, now)
	expired, _ := o.assertion(endpoint, now.Add(-time.Hour))
	tampered := good[:len(good)-4] + "AAAA"
	dk, _ := newDPoPKey()
	fresh, _ := o.assertion(endpoint, now)
	proofWithAth, _ := dk.proof(http.MethodPost, endpoint, "", "sometoken", now)
	for _, c := range []struct {
		name      string
		assertion string
		header    []string
		status    int
		code      string
	}{
		{"replayed assertion", good, nil, 401, "invalid_client"},
		{"wrong audience", wrongAud, nil, 401, "invalid_client"},
		{"expired", expired, nil, 401, "invalid_client"},
		{"tampered signature", tampered, nil, 401, "invalid_client"},
		{"not a JWT", "abc", nil, 401, "invalid_client"},
		{"DPoP proof without nonce", fresh, []string{"DPoP", proofWithAth}, 400, "use_dpop_nonce"},
		{"DPoP proof not a JWT", fresh, []string{"DPoP", "x.y.z"}, 400, "invalid_dpop_proof"},
	} {
		if status, code := post(c.assertion, c.header...); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
	}
	if srv.auth.issued != 1 {
		t.Errorf("%d tokens issued, want 1", srv.auth.issued)
	}
}

// TestLogsRefusesMisusedTokens: a DPoP-bound token sent as Bearer, without
// a proof, with a proof by another key, or with a replayed proof, is
// refused.
func TestLogsRefusesMisusedTokens(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	org, _, _, _ := oauthOrg(t, 10, OAuthClient{RequireDPoP: true}, OAuthOptions{}, clock)
	o := &OAuth{Org: org, ClientID: "0oaclient", Key: testKey(t), Now: clock}
	logs := &url.URL{Scheme: org.Scheme, Host: org.Host, Path: LogsPath, RawQuery: "limit=1"}
	var do func(set func(r *http.Request)) int
	do = func(set func(r *http.Request)) int {
		req, _ := http.NewRequest(http.MethodGet, logs.String(), nil)
		if err := o.Authorize(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if set != nil {
			set(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && o.Retry(resp) && set == nil {
			return do(nil)
		}
		return resp.StatusCode
	}
	if status := do(nil); status != http.StatusOK {
		t.Fatalf("a proper DPoP request: %d", status)
	}
	other, _ := newDPoPKey()
	var replay string
	for _, c := range []struct {
		name string
		set  func(r *http.Request)
	}{
		{"as Bearer", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "DPoP", "Bearer", 1))
		}},
		{"without proof", func(r *http.Request) { r.Header.Del("DPoP") }},
		{"proof by another key", func(r *http.Request) {
			p, _ := other.proof(http.MethodGet, r.URL, o.nonce, o.token.secret(), now)
			r.Header.Set("DPoP", p)
		}},
		{"proof for another URI", func(r *http.Request) {
			p, _ := o.dpop.proof(http.MethodGet, &url.URL{Scheme: "http", Host: r.URL.Host, Path: "/api/v1/users"}, o.nonce, o.token.secret(), now)
			r.Header.Set("DPoP", p)
		}},
		{"proof without ath", func(r *http.Request) {
			p, _ := o.dpop.proof(http.MethodGet, r.URL, o.nonce, "", now)
			r.Header.Set("DPoP", p)
		}},
		{"replayed proof (first use)", func(r *http.Request) { replay = r.Header.Get("DPoP") }},
		{"replayed proof", func(r *http.Request) { r.Header.Set("DPoP", replay) }},
	} {
		status := do(c.set)
		wantOK := c.name == "replayed proof (first use)"
		if (status == http.StatusOK) != wantOK {
			t.Errorf("%s: status %d", c.name, status)
		}
	}
}

// TestOktaSDKTakesToken points okta-sdk-golang's PrivateKey mode, an
// independent client of Okta's token endpoint, at the server: with a
// Bearer app and with one that requires DPoP, it gets a token and reads
// the System Log with it.
func TestOktaSDKTakesToken(t *testing.T) {
	for _, dpop := range []bool{false, true} {
		t.Run(fmt.Sprintf("dpop=%v", dpop), func(t *testing.T) {
			org, srv, _, _ := oauthOrg(t, 50, OAuthClient{RequireDPoP: dpop}, OAuthOptions{}, time.Now)
			pemKey := string(pemBytes(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testRSAKey())))
			n, err := sdkListLogs(org, "0oaclient", pemKey)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("the SDK read no event")
			}
			tokens, bound := tokensOf(srv)
			if len(tokens) != 1 || (bound == 1) != dpop {
				t.Errorf("%d tokens, %d bound", len(tokens), bound)
			}
		})
	}
}

// sdkListLogs reads a page of the System Log with okta-sdk-golang in
// PrivateKey mode and returns how many events it got.
func sdkListLogs(org *url.URL, clientID, pemKey string) (int, error) {
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(org.String()),
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes([]string{ScopeLogsRead}),
		okta.WithPrivateKey(pemKey),
		okta.WithCache(false),
		okta.WithRequestTimeout(30),
		okta.WithRateLimitMaxRetries(1),
		okta.WithTestingDisableHttpsCheck(true),
	)
	if err != nil {
		return 0, err
	}
	cfg.Host = org.Host // see TestOktaSDKReadsServer
	page, _, err := okta.NewAPIClient(cfg).SystemLogAPI.ListLogEvents(context.Background()).Limit(10).Execute()
	return len(page), err
}
