package logevent

import (
	"bytes"
	"testing"

	"github.com/oktascope/oktascope/internal/synth"
)

// synthRecords returns the events of a synthetic org's log, in the shape
// and mix of Okta's, and their total size.
func synthRecords() ([][]byte, int) {
	g := synth.New(synth.Options{Seed: 1, Events: 20000, Incidents: true})
	var records [][]byte
	size := 0
	for {
		raw, ok := g.Next()
		if !ok {
			return records, size
		}
		records = append(records, bytes.Clone(raw)) // Next reuses its buffer
		size += len(raw)
	}
}

// synthEvents returns the synthetic events decoded, and a function that
// makes their debugData as decoding leaves it, not decoded yet.
func synthEvents(b *testing.B) ([]Event, func()) {
	records, _ := synthRecords()
	events := make([]Event, len(records))
	debugData := make([]Object, len(records))
	for i, r := range records {
		if err := DecodeInto(&events[i], r); err != nil {
			b.Fatal(err)
		}
		debugData[i] = events[i].DebugContext.DebugData
	}
	return events, func() {
		for i := range events {
			events[i].DebugContext.DebugData = debugData[i]
		}
	}
}

// BenchmarkDecodeSynth measures decoding throughput over synthetic events.
func BenchmarkDecodeSynth(b *testing.B) {
	records, size := synthRecords()
	benchmarkDecode(b, records, size)
}

// benchmarkDecode decodes records (of size bytes in all) into one Event.
func benchmarkDecode(b *testing.B, records [][]byte, size int) {
	b.SetBytes(int64(size))
	var e Event
	for b.Loop() {
		for _, r := range records {
			if err := DecodeInto(&e, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPathDebugData measures the lookups detections make into the
// debugData of freshly decoded events, whose objects are not decoded yet.
func BenchmarkPathDebugData(b *testing.B) {
	events, reset := synthEvents(b)
	paths := []*Path{
		CompilePath("debugContext.debugData.requestUri"),
		CompilePath("debugContext.debugData.behaviors"),
		CompilePath("debugContext.debugData.risk"),
	}
	found := func(Value) bool { return true }
	for b.Loop() {
		reset()
		for i := range events {
			for _, p := range paths {
				p.Any(&events[i], found)
			}
		}
	}
}

// BenchmarkCompact measures compacting freshly decoded events.
func BenchmarkCompact(b *testing.B) {
	events, reset := synthEvents(b)
	for b.Loop() {
		reset()
		for i := range events {
			events[i].Compact()
		}
	}
}
