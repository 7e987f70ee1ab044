package store

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/oktascope/oktascope/internal/logevent"
)

// BenchmarkBlockDecode measures compressing and decompressing one block
// of raw JSON (decompressing is what a search reading events here and
// there pays per event), for the store's codec (s2 with the store's
// dictionary), s2's better (slower) compression, and zstd with the same
// dictionary (the previous codec), in blocks as the store cuts them and in blocks of half as many
// events. The blocks' JSON comes from the store named by
// OKTASCOPE_BENCH_DB (a bench/run.sh store), or from a store of 50,000
// generated events.
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
	var plain [][]byte
	size := 0
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			b.Fatal(err)
		}
		p, err := s.codec.decode(data)
		if err != nil {
			b.Fatal(err)
		}
		plain = append(plain, p)
		size += len(p)
	}
	rows.Close()
	if len(plain) < 2 {
		b.Fatalf("%d blocks", len(plain))
	}
	dicts, err := loadDicts(ctx, s.read)
	if err != nil {
		b.Fatal(err)
	}
	var dictID uint32
	for id := range dicts {
		dictID = max(dictID, id)
	}
	zenc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithEncoderCRC(false), zstd.WithEncoderDictRaw(dictID, dicts[dictID]))
	if err != nil {
		b.Fatal(err)
	}
	defer zenc.Close()
	senc, _ := s.codec.encoder()
	codecs := []struct {
		name   string
		encode func([]byte) []byte
	}{
		{"s2", senc.encode},
		{"s2-better", func(p []byte) []byte {
			return append([]byte{s2Tag, byte(senc.id)}, senc.dict.EncodeBetter(nil, p)...)
		}},
		{"zstd", func(p []byte) []byte { return zenc.EncodeAll(p, nil) }},
	}
	for _, c := range codecs {
		for _, half := range []bool{false, true} {
			name := c.name + map[bool]string{false: "", true: "/half-blocks"}[half]
			var blocks [][]byte
			compressed, plainSize := 0, 0
			for _, p := range plain {
				if half {
					p = p[:len(p)/2]
				}
				blocks = append(blocks, c.encode(p))
				compressed += len(blocks[len(blocks)-1])
				plainSize += len(p)
			}
			b.Run("decode/"+name, func(b *testing.B) {
				cpu := cpuTime()
				i := 0
				for b.Loop() {
					if _, err := s.codec.decode(blocks[i%len(blocks)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/block")
				b.ReportMetric(float64(plainSize)/float64(len(blocks)), "plain-bytes/block")
				b.ReportMetric(float64(plainSize)/float64(compressed), "ratio")
			})
			if half {
				continue
			}
			b.Run("encode/"+name, func(b *testing.B) {
				i := 0
				for b.Loop() {
					c.encode(plain[i%len(plain)])
					i++
				}
				b.ReportMetric(float64(size)/float64(len(plain))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
			})
		}
	}
}
