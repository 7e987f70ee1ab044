package synth

import (
	"math"
	"math/bits"
)

// rng is a small, fast, deterministic random source (SplitMix64). The
// generator owns several independent ones (traffic, incidents, and one per
// session for render-time values) so that one stream never shifts another.
type rng struct{ state uint64 }

// newRNG returns a source seeded from seed and a stream label, so streams
// derived from the same seed do not overlap.
func newRNG(seed int64, stream uint64) rng {
	return rng{state: mix64(uint64(seed) ^ mix64(stream+0x9e3779b97f4a7c15))}
}

// mix64 is the SplitMix64 finaliser: a bijective 64-bit hash.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// next returns 64 random bits.
func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state)
}

// fork returns a new source seeded from this one.
func (r *rng) fork() rng { return rng{state: r.next()} }

// intn returns a value in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// between returns an integer in [lo, hi].
func (r *rng) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(r.intn(int(hi-lo+1)))
}

// exp returns an exponentially distributed value with the given mean.
func (r *rng) exp(mean float64) float64 {
	return -mean * math.Log(1-r.float())
}

// weighted picks an index with probability proportional to weights[i].
func (r *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

const (
	base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base64URL      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	hexDigits      = "0123456789abcdef"
)

// appendBase62 appends n random base62 characters.
func (r *rng) appendBase62(dst []byte, n int) []byte {
	for i := 0; i < n; i++ {
		dst = append(dst, base62Alphabet[r.intn(62)])
	}
	return dst
}

// appendBase64URL appends n random characters of the URL-safe base64
// alphabet, the alphabet of Okta session ids such as "102rQ57NBkITa-JcXyIwpCsjw".
func (r *rng) appendBase64URL(dst []byte, n int) []byte {
	for i := 0; i < n; i += 10 {
		bits := r.next()
		for j := i; j < n && j < i+10; j++ {
			dst = append(dst, base64URL[bits&63])
			bits >>= 6
		}
	}
	return dst
}

// appendHex appends n random lower-case hex digits.
func (r *rng) appendHex(dst []byte, n int) []byte {
	for i := 0; i < n; i += 16 {
		bits := r.next()
		for j := i; j < n && j < i+16; j++ {
			dst = append(dst, hexDigits[bits&15])
			bits >>= 4
		}
	}
	return dst
}

// oktaID returns a 20-character Okta object id: a 3-character type prefix
// ("00u" user, "0oa" app, "0ua" app user, "00p" policy, "opf" push factor…),
// 14 random base62 characters and the org's 3-character cell suffix.
func (r *rng) oktaID(prefix, orgSuffix string) string {
	b := make([]byte, 0, 20)
	b = append(b, prefix...)
	b = r.appendBase62(b, 17-len(orgSuffix))
	b = append(b, orgSuffix...)
	return string(b)
}

// sessionID returns an externalSessionId: "102" (Classic) or "idx" (Identity
// Engine) followed by 22 URL-safe base64 characters.
func (r *rng) sessionID(identityEngine bool) string {
	b := make([]byte, 0, 25)
	if identityEngine {
		b = append(b, "idx"...)
	} else {
		b = append(b, "102"...)
	}
	return string(r.appendBase64URL(b, 22))
}
