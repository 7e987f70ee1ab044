//go:build race

package ingest

// raceEnabled shrinks the memory tests under the race detector, which
// slows them tenfold.
const raceEnabled = true
