package oktaapi

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	jose "github.com/go-jose/go-jose/v4"
)

// maxKeyFile bounds a key file: a 4096-bit RSA key in JWK form is 3 KB.
const maxKeyFile = 64 << 10

// minRSABits is the smallest RSA key Okta accepts for a service app.
const minRSABits = 2048

// PrivateKey is the signing key of an OAuth 2.0 service app, whose public
// half is registered with the app in Okta (private_key_jwt). Like Token,
// it never prints: String, GoString, Format and MarshalText all give
// "[redacted]", and the key itself sits behind a function, so that even
// printing a struct holding it by reflection shows an address only.
type PrivateKey struct {
	key func() *jose.JSONWebKey
	alg jose.SignatureAlgorithm
}

// ReadPrivateKey reads a service app's private key from a file: PEM
// (PKCS #1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY" or PKCS #8 "PRIVATE
// KEY") or JWK (a key, or a key set holding one key, as Okta's Admin
// Console generates it). The file is read, never copied; errors name the
// file and never quote its content.
func ReadPrivateKey(path string) (PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("private key: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return PrivateKey{}, fmt.Errorf("private key %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return PrivateKey{}, fmt.Errorf("private key %s: larger than %d KB: not a key file", path, maxKeyFile>>10)
	}
	k, err := ParsePrivateKey(data)
	if err != nil {
		return PrivateKey{}, fmt.Errorf("private key %s: %w", path, err)
	}
	return k, nil
}

// ParsePrivateKey reads a private key as ReadPrivateKey does, from bytes.
func ParsePrivateKey(data []byte) (PrivateKey, error) {
	jwk, err := parseKey(data)
	if err != nil {
		return PrivateKey{}, err
	}
	if jwk.IsPublic() {
		return PrivateKey{}, errors.New("holds a public key: the app's private key is needed")
	}
	alg, err := signingAlgorithm(jwk)
	if err != nil {
		return PrivateKey{}, err
	}
	return PrivateKey{key: func() *jose.JSONWebKey { return jwk }, alg: alg}, nil
}

// ParsePublicKey reads the public key of a service app, as the fake
// server's token endpoint takes it: PEM ("PUBLIC KEY", or any private key
// form, whose public half is taken) or JWK.
func ParsePublicKey(data []byte) (jose.JSONWebKey, error) {
	jwk, err := parseKey(data)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	pub := jwk.Public()
	if !pub.Valid() {
		return jose.JSONWebKey{}, errors.New("not an RSA or EC key")
	}
	if _, err := signingAlgorithm(&pub); err != nil {
		return jose.JSONWebKey{}, err
	}
	return pub, nil
}

// parseKey reads a JWK, a JWK set of one key, or a PEM key.
func parseKey(data []byte) (*jose.JSONWebKey, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		return parseJWK(data)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("neither a PEM key nor a JWK")
		}
		key, err := parsePEMBlock(block)
		if err != nil {
			return nil, err
		}
		if key != nil {
			return &jose.JSONWebKey{Key: key}, nil
		}
	}
}

// parsePEMBlock returns the key of a PEM block, nil for a block that holds
// no key (a certificate, parameters).
func parsePEMBlock(b *pem.Block) (any, error) {
	var key any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(b.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the PEM key is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)")
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("PEM %s: %w", b.Type, err)
	}
	return key, nil
}

// parseJWK reads a JWK or a JWK set holding exactly one key.
func parseJWK(data []byte) (*jose.JSONWebKey, error) {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, errors.New("not valid JSON")
	}
	if probe.Keys != nil {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, fmt.Errorf("JWK set: %w", err)
		}
		if len(set.Keys) != 1 {
			return nil, fmt.Errorf("the JWK set holds %d keys: give a file with the app's one key", len(set.Keys))
		}
		return &set.Keys[0], nil
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("JWK: %w", err)
	}
	return &k, nil
}

// signingAlgorithm is the JWS algorithm of a key: the JWK's own alg when
// it names one Okta accepts for the key, else RS256 for RSA and ES256,
// ES384 or ES512 by curve. Okta's private_key_jwt takes RS256, RS384,
// RS512, ES256, ES384 and ES512.
func signingAlgorithm(k *jose.JSONWebKey) (jose.SignatureAlgorithm, error) {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		return rsaAlgorithm(k.Algorithm, key.N.BitLen())
	case *rsa.PublicKey:
		return rsaAlgorithm(k.Algorithm, key.N.BitLen())
	case *ecdsa.PrivateKey:
		return ecAlgorithm(key.Curve)
	case *ecdsa.PublicKey:
		return ecAlgorithm(key.Curve)
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "", errors.New("an Ed25519 key: Okta's private_key_jwt takes RSA (2048 bits or more) or EC (P-256, P-384, P-521) keys")
	}
	return "", errors.New("not an RSA or EC key")
}

func rsaAlgorithm(alg string, bits int) (jose.SignatureAlgorithm, error) {
	if bits < minRSABits {
		return "", fmt.Errorf("an RSA key of %d bits: Okta needs %d bits or more", bits, minRSABits)
	}
	switch a := jose.SignatureAlgorithm(alg); a {
	case jose.RS256, jose.RS384, jose.RS512:
		return a, nil
	}
	return jose.RS256, nil
}

func ecAlgorithm(c elliptic.Curve) (jose.SignatureAlgorithm, error) {
	switch c {
	case elliptic.P256():
		return jose.ES256, nil
	case elliptic.P384():
		return jose.ES384, nil
	case elliptic.P521():
		return jose.ES512, nil
	}
	return "", errors.New("an EC key on a curve Okta does not take (P-256, P-384 or P-521)")
}

// IsZero reports whether the key is empty.
func (k PrivateKey) IsZero() bool { return k.key == nil }

// Algorithm is the JWS algorithm the key signs with.
func (k PrivateKey) Algorithm() string { return string(k.alg) }

// Public returns the key's public half, as registered with the app.
func (k PrivateKey) Public() jose.JSONWebKey {
	if k.key == nil {
		return jose.JSONWebKey{}
	}
	return k.key().Public()
}

// signer returns a signer with the key, its kid in the header when the
// JWK named one (Okta picks the app's key by it).
func (k PrivateKey) signer(opts *jose.SignerOptions) (jose.Signer, error) {
	if k.key == nil {
		return nil, errors.New("no private key")
	}
	jwk := k.key()
	if opts == nil {
		opts = &jose.SignerOptions{}
	}
	if jwk.KeyID != "" {
		opts.WithHeader("kid", jwk.KeyID)
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jwk.Key}, opts.WithType("JWT"))
}

// String returns "[redacted]".
func (k PrivateKey) String() string { return redacted }

// GoString returns "[redacted]".
func (k PrivateKey) GoString() string { return redacted }

// Format prints "[redacted]" whatever the verb.
func (k PrivateKey) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// MarshalText returns "[redacted]": a key is never stored.
func (k PrivateKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }
