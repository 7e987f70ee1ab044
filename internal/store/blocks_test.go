package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/backend/backendtest"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

func TestSplitBlocks(t *testing.T) {
	mk := func(sizes ...int) [][]byte {
		var out [][]byte
		for _, n := range sizes {
			out = append(out, make([]byte, n))
		}
		return out
	}
	for _, tt := range []struct {
		raws  [][]byte
		bytes int
		want  []int
	}{
		{nil, 100, nil},
		{mk(10, 10, 10), 100, []int{3}},
		{mk(60, 50, 10), 100, []int{1, 2}},
		{mk(500, 10, 10), 100, []int{1, 2}}, // a large event alone
		{mk(make([]int, 130)...), 1 << 20, []int{64, 64, 2}},
	} {
		got := splitBlocks(tt.raws, tt.bytes)
		if len(got) != len(tt.want) {
			t.Errorf("splitBlocks(%d events, %d) = %v, want %v", len(tt.raws), tt.bytes, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("splitBlocks(%d events, %d) = %v, want %v", len(tt.raws), tt.bytes, got, tt.want)
			}
		}
	}
}

// TestBlockDecodeErrors checks that a damaged block is an error, never a
// panic or wrong bytes, and that the blocks of both codecs decode: s2
// (written now) and zstd (written by the previous release).
func TestBlockDecodeErrors(t *testing.T) {
	c, err := newCodec(func() (map[uint32][]byte, error) { return nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	enc, _ := c.encoder()
	good := encodeBlock(enc, [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)})
	zenc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	defer zenc.Close()
	zstdBlock := zenc.EncodeAll([]byte("\x07\x07{\"a\":1}{\"b\":2}"), nil)
	for name, data := range map[string][]byte{"s2": good, "zstd": zstdBlock} {
		b := &block{id: 10, n: 2, data: data}
		if raw, err := b.event(c, 11); err != nil || string(raw) != `{"b":2}` {
			t.Fatalf("%s: event 11: %q, %v", name, raw, err)
		}
	}
	huge := []byte{s2Tag, 0}
	huge = binary.AppendUvarint(huge, maxBlockSize+1)
	for name, blk := range map[string]*block{
		"not a block":                 {id: 1, n: 2, data: []byte("{}")},
		"more events":                 {id: 1, n: 3, data: good},
		"fewer events":                {id: 1, n: 1, data: good},
		"lengths too long":            {id: 1, n: 1, data: enc.encode([]byte{200, 1, 'x'})},
		"truncated":                   {id: 1, n: 2, data: good[:len(good)-3]},
		"truncated zstd":              {id: 1, n: 2, data: zstdBlock[:len(zstdBlock)-3]},
		"unknown dictionary":          {id: 1, n: 2, data: append([]byte{s2Tag, 9}, good[2:]...)},
		"bad dictionary id":           {id: 1, n: 2, data: []byte{s2Tag, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		"decoded length over the cap": {id: 1, n: 2, data: huge},
		"empty":                       {id: 1, n: 2, data: nil},
	} {
		if raw, err := blk.event(c, 1); err == nil {
			t.Errorf("%s: %q, no error", name, raw)
		}
	}
}

// TestDictionary checks the store's dictionary: none for a first small
// batch, one made of the first batch holding dictSize bytes of JSON, used
// by the blocks written after it, and found by a store opened before it
// existed (another process's view).
func TestDictionary(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	other, err := Open(s.Location()) // opened before the dictionary exists
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	gen := backendtest.NewGenerator(backendtest.GenOptions{Seed: 30, Users: 40, Messy: true})
	small, large := gen.Events(10), gen.Events(400)
	mustInsert(t, s, small)
	if d := countRows(t, s, "raw_dicts"); d != 0 {
		t.Fatalf("%d dictionaries after a small batch", d)
	}
	mustInsert(t, s, large)
	if d := countRows(t, s, "raw_dicts"); d != 1 {
		t.Fatalf("%d dictionaries after a large batch, want 1", d)
	}
	var content []byte
	if err := s.read.QueryRow("SELECT content FROM raw_dicts").Scan(&content); err != nil {
		t.Fatal(err)
	}
	if len(content) != dictSize || !bytes.HasPrefix(content, large[0].Raw) {
		t.Errorf("dictionary of %d bytes (%.40q), want %d from the large batch's events", len(content), content, dictSize)
	}
	// The last block was compressed with it: it names dictionary 1.
	var data []byte
	if err := s.read.QueryRow("SELECT data FROM raw_blocks ORDER BY id DESC LIMIT 1").Scan(&data); err != nil {
		t.Fatal(err)
	}
	if len(data) < 2 || data[0] != s2Tag || data[1] != 1 {
		t.Fatalf("last block starts % x, want an s2 block of dictionary 1", data[:min(len(data), 2)])
	}
	want := map[string][]byte{}
	for _, e := range append(small, large...) {
		if want[e.UUID] == nil {
			want[e.UUID] = e.Raw
		}
	}
	for _, st := range []*Store{s, other} {
		checkJSON(t, st, want)
	}
	// A third store, opened now, reads the dictionary when it opens.
	third, err := Open(s.Location())
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if _, d := third.codec.encoder(); d != 1 {
		t.Errorf("a store opened later encodes with dictionary %d, want 1", d)
	}
	n, err := third.Count(ctx, backend.Query{})
	if err != nil || n != len(want) {
		t.Fatalf("count %d, %v", n, err)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScanOutOfIDOrder checks scans of a store whose ids do not follow
// time (batches inserted newest first), where blocks cannot be read in
// turn, and of one where they do, against the JSON inserted.
func TestScanOutOfIDOrder(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 32, Users: 20, Messy: true}).Events(900)
	for _, reversed := range []bool{false, true} {
		s := openTemp(t)
		want := map[string][]byte{} // the first of each uuid inserted
		for i := len(events); i > 0; i -= 100 {
			batch := events[i-100 : i]
			if !reversed {
				batch = events[len(events)-i : len(events)-i+100]
			}
			mustInsert(t, s, batch)
			for _, e := range batch {
				if want[e.UUID] == nil {
					want[e.UUID] = e.Raw
				}
			}
		}
		checkJSON(t, s, want)
		if n := countRows(t, s, "raw_blocks"); n < 900/blockEvents {
			t.Fatalf("%d blocks for 900 events", n)
		}
	}
}

// TestBlockScratchReuse compresses blocks of decreasing and increasing
// size through one blockScratch, as a compressing goroutine does: each
// block decodes to its own events, and is not changed by the blocks
// encoded after it (nothing of the scratch buffers is shared).
func TestBlockScratchReuse(t *testing.T) {
	c, err := newCodec(func() (map[uint32][]byte, error) { return nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	enc, _ := c.encoder()
	var s blockScratch
	sizes := []int{3000, 10, 700, 5000, 1}
	var blocks [][]byte
	var want [][]byte
	for i, n := range sizes {
		raws := [][]byte{bytes.Repeat([]byte{'a' + byte(i)}, n), []byte(`{"i":` + string(rune('0'+i)) + `}`)}
		blocks = append(blocks, s.encode(enc, raws))
		want = append(want, raws[0], raws[1])
	}
	if len(blocks) != len(sizes) {
		t.Fatalf("%d blocks", len(blocks))
	}
	for i, data := range blocks {
		b := &block{id: int64(10 * i), n: 2, data: data}
		for k := range 2 {
			raw, err := b.event(c, int64(10*i+k))
			if err != nil || !bytes.Equal(raw, want[2*i+k]) {
				t.Fatalf("block %d event %d: %.40q, %v; want %.40q", i, k, raw, err, want[2*i+k])
			}
		}
	}
}

// TestScanSharesBlocks checks where a search's events get their JSON: a
// search that delivers every row (no condition tested in Go) leaves each
// event's JSON in its block's bytes, the events of a block one after the
// other, each capped at its end (an append to one cannot overwrite the
// next); a search that tests events in Go copies each (a kept event does
// not keep its block). Both give the JSON inserted.
func TestScanSharesBlocks(t *testing.T) {
	events := backendtest.NewGenerator(backendtest.GenOptions{Seed: 33, Users: 10}).Events(200)
	s := openTemp(t)
	mustInsert(t, s, events)
	want := map[string][]byte{}
	for _, e := range events {
		if want[e.UUID] == nil {
			want[e.UUID] = e.Raw
		}
	}
	checkJSON(t, s, want)
	blocks := countRows(t, s, "raw_blocks")
	residual, err := filter.Parse(`debugContext.debugData.requestUri pr or not (debugContext.debugData.requestUri pr)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		q      backend.Query
		shared bool
	}{
		{"unfiltered", backend.Query{}, true},
		{"by id", backend.Query{Order: backend.ByReceived}, true},
		{"time bounds in SQL", backend.Query{Since: time.Unix(0, 0), Until: time.Now().Add(1000 * time.Hour)}, true},
		{"filter tested in Go", backend.Query{Filter: residual}, false},
		{"time bound tested in Go", backend.Query{Since: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
	} {
		var got []*logevent.Event
		err := s.Search(context.Background(), tt.q, func(e *logevent.Event, _ backend.Cursor) error {
			got = append(got, e)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", tt.name, len(got), len(want))
		}
		adjacent := 0
		for i, e := range got {
			if !bytes.Equal(e.Raw, want[e.UUID]) {
				t.Fatalf("%s: event %s: JSON %.60q, stored %.60q", tt.name, e.UUID, e.Raw, want[e.UUID])
			}
			if tt.shared && cap(e.Raw) != len(e.Raw) {
				t.Errorf("%s: event %s: JSON of %d bytes with room for %d", tt.name, e.UUID, len(e.Raw), cap(e.Raw))
			}
			if prev := got[max(i-1, 0)].Raw; i > 0 && unsafe.Pointer(unsafe.SliceData(e.Raw)) == unsafe.Add(unsafe.Pointer(unsafe.SliceData(prev)), len(prev)) {
				adjacent++
			}
		}
		// All but the first event of each block follow the one before in
		// its bytes.
		if wantAdjacent := len(got) - blocks; tt.shared && adjacent < wantAdjacent {
			t.Errorf("%s: %d events follow the one before in the same bytes, want at least %d", tt.name, adjacent, wantAdjacent)
		}
		if !tt.shared && adjacent > 0 {
			t.Errorf("%s: %d events share bytes with the one before, want copies", tt.name, adjacent)
		}
	}
}
