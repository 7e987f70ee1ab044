package oktaapi

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// DPoP (RFC 9449, as Okta implements it: developer.okta.com/docs/guides/dpop)
// binds an access token to a key pair the client makes: the token request
// carries a proof, a JWT signed with the key and holding its public half
// ("jwk" header, "typ" dpop+jwt), and so does every request made with the
// token (Authorization: DPoP <token>, DPoP: <proof>). Okta asks for a
// nonce: a first token request answered 400 use_dpop_nonce with a
// DPoP-Nonce header is sent again with the nonce in the proof; okta-sdk-
// golang puts the same nonce, and the token's hash (ath), in the proofs of
// API requests.

// dpopType is the "typ" header of a DPoP proof.
const dpopType = "dpop+jwt"

// dpopAlgorithms are the algorithms a proof may be signed with (Okta's
// dpop_signing_alg_values_supported).
var dpopAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512}

// dpopClaims are the claims of a proof.
type dpopClaims struct {
	ID          string           `json:"jti"`
	Method      string           `json:"htm"`
	URI         string           `json:"htu"`
	IssuedAt    *jwt.NumericDate `json:"iat"`
	Nonce       string           `json:"nonce,omitempty"`
	AccessToken string           `json:"ath,omitempty"`
}

// dpopKey is the client's proof key: an ephemeral P-256 key made for the
// process, never written anywhere.
type dpopKey struct {
	signer jose.Signer
}

func newDPoPKey() (*dpopKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("dpop: %w", err)
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType(dpopType)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv}, opts)
	if err != nil {
		return nil, fmt.Errorf("dpop: %w", err)
	}
	return &dpopKey{signer: s}, nil
}

// proof signs a proof for a request: method, the target URI (its query and
// fragment dropped), the server's nonce if any, and the access token's
// hash when the request carries one.
func (k *dpopKey) proof(method string, target *url.URL, nonce, accessToken string, now time.Time) (string, error) {
	c := dpopClaims{
		ID: randomHex(16), Method: method, URI: htu(target),
		IssuedAt: jwt.NewNumericDate(now), Nonce: nonce,
	}
	if accessToken != "" {
		c.AccessToken = tokenHash(accessToken)
	}
	s, err := jwt.Signed(k.signer).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("dpop: %w", err)
	}
	return s, nil
}

// htu is a URI as a proof names it: scheme, host and path.
func htu(u *url.URL) string {
	return (&url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Path: u.Path}).String()
}

// tokenHash is the "ath" of an access token: base64url(SHA-256(token)).
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dpopProof is a proof that verified: its key's thumbprint and claims.
type dpopProof struct {
	jkt    string // base64url SHA-256 thumbprint of the key (RFC 7638)
	claims dpopClaims
}

// dpopSkew is how far a proof's iat may be from the server's clock.
const dpopSkew = time.Minute

// verifyDPoP checks a proof's form, signature, method, URI and time;
// nonce, replay and token binding are the caller's.
func verifyDPoP(proof, method string, target *url.URL, now time.Time) (*dpopProof, error) {
	tok, err := jwt.ParseSigned(proof, dpopAlgorithms)
	if err != nil {
		return nil, errors.New("the DPoP proof is not a signed JWT")
	}
	if len(tok.Headers) != 1 {
		return nil, errors.New("the DPoP proof must have one signature")
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != dpopType {
		return nil, errors.New("the DPoP proof's typ must be dpop+jwt")
	}
	if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() || !h.JSONWebKey.Valid() {
		return nil, errors.New("the DPoP proof's jwk header must hold a public key")
	}
	var c dpopClaims
	if err := tok.Claims(h.JSONWebKey.Key, &c); err != nil {
		return nil, errors.New("the DPoP proof's signature is invalid")
	}
	switch {
	case c.ID == "":
		return nil, errors.New("the DPoP proof has no jti")
	case c.Method != method:
		return nil, errors.New("the DPoP proof's htm does not match the request's method")
	case c.URI != htu(target):
		return nil, errors.New("the DPoP proof's htu does not match the request's URI")
	case c.IssuedAt == nil:
		return nil, errors.New("the DPoP proof has no iat")
	}
	if d := now.Sub(c.IssuedAt.Time()); d > dpopSkew || d < -dpopSkew {
		return nil, errors.New("the DPoP proof's iat is too far from the current time")
	}
	thumb, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, errors.New("the DPoP proof's key has no thumbprint")
	}
	return &dpopProof{jkt: base64.RawURLEncoding.EncodeToString(thumb), claims: c}, nil
}
