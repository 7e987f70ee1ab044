package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/oktascope/oktascope/internal/render"
)

// The caps on what one import may cost, whatever its input (docs/import.md).
// A gzip bomb (a few kilobytes that decompress to gigabytes, gzip of gzip
// multiplying the ratio) must neither fill the disk through the rejects
// file nor run for hours; Okta's exports compress 4 to 20 times (NDJSON and
// pretty-printed arrays alike).
const (
	// DefaultMaxGzipRatio caps a compressed input's content at this many
	// times the compressed bytes read: five times the most an export was
	// seen to compress, a hundredth of what a bomb reaches.
	DefaultMaxGzipRatio = 100
	// GzipRatioFloor is the content below which the ratio is not applied,
	// so that small files are never stopped by it.
	GzipRatioFloor = 1 << 20
	// DefaultMaxGzipSize caps a compressed input's content absolutely.
	DefaultMaxGzipSize = 64 << 30
	// DefaultMaxRejectsSize caps the rejects file: past it, rejected
	// records are counted but no longer written.
	DefaultMaxRejectsSize = 1 << 30
)

// A LimitError reports that an import reached one of its caps: the
// content of a compressed input (the records before the cap are read, and
// the import goes on with the next input), or the rejects file's size
// (rejected records are then counted, not written).
type LimitError struct {
	File  string // the input, or the rejects file
	What  string // what was capped: "decompressed content", "rejects file"
	Limit int64  // the cap, in bytes
	Why   string // how the cap was set, and how to raise it
}

// Error names the file, the cap and how to raise it.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: %s", render.Terminal(e.File), e.cap())
}

// cap says which cap was reached, and how to raise it.
func (e *LimitError) cap() string {
	return fmt.Sprintf("%s over its cap of %s (%s)", e.What, FormatSize(e.Limit), e.Why)
}

// gzipCap caps the decompressed content of an input (see LimitError).
type gzipCap struct {
	r          io.Reader // the decompressed content
	compressed *int64    // the compressed bytes read so far
	ratio      int64
	max        int64
	n          int64 // content bytes read
	file       string
	err        error
}

func newGzipCap(r io.Reader, compressed *int64, ratio int, maxSize int64, file string) *gzipCap {
	if ratio <= 0 {
		ratio = DefaultMaxGzipRatio
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxGzipSize
	}
	return &gzipCap{r: r, compressed: compressed, ratio: int64(ratio), max: maxSize, file: file}
}

// limit returns the cap at this point of the input, and whether the
// ratio sets it (rather than the absolute cap).
func (c *gzipCap) limit() (int64, bool) {
	byRatio := max(GzipRatioFloor, c.ratio*(*c.compressed))
	if byRatio < c.max && byRatio/c.ratio >= *c.compressed { // no overflow
		return byRatio, true
	}
	return c.max, false
}

func (c *gzipCap) Read(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	limit, byRatio := c.limit()
	if c.n >= limit {
		// At the cap: one more byte tells a content that ends there from
		// one that goes on.
		var one [1]byte
		n, err := io.ReadFull(c.r, one[:])
		if n == 0 && err != nil {
			c.err = err
			if errors.Is(err, io.ErrUnexpectedEOF) {
				c.err = io.EOF
			}
			return 0, c.err
		}
		why := "raise it with --max-gzip-size"
		if byRatio {
			why = fmt.Sprintf("%d times the %s of gzip read, and at least %s; raise it with --max-gzip-ratio",
				c.ratio, FormatSize(*c.compressed), FormatSize(GzipRatioFloor))
		}
		c.err = &LimitError{File: c.file, What: "decompressed content", Limit: limit, Why: why}
		return 0, c.err
	}
	if int64(len(b)) > limit-c.n {
		b = b[:limit-c.n]
	}
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// sizeUnits are the units ParseSize takes and FormatSize writes, powers of
// 1024.
var sizeUnits = []struct {
	name  string
	shift uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}}

// ParseSize parses a size in bytes: a whole number, alone or followed by
// B, K, KiB, M, MiB, G, GiB, T or TiB (any case; every unit a power of
// 1024).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t) - len(strings.TrimLeft(t, "0123456789"))
	digits, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: want a whole number of bytes, optionally with a unit (KiB, MiB, GiB, TiB)", s)
	}
	shift := uint(0)
	switch unit {
	case "", "b":
	default:
		found := false
		for _, u := range sizeUnits {
			if unit == strings.ToLower(u.name) || unit == strings.ToLower(u.name[:1]) {
				shift, found = u.shift, true
			}
		}
		if !found {
			return 0, fmt.Errorf("size %q: unknown unit %q (use KiB, MiB, GiB or TiB)", s, t[i:])
		}
	}
	if n > (1<<63-1)>>shift {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n << shift, nil
}

// FormatSize writes a size in bytes with the largest unit that keeps it at
// least 1 ("5.2 KiB", "64 GiB", "300 bytes").
func FormatSize(n int64) string {
	for _, u := range sizeUnits {
		if n >= 1<<u.shift {
			v := float64(n) / float64(int64(1)<<u.shift)
			if n%(1<<u.shift) == 0 {
				return strconv.FormatInt(n>>u.shift, 10) + " " + u.name
			}
			return strconv.FormatFloat(v, 'f', 1, 64) + " " + u.name
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
