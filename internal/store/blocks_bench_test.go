package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/oktascope/oktascope/internal/logevent"
)

// BenchmarkBlockDecode measures decompressing one block of raw JSON, what
// a search reading events here and there pays per event: the blocks of
// the store named by OKTASCOPE_BENCH_DB (a bench/run.sh store), or of a
// store of 50,000 generated events. "zstd" is the store's codec; the
// others re-encode the same blocks' JSON to compare: s2 with the same
// dictionary, and zstd into a buffer kept from block to block.
func BenchmarkBlockDecode(b *testing.B) {
	path := os.Getenv("OKTASCOPE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "blocks.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		g := benchSynth(50_000)
		load(b, s, true, func(int) []*logevent.Event { return nextEvents(g, benchBatch) })
		s.Close()
	}
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	rows, err := s.read.QueryContext(ctx, "SELECT data FROM raw_blocks WHERE id % 97 = 1 LIMIT 2000")
	if err != nil {
		b.Fatal(err)
	}
	var blocks [][]byte
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			b.Fatal(err)
		}
		blocks = append(blocks, data)
	}
	rows.Close()
	if len(blocks) == 0 {
		b.Fatal("no blocks")
	}
	plain := make([][]byte, len(blocks))
	size := 0
	for i, data := range blocks {
		if plain[i], err = s.codec.decode(data); err != nil {
			b.Fatal(err)
		}
		size += len(plain[i])
	}
	dicts, err := loadDicts(ctx, s.read)
	if err != nil {
		b.Fatal(err)
	}
	var dictID uint32
	for id := range dicts {
		dictID = max(dictID, id)
	}
	run := func(b *testing.B, decode func(i int) error) {
		cpu := cpuTime()
		i := 0
		for b.Loop() {
			if err := decode(i % len(blocks)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(size)/float64(len(blocks)), "plain-bytes/block")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/block")
	}
	b.Run("zstd", func(b *testing.B) {
		run(b, func(i int) error { _, err := s.codec.decode(blocks[i]); return err })
	})
	b.Run("zstd-reused-buffer", func(b *testing.B) {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderDictRaw(dictID, dicts[dictID]), zstd.IgnoreChecksum(true))
		if err != nil {
			b.Fatal(err)
		}
		defer dec.Close()
		buf := make([]byte, 0, 1<<20)
		run(b, func(i int) error { _, err := dec.DecodeAll(blocks[i], buf[:0]); return err })
	})
	b.Run("s2-dict", func(b *testing.B) {
		d := s2.MakeDict(dicts[dictID], nil)
		if d == nil {
			b.Fatal("no s2 dictionary")
		}
		enc := make([][]byte, len(plain))
		csize := 0
		for i, p := range plain {
			enc[i] = d.EncodeBetter(nil, p)
			csize += len(enc[i])
		}
		buf := make([]byte, 0, 1<<20)
		run(b, func(i int) error { _, err := d.Decode(buf[:cap(buf)], enc[i]); return err })
		b.ReportMetric(float64(csize)/float64(len(blocks)), "bytes/block")
	})
	b.Run("zstd-half-blocks", func(b *testing.B) {
		enc, _ := s.codec.encoder()
		half := make([][]byte, len(plain))
		for i, p := range plain {
			half[i] = enc.EncodeAll(p[:len(p)/2], nil)
		}
		run(b, func(i int) error { _, err := s.codec.decode(half[i]); return err })
	})
	b.Run("s2-dict-best", func(b *testing.B) {
		d := s2.MakeDict(dicts[dictID], nil)
		enc := make([][]byte, len(plain))
		csize := 0
		for i, p := range plain {
			enc[i] = d.EncodeBest(nil, p)
			csize += len(enc[i])
		}
		buf := make([]byte, 0, 1<<20)
		run(b, func(i int) error { _, err := d.Decode(buf[:cap(buf)], enc[i]); return err })
		b.ReportMetric(float64(csize)/float64(len(blocks)), "bytes/block")
	})
	b.Run("encode", func(b *testing.B) {
		d := s2.MakeDict(dicts[dictID], nil)
		enc, _ := s.codec.encoder()
		for _, c := range []struct {
			name string
			f    func(p []byte) []byte
		}{
			{"zstd-fastest", func(p []byte) []byte { return enc.EncodeAll(p, nil) }},
			{"s2-better", func(p []byte) []byte { return d.EncodeBetter(nil, p) }},
			{"s2-best", func(p []byte) []byte { return d.EncodeBest(nil, p) }},
		} {
			b.Run(c.name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					c.f(plain[i%len(plain)])
					i++
				}
				b.ReportMetric(float64(size)/float64(len(plain))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
			})
		}
	})
	zsize := 0
	for _, data := range blocks {
		zsize += len(data)
	}
	b.Logf("%d blocks, zstd %d bytes/block, plain %d", len(blocks), zsize/len(blocks), size/len(blocks))
	_ = sql.ErrNoRows
}
