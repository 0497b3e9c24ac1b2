package httpapi

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ParseJWKS parses a JSON Web Key Set (RFC 7517) into public keys by
// key id. RSA and EC (P-256, P-384, P-521) signing keys are kept; other
// key types and encryption keys are skipped.
func ParseJWKS(data []byte) (map[string]crypto.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
			Crv string `json:"crv"`
			X   string `json:"x"`
			Y   string `json:"y"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	out := make(map[string]crypto.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch k.Kty {
		case "RSA":
			n, err1 := b64int(k.N)
			e, err2 := b64int(k.E)
			if err1 != nil || err2 != nil || n.Sign() <= 0 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
				return nil, fmt.Errorf("jwks: key %q: invalid RSA modulus or exponent", k.Kid)
			}
			if n.BitLen() < 1024 {
				return nil, fmt.Errorf("jwks: key %q: RSA modulus shorter than 1024 bits", k.Kid)
			}
			out[k.Kid] = &rsa.PublicKey{N: n, E: int(e.Int64())}
		case "EC":
			var curve elliptic.Curve
			switch k.Crv {
			case "P-256":
				curve = elliptic.P256()
			case "P-384":
				curve = elliptic.P384()
			case "P-521":
				curve = elliptic.P521()
			default:
				continue
			}
			// RFC 7518 §6.2.1: x and y are the full-length big-endian
			// coordinates; parsing checks the point is on the curve.
			size := (curve.Params().BitSize + 7) / 8
			x, err1 := base64.RawURLEncoding.DecodeString(k.X)
			y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
			if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
				return nil, fmt.Errorf("jwks: key %q: invalid EC coordinates", k.Kid)
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
			if err != nil {
				return nil, fmt.Errorf("jwks: key %q: point not on curve", k.Kid)
			}
			out[k.Kid] = pub
		}
	}
	return out, nil
}

func b64int(s string) (*big.Int, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}

// keySets fetches and caches issuers' key sets: the jwks_uri of
// {issuer}/.well-known/openid-configuration. An unknown kid refreshes the
// set (at most once per refreshGap per issuer); sets expire after ttl.
type keySets struct {
	client *http.Client
	now    func() time.Time
	mu     sync.Mutex
	sets   map[string]*keySet
}

type keySet struct {
	mu      sync.Mutex // serialises fetches
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

const (
	keySetTTL  = time.Hour
	refreshGap = 100 * time.Millisecond
)

func newKeySets(c *http.Client, now func() time.Time) *keySets {
	return &keySets{client: c, now: now, sets: map[string]*keySet{}}
}

// key returns issuer's public key kid.
func (k *keySets) key(ctx context.Context, issuer, kid string) (crypto.PublicKey, error) {
	k.mu.Lock()
	ks := k.sets[issuer]
	if ks == nil {
		ks = &keySet{}
		k.sets[issuer] = ks
	}
	k.mu.Unlock()
	ks.mu.Lock()
	defer ks.mu.Unlock()
	now := k.now()
	if pub, ok := ks.keys[kid]; ok && now.Sub(ks.fetched) < keySetTTL {
		return pub, nil
	}
	if ks.keys != nil && now.Sub(ks.fetched) < refreshGap {
		return nil, fmt.Errorf("jwt: unknown key id %q", kid)
	}
	keys, err := k.fetch(ctx, issuer)
	if err != nil {
		return nil, err
	}
	ks.keys, ks.fetched = keys, now
	if pub, ok := keys[kid]; ok {
		return pub, nil
	}
	return nil, fmt.Errorf("jwt: unknown key id %q", kid)
}

func (k *keySets) fetch(ctx context.Context, issuer string) (map[string]crypto.PublicKey, error) {
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := k.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if disc.JWKSURI == "" {
		return nil, errors.New("jwt: openid-configuration has no jwks_uri")
	}
	body, err := k.get(ctx, disc.JWKSURI)
	if err != nil {
		return nil, err
	}
	return ParseJWKS(body)
}

func (k *keySets) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("jwt: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwt: fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwt: fetch %s: status %d", u, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

func (k *keySets) getJSON(ctx context.Context, u string, v any) error {
	b, err := k.get(ctx, u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("jwt: decode %s: %w", u, err)
	}
	return nil
}
