package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Raw JSON in compressed blocks.
//
// The original JSON of events inserted since raw_blocks exists is kept
// there: runs of consecutive event ids compressed together with zstd.
// Events of one org repeat most of their bytes from event to event (field
// names, actors, user agents, places), and each block starts from the
// store's dictionary (below): a block of about 8 events compresses about 9
// to 1, where one event alone, without a dictionary, compresses less than
// 2 to 1. Reading one event costs the decompression of its block (about
// 16 KB): blocks are kept small for the searches that read events here
// and there (an indicator's), at some cost in size (docs/storage.md has
// the measurements).
//
// A block takes the JSON bytes that compress to about blockTarget: the
// target times the compression ratio of the blocks written last
// (Store.blockRatio). (A block of more than half a page would sit alone in
// its page: blocks of 8 KB left a third of the file empty.)

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
	// blockTarget is the compressed size of a block aimed at.
	blockTarget = 2000
	// initialBlockRatio is the compression ratio assumed before any block
	// is written.
	initialBlockRatio = 6
	// maxBlockSize bounds what decompressing one block may allocate: a
	// block holds a few hundred KB at most, or one event, which SQLite
	// caps at a gigabyte (SQLITE_MAX_LENGTH).
	maxBlockSize = 1 << 30
)

// Dictionaries. A block's first events have no earlier bytes to refer to,
// and blocks are small (for quick point reads), so each block starts with
// a history of typical events: a zstd raw-content dictionary, which is
// just JSON of the store's own first events (dictSize bytes, one event of
// each type first), taken by the first Insert that has that much and kept
// in raw_dicts. This compresses blocks a third smaller again (docs/
// storage.md). A block's zstd frame names its dictionary; blocks written
// before the store had one use none.

const dictSize = 64 << 10

// codec compresses and decompresses blocks; safe for concurrent use. It
// knows the dictionaries of raw_dicts as loaded by load, which it calls
// again when a block names one it does not know (another process, or this
// one's last Insert, added it).
type codec struct {
	load func() (map[uint32][]byte, error)

	mu    sync.RWMutex
	dicts map[uint32][]byte
	enc   blockEncoder        // with the newest dictionary, if any
	dec   *zstd.Decoder       // zstd blocks, with every dictionary of dicts
	s2    map[uint32]*s2.Dict // s2 blocks' dictionaries, by id
	// counts counts each byte in the newest dictionary (nil: none): a
	// sample of the store's JSON, for the prefilter's anchors.
	counts *[256]int
}

func newCodec(load func() (map[uint32][]byte, error)) (*codec, error) {
	c := &codec{load: load}
	if err := c.reload(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// blockEncoder compresses blocks with s2 and dictionary id (none if 0);
// safe for concurrent use.
type blockEncoder struct {
	id   uint32
	dict *s2.Dict
}

// newEncoder returns an encoder using dictionary id (none if 0).
func newEncoder(id uint32, content []byte) (blockEncoder, error) {
	if id == 0 {
		return blockEncoder{}, nil
	}
	d := s2.MakeDict(content, nil)
	if d == nil {
		return blockEncoder{}, fmt.Errorf("s2 dictionary %d of %d bytes", id, len(content))
	}
	return blockEncoder{id: id, dict: d}, nil
}

// s2Tag starts an s2 block's data (then the uvarint of its dictionary's
// id, 0 for none, then the s2 block); a zstd block starts with zstd's
// magic number, 28 B5 2F FD.
const s2Tag = 0x53 // "S"

// encode compresses buf into a block's data.
func (e blockEncoder) encode(buf []byte) []byte {
	return e.encodeInto(nil, buf)
}

// encodeInto compresses buf into a block's data in scratch when it is
// large enough (else in a new slice), and returns the data.
func (e blockEncoder) encodeInto(scratch, buf []byte) []byte {
	need := 1 + binary.MaxVarintLen32 + s2.MaxEncodedLen(len(buf))
	if cap(scratch) < need {
		scratch = make([]byte, need)
	}
	out := scratch[:need]
	out[0] = s2Tag
	head := 1 + binary.PutUvarint(out[1:], uint64(e.id))
	var enc []byte
	if e.dict != nil {
		enc = e.dict.Encode(out[head:], buf)
	} else {
		enc = s2.Encode(out[head:], buf)
	}
	return out[:head+len(enc)]
}

// reload reads the dictionaries and makes the encoder and decoder anew.
func (c *codec) reload() error {
	dicts, err := c.load()
	if err != nil {
		return fmt.Errorf("read raw_dicts: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.setLocked(dicts)
}

func (c *codec) setLocked(dicts map[uint32][]byte) error {
	opts := []zstd.DOption{zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithDecoderMaxMemory(maxBlockSize), zstd.IgnoreChecksum(true)}
	newest := uint32(0)
	for id, content := range dicts {
		opts = append(opts, zstd.WithDecoderDictRaw(id, content))
		newest = max(newest, id)
	}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return fmt.Errorf("zstd decoder: %w", err)
	}
	enc, err := newEncoder(newest, dicts[newest])
	if err != nil {
		dec.Close()
		return err
	}
	s2dicts := map[uint32]*s2.Dict{}
	for id, content := range dicts {
		if d := s2.MakeDict(content, nil); d != nil {
			s2dicts[id] = d
		}
	}
	// The decoder replaced is left to the collector: a search may still
	// be using it (used only through DecodeAll, it runs no goroutine).
	c.dicts, c.enc, c.dec, c.s2 = dicts, enc, dec, s2dicts
	c.counts = nil
	if content := dicts[newest]; len(content) > 0 {
		c.counts = new([256]int)
		for _, b := range content {
			c.counts[b]++
		}
	}
	return nil
}

// encoder returns the encoder and its dictionary's id.
func (c *codec) encoder() (blockEncoder, uint32) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.enc, c.enc.id
}

// byteCounts returns how often each byte occurs in a sample of the
// store's JSON (nil when the store has no dictionary yet).
func (c *codec) byteCounts() *[256]int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.counts
}

// adopt makes dictionary id (just committed to raw_dicts) the encoder's
// and known to the decoder.
func (c *codec) adopt(id uint32, content []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	dicts := maps.Clone(c.dicts)
	dicts[id] = content
	return c.setLocked(dicts)
}

// decode decompresses a block's data.
func (c *codec) decode(data []byte) ([]byte, error) {
	if len(data) > 0 && data[0] == s2Tag {
		return c.decodeS2(data[1:])
	}
	c.mu.RLock()
	dec := c.dec
	plain, err := dec.DecodeAll(data, nil)
	c.mu.RUnlock()
	if errors.Is(err, zstd.ErrUnknownDictionary) {
		if err = c.reload(); err == nil {
			c.mu.RLock()
			plain, err = c.dec.DecodeAll(data, nil)
			c.mu.RUnlock()
		}
	}
	return plain, err
}

// decodeS2 decompresses an s2 block's data after its tag.
func (c *codec) decodeS2(data []byte) ([]byte, error) {
	id, k := binary.Uvarint(data)
	if k <= 0 || id > math.MaxUint32 {
		return nil, errors.New("s2 block: bad dictionary id")
	}
	data = data[k:]
	if n, err := s2.DecodedLen(data); err != nil || n > maxBlockSize {
		return nil, fmt.Errorf("s2 block: decoded length %d: %v", n, err)
	}
	if id == 0 {
		return s2.Decode(nil, data)
	}
	c.mu.RLock()
	d := c.s2[uint32(id)]
	c.mu.RUnlock()
	if d == nil {
		if err := c.reload(); err != nil {
			return nil, err
		}
		c.mu.RLock()
		d = c.s2[uint32(id)]
		c.mu.RUnlock()
		if d == nil {
			return nil, fmt.Errorf("s2 block: %w (%d)", zstd.ErrUnknownDictionary, id)
		}
	}
	return d.Decode(nil, data)
}

func (c *codec) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *codec) closeLocked() {
	if c.dec != nil {
		c.dec.Close()
	}
	c.dec = nil
}

// dictContent picks a dictionary's content from the JSON of events: an
// event of each type first, in order, then the others in order, up to
// dictSize bytes. It returns nil when the events hold less than that.
func dictContent(raws [][]byte, types []string) []byte {
	total := 0
	for _, r := range raws {
		total += len(r)
	}
	if total < dictSize {
		return nil
	}
	out := make([]byte, 0, dictSize+64<<10)
	seen := map[string]bool{}
	taken := make([]bool, len(raws))
	for i, r := range raws {
		if !seen[types[i]] && len(out)+len(r) <= dictSize {
			seen[types[i]], taken[i] = true, true
			out = append(out, r...)
		}
	}
	for i, r := range raws {
		if len(out) >= dictSize {
			break
		}
		if !taken[i] {
			out = append(out, r[:min(len(r), dictSize-len(out))]...)
		}
	}
	return out
}

// loadDicts reads raw_dicts.
func loadDicts(ctx context.Context, db *sql.DB) (map[uint32][]byte, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, content FROM raw_dicts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dicts := map[uint32][]byte{}
	for rows.Next() {
		var id uint32
		var content []byte
		if err := rows.Scan(&id, &content); err != nil {
			return nil, err
		}
		dicts[id] = content
	}
	return dicts, rows.Err()
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
func encodeBlock(enc blockEncoder, raws [][]byte) []byte {
	return new(blockScratch).encode(enc, raws)
}

// blockScratch holds the buffers a goroutine compressing blocks one after
// the other reuses: the block's plain bytes and its compressed form, which
// s2 wants room for at its largest (about 1.17 times the plain bytes,
// where blocks compress 7 to 1). Fresh buffers for every block were 5 GB
// allocated and cleared at 1M events.
type blockScratch struct {
	plain, packed []byte
}

// encode is encodeBlock, in s's buffers; the data returned is a slice of
// its own.
func (s *blockScratch) encode(enc blockEncoder, raws [][]byte) []byte {
	buf := s.plain[:0]
	for _, r := range raws {
		buf = binary.AppendUvarint(buf, uint64(len(r)))
	}
	for _, r := range raws {
		buf = append(buf, r...)
	}
	s.plain = buf
	packed := enc.encodeInto(s.packed, buf)
	s.packed = packed[:cap(packed)]
	return bytes.Clone(packed)
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
// are the block's, capped at the event's end (callers copy what they keep
// apart from the block's other events).
func (b *block) event(c *codec, id int64) ([]byte, error) {
	b.once.Do(func() { b.err = b.decompress(c) })
	if b.err != nil {
		return nil, b.err
	}
	i := id - b.id
	return b.json[b.offs[i]:b.offs[i+1]:b.offs[i+1]], nil
}

func (b *block) decompress(c *codec) error {
	plain, err := c.decode(b.data)
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

// preparer prepares statements: a *sql.DB, *sql.Conn or *sql.Tx.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

const (
	sqlBlockOf = "SELECT id, n, data FROM raw_blocks WHERE id <= ? ORDER BY id DESC LIMIT 1"
	sqlRawOf   = "SELECT json FROM raw WHERE id = ?"
	// sqlBlocksFrom reads the blocks in order from the one holding id
	// (or the next).
	sqlBlocksFrom = "SELECT id, n, data FROM raw_blocks WHERE id >= (SELECT coalesce(max(id), 0) FROM raw_blocks WHERE id <= ?1) ORDER BY id"
)

// errNoJSON is returned for an event whose JSON is in no block.
var errNoJSON = errors.New("no JSON stored for the event")

// blockCacheSize is how many blocks a rawSource keeps: a search's events
// come in published order, which visits blocks in turn when ids follow
// time, and a few at once otherwise.
const blockCacheSize = 8

// rawSource finds events' JSON for one reader: in raw (stores written
// before raw_blocks, ids up to rawMax) or in blocks, keeping the last
// blocks read. Its statements are prepared on first use (a scan reads
// tens of thousands of blocks); close releases them.
type rawSource struct {
	db        preparer
	rawMax    int64
	blockStmt *sql.Stmt
	rawStmt   *sql.Stmt
	cache     [blockCacheSize]*block
	next      int // slot of the cache to replace next
	// A scan whose ids grow (a store loaded in time order, read in time
	// order) reads the blocks in turn from one query (seq), instead of
	// a query for each: seqStmt, seq and the last block it gave, seqAt.
	seqStmt *sql.Stmt
	seq     *sql.Rows
	seqAt   *block
	seqDone bool
}

func newRawSource(db preparer, rawMax int64) *rawSource {
	return &rawSource{db: db, rawMax: rawMax}
}

// stmt returns *st, preparing it with query first if needed.
func (r *rawSource) stmt(ctx context.Context, st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		prepared, err := r.db.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*st = prepared
	}
	return *st, nil
}

func (r *rawSource) close() {
	if r.seq != nil {
		r.seq.Close()
	}
	for _, st := range []*sql.Stmt{r.blockStmt, r.rawStmt, r.seqStmt} {
		if st != nil {
			st.Close()
		}
	}
}

// get returns the JSON of event id, either as bytes (raw) or as a block
// holding it (bytes nil).
func (r *rawSource) get(ctx context.Context, id int64) ([]byte, *block, error) {
	if id <= r.rawMax {
		st, err := r.stmt(ctx, &r.rawStmt, sqlRawOf)
		if err != nil {
			return nil, nil, err
		}
		var raw driverBytes
		if err := st.QueryRowContext(ctx, id).Scan(&raw); err != nil {
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
	if b, err := r.sequential(ctx, id); b != nil || err != nil {
		if b != nil {
			r.cache[r.next] = b
			r.next = (r.next + 1) % blockCacheSize
		}
		return nil, b, err
	}
	st, err := r.stmt(ctx, &r.blockStmt, sqlBlockOf)
	if err != nil {
		return nil, nil, err
	}
	b := &block{}
	var data driverBytes
	err = st.QueryRowContext(ctx, id).Scan(&b.id, &b.n, &data)
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

// sequential returns the block of event id from the blocks read in
// order of id, or nil when id is behind them (the caller looks it up).
func (r *rawSource) sequential(ctx context.Context, id int64) (*block, error) {
	if r.seqDone || (r.seqAt != nil && id < r.seqAt.id) {
		return nil, nil
	}
	if r.seq == nil {
		st, err := r.stmt(ctx, &r.seqStmt, sqlBlocksFrom)
		if err != nil {
			return nil, err
		}
		if r.seq, err = st.QueryContext(ctx, id); err != nil {
			return nil, err
		}
	}
	for r.seqAt == nil || r.seqAt.id+int64(r.seqAt.n) <= id {
		if !r.seq.Next() {
			r.seqDone = true
			return nil, r.seq.Err()
		}
		b := &block{}
		var data driverBytes
		if err := r.seq.Scan(&b.id, &b.n, &data); err != nil {
			return nil, err
		}
		b.data = data
		r.seqAt = b
	}
	if !r.seqAt.holds(id) {
		return nil, nil
	}
	return r.seqAt, nil
}

// fromRow returns the block (id, n, data) that a search's row carries for
// event: the one in the cache when it holds it already (a search's rows
// in a row often share a block, each carrying its data).
func (r *rawSource) fromRow(id int64, n int, data []byte, event int64) (*block, error) {
	for _, b := range r.cache {
		if b != nil && b.id == id {
			return b, nil
		}
	}
	b := &block{id: id, n: n, data: data}
	if !b.holds(event) {
		return nil, fmt.Errorf("event %d: %w", event, errNoJSON)
	}
	r.cache[r.next] = b
	r.next = (r.next + 1) % blockCacheSize
	return b, nil
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
