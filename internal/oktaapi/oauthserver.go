package oktaapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// OAuthOptions make a Server an OAuth 2.0 authorization server for service
// apps, as an org's is for Okta's APIs: POST /oauth2/v1/token takes the
// client-credentials grant with a client assertion signed by the app's key
// (private_key_jwt), verified against the public key registered here, and
// issues access tokens that GET /api/v1/logs then takes, as Bearer tokens
// or, for an app that requires DPoP, as DPoP-bound tokens with a proof on
// every request. It is what lets collect's OAuth flow run offline.
type OAuthOptions struct {
	// Clients are the service apps, by client id.
	Clients map[string]OAuthClient
	// TokenLifetime is how long an access token lives (default an hour,
	// as Okta's).
	TokenLifetime time.Duration
	// NonceLifetime is how long a DPoP nonce is accepted after the server
	// starts giving the next one (default 5 minutes).
	NonceLifetime time.Duration
	// Now is the clock of tokens, assertions and proofs (default
	// time.Now). It is not ServerOptions.Now, which may be shifted to
	// present an old evidence set as recent: credentials live in real time.
	Now func() time.Time
}

// OAuthClient is one service app.
type OAuthClient struct {
	// PublicKey verifies the app's client assertions (see ParsePublicKey).
	PublicKey jose.JSONWebKey
	// Scopes are the scopes granted to the app (default okta.logs.read).
	Scopes []string
	// RequireDPoP is Okta's "Require Demonstrating Proof of Possession
	// (DPoP) header in token requests".
	RequireDPoP bool
}

// CodeForbidden is Okta's E0000006: "You do not have permission to
// perform the requested action" (a token without the scope).
const CodeForbidden = "E0000006"

// maxTokenRequest bounds a token request's body.
const maxTokenRequest = 64 << 10

// maxTokenLifetime caps TokenLifetime.
const maxTokenLifetime = 24 * time.Hour

// authServer is the token endpoint and the token check of a Server.
type authServer struct {
	opts OAuthOptions
	now  func() time.Time

	mu     sync.Mutex
	tokens map[string]issuedToken // by access token
	jtis   map[string]time.Time   // client assertion and proof jtis seen, until when they matter
	nonces [2]nonceState          // the current nonce and the one before
	// issued and rejected count tokens issued and API requests refused
	// for their token (tests).
	issued, rejected int
}

// issuedToken is what the server knows of a token it issued.
type issuedToken struct {
	client  string
	scopes  []string
	expires time.Time
	jkt     string // the DPoP key's thumbprint ("" for a Bearer token)
}

type nonceState struct {
	value string
	since time.Time
}

func newAuthServer(opts OAuthOptions) *authServer {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	opts.TokenLifetime = min(opts.TokenLifetime, maxTokenLifetime)
	if opts.NonceLifetime <= 0 {
		opts.NonceLifetime = 5 * time.Minute
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &authServer{opts: opts, now: now, tokens: map[string]issuedToken{}, jtis: map[string]time.Time{}}
}

// oauthError is an OAuth error answer: {"error", "error_description"}.
type oauthError struct {
	status      int
	code        string
	description string
	nonce       bool // send a fresh DPoP-Nonce
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

func invalidClient(desc string) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: desc}
}

func invalidDPoP(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", description: desc}
}

// serveToken answers POST /oauth2/v1/token.
func (a *authServer) serveToken(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if r.Method != http.MethodPost {
		h.Set("Allow", "POST")
		writeError(w, newAPIError(http.StatusMethodNotAllowed, CodeMethod, "The endpoint does not support the provided HTTP method"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequest)
	if err := r.ParseForm(); err != nil {
		a.writeOAuthError(w, &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: "The request body is not a valid form."})
		return
	}
	resp, oe := a.issue(r)
	if oe != nil {
		a.writeOAuthError(w, oe)
		return
	}
	body, _ := json.Marshal(resp)
	h.Set("Content-Type", "application/json")
	w.Write(body)
}

// issue checks a token request and issues a token.
func (a *authServer) issue(r *http.Request) (*tokenResponse, *oauthError) {
	now := a.now()
	f := r.Form
	switch {
	case f.Get("grant_type") != "client_credentials":
		return nil, &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: "The authorization grant type is not supported by the authorization server."}
	case f.Get("client_assertion_type") != assertionType:
		return nil, invalidClient("client_assertion_type must be " + assertionType + ".")
	}
	endpoint := requestURL(r, TokenPath)
	clientID, client, assertion, oe := a.verifyAssertion(f.Get("client_assertion"), endpoint, now)
	if oe != nil {
		return nil, oe
	}
	scopes := strings.Fields(f.Get("scope"))
	granted := client.Scopes
	if len(granted) == 0 {
		granted = []string{ScopeLogsRead}
	}
	for _, s := range scopes {
		if !slices.Contains(granted, s) {
			return nil, &oauthError{status: http.StatusBadRequest, code: "invalid_scope", description: "The following scopes are not allowed: " + clip(s, 100)}
		}
	}
	if len(scopes) == 0 {
		return nil, &oauthError{status: http.StatusBadRequest, code: "invalid_scope", description: "The authorization server resource does not have any configured default scopes, 'scope' must be provided."}
	}
	jkt, oe := a.tokenProof(r, endpoint, client, now)
	if oe != nil {
		return nil, oe
	}
	if assertion.ID != "" && !a.firstUse("assertion:"+assertion.ID, assertion.Expiry.Time(), now) {
		return nil, invalidClient("The client_assertion token has already been used.")
	}
	return a.record(clientID, scopes, jkt, now), nil
}

// verifyAssertion checks a client assertion: signed by the key of the
// client its iss and sub name, for this endpoint, unexpired, at most an
// hour long. Its jti, which Okta's client authentication makes optional
// (okta-sdk-golang sends none), is the caller's to record once the
// request succeeds.
func (a *authServer) verifyAssertion(assertion string, endpoint *url.URL, now time.Time) (string, OAuthClient, *jwt.Claims, *oauthError) {
	fail := func(desc string) (string, OAuthClient, *jwt.Claims, *oauthError) {
		return "", OAuthClient{}, nil, invalidClient(desc)
	}
	tok, err := jwt.ParseSigned(assertion, dpopAlgorithms)
	if err != nil {
		return fail("The client_assertion token is not a signed JWT.")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fail("The client_assertion token's claims cannot be read.")
	}
	client, ok := a.opts.Clients[unverified.Subject]
	if !ok || unverified.Subject == "" {
		return fail("The client_id is invalid.")
	}
	var c jwt.Claims
	if err := tok.Claims(client.PublicKey.Key, &c); err != nil {
		return fail("The client_assertion signature is invalid.")
	}
	err = c.ValidateWithLeeway(jwt.Expected{
		Issuer: unverified.Subject, Subject: unverified.Subject,
		AnyAudience: jwt.Audience{endpoint.String()}, Time: now,
	}, 0)
	switch {
	case errors.Is(err, jwt.ErrInvalidAudience):
		return fail("The audience claim for client_assertion must be the endpoint invoked for the request.")
	case errors.Is(err, jwt.ErrExpired):
		return fail("The client_assertion token is expired.")
	case err != nil:
		return fail("The client_assertion token is invalid: " + err.Error())
	case c.Expiry == nil:
		return fail("The client_assertion token has no expiration time.")
	case c.Expiry.Time().Sub(now) > time.Hour+time.Minute:
		return fail("The client_assertion token has an expiration too far in the future.")
	case c.ID != "" && a.used("assertion:"+c.ID, now):
		return fail("The client_assertion token has already been used.")
	}
	return unverified.Subject, client, &c, nil
}

// tokenProof checks the DPoP proof of a token request, if any, and
// returns its key's thumbprint. An app that requires DPoP gets a nonce to
// put in the proof first, as Okta gives.
func (a *authServer) tokenProof(r *http.Request, endpoint *url.URL, client OAuthClient, now time.Time) (string, *oauthError) {
	proof := r.Header.Get("DPoP")
	if proof == "" {
		if client.RequireDPoP {
			return "", invalidDPoP("The DPoP proof JWT header is missing.")
		}
		return "", nil
	}
	p, err := verifyDPoP(proof, http.MethodPost, endpoint, now)
	if err != nil {
		return "", invalidDPoP(err.Error())
	}
	if !a.nonceValid(p.claims.Nonce, now) {
		return "", &oauthError{status: http.StatusBadRequest, code: "use_dpop_nonce", description: "Authorization server requires nonce in DPoP proof.", nonce: true}
	}
	if p.claims.AccessToken != "" {
		return "", invalidDPoP("The DPoP proof of a token request must not hold ath.")
	}
	if !a.firstUse("proof:"+p.claims.ID, now.Add(2*dpopSkew), now) {
		return "", invalidDPoP("The DPoP proof has already been used.")
	}
	return p.jkt, nil
}

// record stores a new token and returns the answer that carries it.
func (a *authServer) record(client string, scopes []string, jkt string, now time.Time) *tokenResponse {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t, it := range a.tokens {
		if now.Sub(it.expires) > a.opts.TokenLifetime { // kept a while, to answer that it expired
			delete(a.tokens, t)
		}
	}
	token := base64.RawURLEncoding.EncodeToString([]byte(randomHex(24)))
	a.tokens[token] = issuedToken{client: client, scopes: scopes, expires: now.Add(a.opts.TokenLifetime), jkt: jkt}
	a.issued++
	typ := SchemeBearer
	if jkt != "" {
		typ = SchemeDPoP
	}
	return &tokenResponse{TokenType: typ, AccessToken: token, ExpiresIn: int64(a.opts.TokenLifetime / time.Second), Scope: strings.Join(scopes, " ")}
}

// used reports whether a jti was recorded and still matters.
func (a *authServer) used(key string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, seen := a.jtis[key]
	return seen && !now.After(t)
}

// firstUse records a jti until it expires and reports whether it is new.
func (a *authServer) firstUse(key string, until, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.jtis) > 1000 {
		for k, t := range a.jtis {
			if now.After(t) {
				delete(a.jtis, k)
			}
		}
	}
	if t, seen := a.jtis[key]; seen && !now.After(t) {
		return false
	}
	a.jtis[key] = until
	return true
}

// nonce returns the current DPoP nonce, starting a new one every
// NonceLifetime.
func (a *authServer) nonce(now time.Time) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := &a.nonces[0]
	if cur.value == "" || now.Sub(cur.since) >= a.opts.NonceLifetime {
		a.nonces[1] = *cur
		*cur = nonceState{value: randomHex(16), since: now}
	}
	return cur.value
}

// nonceValid reports whether n is the current nonce, or the one before
// within NonceLifetime of the current one's start.
func (a *authServer) nonceValid(n string, now time.Time) bool {
	if n == "" {
		return false
	}
	cur := a.nonce(now)
	a.mu.Lock()
	defer a.mu.Unlock()
	prev := a.nonces[1]
	return n == cur || (n == prev.value && now.Sub(a.nonces[0].since) < a.opts.NonceLifetime)
}

// writeOAuthError writes an OAuth error answer.
func (a *authServer) writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.nonce {
		w.Header().Set("DPoP-Nonce", a.nonce(a.now()))
	}
	body, _ := json.Marshal(map[string]string{"error": e.code, "error_description": e.description})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	w.Write(body)
}

// check verifies the access token of an API request: "Bearer <token>" for
// a token issued without DPoP; "DPoP <token>" with a proof by the token's
// key (method, URI, the token's hash, a current nonce) for a bound one; the
// scope okta.logs.read. It returns nil when the request may proceed, or
// Okta's error with the WWW-Authenticate challenge to send. ok is false
// when the Authorization header is not an access token this server issued
// (an SSWS token, say), for the caller to check otherwise.
func (a *authServer) check(w http.ResponseWriter, r *http.Request) (e *APIError, ok bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, SchemeBearer) && !strings.EqualFold(scheme, SchemeDPoP) {
		return nil, false
	}
	now := a.now()
	a.mu.Lock()
	it, known := a.tokens[token]
	a.mu.Unlock()
	if !known {
		return nil, false
	}
	challenge := func(scheme, code, desc string) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`%s realm="%s", error="%s", error_description="%s"`, scheme, requestURL(r, "").String(), code, desc))
	}
	invalid := func(scheme, desc string) (*APIError, bool) {
		a.count()
		challenge(scheme, "invalid_token", desc)
		return newAPIError(http.StatusUnauthorized, CodeInvalidToken, "Invalid token provided"), true
	}
	switch {
	case !now.Before(it.expires):
		return invalid(SchemeBearer, "The token has expired.")
	case it.jkt == "" && !strings.EqualFold(scheme, SchemeBearer):
		return invalid(SchemeBearer, "The token is not a DPoP-bound token.")
	case it.jkt != "" && !strings.EqualFold(scheme, SchemeDPoP):
		return invalid(SchemeDPoP, "The DPoP-bound token must be sent with the DPoP scheme.")
	}
	if it.jkt != "" {
		if e := a.checkProof(w, r, token, it, now, challenge); e != nil {
			a.count()
			return e, true
		}
	}
	if !slices.Contains(it.scopes, ScopeLogsRead) {
		a.count()
		challenge(SchemeBearer, "insufficient_scope", "The access token provided does not contain the required scopes.")
		return newAPIError(http.StatusForbidden, CodeForbidden, "You do not have permission to perform the requested action"), true
	}
	return nil, true
}

// checkProof verifies the DPoP proof of a request made with a bound token.
func (a *authServer) checkProof(w http.ResponseWriter, r *http.Request, token string, it issuedToken, now time.Time, challenge func(scheme, code, desc string)) *APIError {
	bad := func(desc string) *APIError {
		challenge(SchemeDPoP, "invalid_dpop_proof", desc)
		return newAPIError(http.StatusBadRequest, CodeValidation, "Api validation failed: DPoP", desc)
	}
	proof := r.Header.Get("DPoP")
	if proof == "" {
		return bad("The DPoP proof JWT header is missing.")
	}
	p, err := verifyDPoP(proof, r.Method, requestURL(r, r.URL.Path), now)
	switch {
	case err != nil:
		return bad(err.Error())
	case p.jkt != it.jkt:
		return bad("The DPoP proof's key is not the key the token is bound to.")
	case p.claims.AccessToken != tokenHash(token):
		return bad("The DPoP proof's ath does not match the access token.")
	case !a.nonceValid(p.claims.Nonce, now):
		w.Header().Set("DPoP-Nonce", a.nonce(now))
		challenge(SchemeDPoP, "use_dpop_nonce", "Resource server requires nonce in DPoP proof.")
		return newAPIError(http.StatusUnauthorized, CodeInvalidToken, "Invalid token provided")
	case !a.firstUse("proof:"+p.claims.ID, now.Add(2*dpopSkew), now):
		return bad("The DPoP proof has already been used.")
	}
	return nil
}

// revokeAll makes every token issued so far invalid, as an administrator
// revoking the app's tokens does (tests: a token refused before its
// announced expiry).
func (a *authServer) revokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t, it := range a.tokens {
		it.expires = time.Time{}
		a.tokens[t] = it
	}
}

func (a *authServer) count() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rejected++
}

// requestURL is the absolute URL of path on the server as the client
// reached it.
func requestURL(r *http.Request, path string) *url.URL {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host, Path: path}
}
