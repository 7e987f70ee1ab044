package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Raw JSON in compressed blocks.
//
// The original JSON of events inserted since raw_blocks exists is kept
// there: runs of consecutive event ids compressed together with zstd.
// Events of one org repeat most of their bytes from event to event (field
// names, actors, user agents, places), so a block of 20 events compresses
// about 7 to 1 where one event alone compresses less than 2 to 1, and
// decompresses at 2 GB/s or more: reading one event costs the
// decompression of its block, 15 to 20 µs (docs/storage.md has the
// measurements, dictionaries included).
//
// A block is sized to fill a third of a page once compressed (blockTarget):
// SQLite keeps a row of up to a page in the page, and rows of more than
// half a page one to a page, which left a third of the file empty with
// blocks of 8 KB. The JSON bytes a block takes are the target times the
// compression ratio of the blocks written last (Store.blockRatio).
//
// A block row is (id, n, data): id is the first event's id, n the number
// of events, data the zstd frame of: n uvarint lengths, then the n events'
// JSON, back to back. Event id's JSON is in the block with the greatest id
// <= id, at position id - block id < n.
//
// Stores written before raw_blocks keep their events' JSON in raw, one row
// per event, uncompressed; they are read as they are (see rawSource), and
// the events they receive afterwards go to blocks.

const (
	blockEvents = 64 // events per block, at most
	// blockTarget is the compressed size of a block aimed at: three rows
	// and their cell headers fit a page of pageSize bytes.
	blockTarget = pageSize/3 - 300
	// initialBlockRatio is the compression ratio assumed before any block
	// is written.
	initialBlockRatio = 6
	// maxBlockSize bounds what decompressing one block may allocate: a
	// block holds a few hundred KB at most, or one event, which SQLite
	// caps at a gigabyte (SQLITE_MAX_LENGTH).
	maxBlockSize = 1 << 30
)

// codec compresses and decompresses blocks; safe for concurrent use.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() (*codec, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithDecoderMaxMemory(maxBlockSize), zstd.IgnoreChecksum(true))
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return &codec{enc: enc, dec: dec}, nil
}

func (c *codec) close() {
	c.enc.Close()
	c.dec.Close()
}

// splitBlocks cuts raws (the JSON of consecutive events) into blocks of
// about blockBytes bytes and at most blockEvents events (an event larger
// than blockBytes is a block alone): it returns the number of events of
// each.
func splitBlocks(raws [][]byte, blockBytes int) []int {
	var sizes []int
	n, bytes := 0, 0
	for _, r := range raws {
		if n > 0 && (n == blockEvents || bytes+len(r) > blockBytes) {
			sizes = append(sizes, n)
			n, bytes = 0, 0
		}
		n++
		bytes += len(r)
	}
	if n > 0 {
		sizes = append(sizes, n)
	}
	return sizes
}

// encodeBlock compresses the JSON of consecutive events into a block's
// data.
func (c *codec) encodeBlock(raws [][]byte) []byte {
	size := 0
	for _, r := range raws {
		size += binary.MaxVarintLen32 + len(r)
	}
	buf := make([]byte, 0, size)
	for _, r := range raws {
		buf = binary.AppendUvarint(buf, uint64(len(r)))
	}
	for _, r := range raws {
		buf = append(buf, r...)
	}
	return c.enc.EncodeAll(buf, make([]byte, 0, len(buf)/4))
}

// block is a row of raw_blocks, decompressed on first use.
type block struct {
	id   int64
	n    int
	data []byte // compressed

	once sync.Once
	json []byte   // decompressed JSON of the events
	offs []uint32 // event i is json[offs[i]:offs[i+1]]
	err  error
}

// event returns the JSON of event id, which the block holds; the bytes
// are the block's (callers copy what they keep).
func (b *block) event(c *codec, id int64) ([]byte, error) {
	b.once.Do(func() { b.err = b.decompress(c) })
	if b.err != nil {
		return nil, b.err
	}
	i := id - b.id
	return b.json[b.offs[i]:b.offs[i+1]], nil
}

func (b *block) decompress(c *codec) error {
	plain, err := c.dec.DecodeAll(b.data, nil)
	if err != nil {
		return fmt.Errorf("block %d: %w", b.id, err)
	}
	b.data = nil
	offs := make([]uint32, b.n+1)
	rest := plain
	total := uint64(0)
	for i := range b.n {
		l, k := binary.Uvarint(rest)
		if k <= 0 {
			return fmt.Errorf("block %d: bad length of event %d", b.id, i)
		}
		rest = rest[k:]
		total += l
		if total > uint64(len(rest)) {
			return fmt.Errorf("block %d: event %d beyond the block's end", b.id, i)
		}
		offs[i+1] = uint32(total)
	}
	if total != uint64(len(rest)) {
		return fmt.Errorf("block %d: %d bytes after the last event", b.id, uint64(len(rest))-total)
	}
	b.json, b.offs = rest, offs
	return nil
}

// holds reports whether event id is in the block.
func (b *block) holds(id int64) bool { return id >= b.id && id < b.id+int64(b.n) }

// rowQuerier runs a query returning at most one row: a *sql.DB, *sql.Conn
// or *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const (
	sqlBlockOf = "SELECT id, n, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1"
	sqlRawOf   = "SELECT json FROM raw WHERE id = ?"
)

// errNoJSON is returned for an event whose JSON is in no block.
var errNoJSON = errors.New("no JSON stored for the event")

// blockCacheSize is how many blocks a rawSource keeps: a search's events
// come in published order, which visits blocks in turn when ids follow
// time, and a few at once otherwise.
const blockCacheSize = 8

// rawSource finds events' JSON for one reader: in raw (stores older than
// version 4, ids up to rawMax) or in blocks, keeping the last blocks read.
type rawSource struct {
	q      rowQuerier
	rawMax int64
	cache  [blockCacheSize]*block
	next   int // slot of the cache to replace next
}

// get returns the JSON of event id, either as bytes (raw) or as a block
// holding it (bytes nil).
func (r *rawSource) get(ctx context.Context, id int64) ([]byte, *block, error) {
	if id <= r.rawMax {
		var raw driverBytes
		if err := r.q.QueryRowContext(ctx, sqlRawOf, id).Scan(&raw); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				err = errNoJSON
			}
			return nil, nil, fmt.Errorf("event %d: %w", id, err)
		}
		return raw, nil, nil
	}
	for _, b := range r.cache {
		if b != nil && b.holds(id) {
			return nil, b, nil
		}
	}
	b := &block{}
	var data driverBytes
	err := r.q.QueryRowContext(ctx, sqlBlockOf, id).Scan(&b.id, &b.n, &data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !b.holds(id)) {
		err = errNoJSON
	}
	if err != nil {
		return nil, nil, fmt.Errorf("event %d: %w", id, err)
	}
	b.data = data
	r.cache[r.next] = b
	r.next = (r.next + 1) % blockCacheSize
	return nil, b, nil
}

// json returns a copy of the JSON of event id.
func (r *rawSource) json(ctx context.Context, c *codec, id int64) ([]byte, error) {
	raw, b, err := r.get(ctx, id)
	if err != nil || b == nil {
		return raw, err
	}
	raw, err = b.event(c, id)
	return append([]byte(nil), raw...), err
}
