package oktaapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// OAuth 2.0 for Okta's APIs with a service app (developer.okta.com/docs/
// guides/implement-oauth-for-okta-serviceapp): the app is registered with
// a public key; the client signs a JWT with the private key (iss and sub
// the client id, aud the token endpoint, a short exp, a unique jti) and
// trades it at the org authorization server's token endpoint for an access
// token (grant_type client_credentials, client_assertion_type jwt-bearer,
// scope okta.logs.read), which it sends as "Authorization: Bearer …", or
// "DPoP …" with a proof when the app requires DPoP (see dpop.go).

// OAuth constants.
const (
	// TokenPath is the org authorization server's token endpoint, the one
	// that issues tokens for Okta's own APIs.
	TokenPath = "/oauth2/v1/token"
	// ScopeLogsRead is the scope of GET /api/v1/logs.
	ScopeLogsRead = "okta.logs.read"
	// assertionType is the client_assertion_type of private_key_jwt.
	assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// assertionLifetime is how long a client assertion is valid (Okta
	// accepts at most an hour).
	assertionLifetime = 5 * time.Minute
	// maxTokenBody bounds a token endpoint response.
	maxTokenBody = 1 << 20
	// tokenAttempts bounds the token requests of one Authorize: the first,
	// one with a DPoP proof, one with the server's nonce.
	tokenAttempts = 3
	// SchemeDPoP is the Authorization scheme of a DPoP-bound access token.
	SchemeDPoP = "DPoP"
)

// Authorizer puts credentials on the collector's requests, obtaining them
// first if needed; OAuth is one. A Collector with an Authorizer uses it
// instead of its Token.
type Authorizer interface {
	// Authorize sets the request's Authorization (and DPoP) headers.
	Authorize(ctx context.Context, req *http.Request) error
	// Retry is told of a 400 or 401 answer; it reports whether sending the
	// request again may succeed: it dropped a token the server no longer
	// accepts, or learnt the DPoP nonce the server asks for.
	Retry(resp *http.Response) bool
}

// OAuth obtains, caches and renews access tokens by the client-credentials
// flow with a signed JWT assertion (private_key_jwt), switching to DPoP
// when the org asks for it. It is safe for concurrent use. Neither the
// key nor a token is ever printed, logged or stored.
type OAuth struct {
	// Org is the org's base URL; the token endpoint is Org + TokenPath.
	Org *url.URL
	// ClientID is the service app's client id.
	ClientID string
	// Key is the app's private key.
	Key PrivateKey
	// Scopes are requested (default okta.logs.read).
	Scopes []string
	// HTTP sends the token requests (default: the collector's default
	// client).
	HTTP *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	token   Token     // the cached access token (zero: none)
	expires time.Time // when it expires
	renew   time.Time // when to renew it
	dpop    *dpopKey  // set once the org asked for DPoP
	nonce   string    // the server's latest DPoP nonce
	issued  int       // tokens obtained (tests)
}

// TokenError is an error answer of the token endpoint: OAuth's "error" and
// "error_description".
type TokenError struct {
	Status      int
	Code        string
	Description string
	nonce       string // the DPoP-Nonce header, with use_dpop_nonce
}

// Error describes the failure.
func (e *TokenError) Error() string {
	msg := fmt.Sprintf("okta: token request: HTTP %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	switch e.Code {
	case "invalid_client":
		msg += " (check the client id, and that the app's public key matches --private-key)"
	case "invalid_scope":
		msg += " (grant the app the okta.logs.read scope: Okta API Scopes tab)"
	}
	return msg
}

// Authorize sets the request's credentials, obtaining a token first when
// none is cached or the cached one is due for renewal.
func (o *OAuth) Authorize(ctx context.Context, req *http.Request) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token.IsZero() || !o.now().Before(o.renew) {
		if err := o.obtain(ctx); err != nil {
			return err
		}
	}
	req.Header.Set("Authorization", o.token.header())
	if o.token.Scheme() != SchemeDPoP {
		return nil
	}
	proof, err := o.dpop.proof(req.Method, req.URL, o.nonce, o.token.secret(), o.now())
	if err != nil {
		return err
	}
	req.Header.Set("DPoP", proof)
	return nil
}

// Retry learns from a rejected request: a DPoP nonce the server asks for
// (WWW-Authenticate error "use_dpop_nonce" with a DPoP-Nonce header), or a
// token the server no longer takes (401: expired early, revoked, clocks
// apart), which it drops so that the next Authorize obtains another.
func (o *OAuth) Retry(resp *http.Response) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	challenge := resp.Header.Get("WWW-Authenticate")
	if n := resp.Header.Get("DPoP-Nonce"); n != "" && o.dpop != nil && strings.Contains(challenge, "use_dpop_nonce") {
		o.nonce = n
		return true
	}
	if resp.StatusCode == http.StatusUnauthorized && !o.token.IsZero() {
		o.token = Token{}
		return true
	}
	return false
}

// obtain requests a token: first as the org was last seen to want it,
// then with a DPoP proof if the org requires one, then with the nonce it
// gives.
func (o *OAuth) obtain(ctx context.Context) error {
	var err error
	for range tokenAttempts {
		var te *TokenError
		err = o.request(ctx)
		if !errors.As(err, &te) {
			return err
		}
		switch {
		case te.Code == "invalid_dpop_proof" && o.dpop == nil:
			if o.dpop, err = newDPoPKey(); err != nil {
				return err
			}
		case te.Code == "use_dpop_nonce" && o.dpop != nil && te.nonce != "" && te.nonce != o.nonce:
			o.nonce = te.nonce
		default:
			return err
		}
	}
	return err
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	TokenType   string `json:"token_type"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// request sends one token request and caches the token it gets.
func (o *OAuth) request(ctx context.Context) error {
	now := o.now()
	endpoint := o.tokenURL()
	assertion, err := o.assertion(endpoint, now)
	if err != nil {
		return err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {strings.Join(o.scopes(), " ")},
		"client_assertion_type": {assertionType},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if o.dpop != nil {
		proof, err := o.dpop.proof(http.MethodPost, endpoint, o.nonce, "", now)
		if err != nil {
			return err
		}
		req.Header.Set("DPoP", proof)
	}
	resp, err := o.client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &transientError{err: fmt.Errorf("token request: %w", scrubURLError(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return &transientError{err: fmt.Errorf("token request: reading the response: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return tokenFailure(resp, body)
	}
	return o.keep(body, now)
}

// keep caches the token of a successful answer.
func (o *OAuth) keep(body []byte, now time.Time) error {
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return errors.New("okta: token request: the answer holds no access token")
	}
	scheme := SchemeBearer
	switch {
	case strings.EqualFold(tr.TokenType, SchemeDPoP) && o.dpop != nil:
		scheme = SchemeDPoP
	case strings.EqualFold(tr.TokenType, SchemeBearer):
	default:
		return fmt.Errorf("okta: token request: unexpected token type %q", clip(tr.TokenType, 20))
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour // Okta's access tokens for its APIs live an hour
	}
	o.token = newToken(scheme, tr.AccessToken)
	o.expires = now.Add(life)
	// Renew a minute early, or at nine tenths of a short life, so that no
	// request goes out with a token about to expire.
	o.renew = o.expires.Add(-min(time.Minute, life/10))
	o.issued++
	return nil
}

// tokenFailure reads the token endpoint's error: 429 and 5xx are
// transient; the rest fail at once.
func tokenFailure(resp *http.Response, body []byte) error {
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.Unmarshal(body, &oe)
	te := &TokenError{
		Status: resp.StatusCode, Code: printable(clip(oe.Error, 60)),
		Description: printable(clip(oe.Description, 300)),
		nonce:       clip(resp.Header.Get("DPoP-Nonce"), 500),
	}
	if te.Code == "" && te.Description == "" {
		te.Description = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return &transientError{err: te}
	}
	return te
}

// assertion signs the client assertion for the token endpoint.
func (o *OAuth) assertion(endpoint *url.URL, now time.Time) (string, error) {
	if o.ClientID == "" {
		return "", errors.New("oauth: no client id")
	}
	s, err := o.Key.signer(nil)
	if err != nil {
		return "", fmt.Errorf("oauth: %w", err)
	}
	claims := jwt.Claims{
		Issuer: o.ClientID, Subject: o.ClientID, Audience: jwt.Audience{endpoint.String()},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(assertionLifetime)),
		ID: randomHex(16),
	}
	a, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("oauth: signing the client assertion: %w", err)
	}
	return a, nil
}

func (o *OAuth) tokenURL() *url.URL {
	return &url.URL{Scheme: o.Org.Scheme, Host: o.Org.Host, Path: TokenPath}
}

func (o *OAuth) scopes() []string {
	if len(o.Scopes) == 0 {
		return []string{ScopeLogsRead}
	}
	return o.Scopes
}

func (o *OAuth) client() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return defaultClient
}

func (o *OAuth) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// scrubURLError drops the URL from a transport error: the token
// endpoint's URL holds nothing secret, but the error reads better short.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		var ne net.Error
		if errors.As(ue.Err, &ne) {
			return ne
		}
		return ue.Err
	}
	return err
}

// printable replaces control characters: the text comes from a server.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return '?'
		}
		return r
	}, s)
}
