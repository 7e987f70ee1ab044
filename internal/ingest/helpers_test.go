package ingest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// memSink is an in-memory backend.Writer that deduplicates by uuid, as the
// store does: an event whose uuid is stored, or came earlier in the same
// batch, is a duplicate, or a conflict when its content differs.
type memSink struct {
	mu      sync.Mutex
	byUUID  map[string]*logevent.Event
	order   []string // uuids in insertion order
	batches []int    // size of each batch
	failAt  int      // when > 0, the failAt-th Insert fails
}

func newMemSink() *memSink { return &memSink{byUUID: map[string]*logevent.Event{}} }

var errSinkFull = errors.New("sink full")

func (s *memSink) Insert(_ context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, len(events))
	var res backend.InsertResult
	if s.failAt > 0 && len(s.batches) == s.failAt {
		return res, errSinkFull
	}
	for i, e := range events {
		if held, dup := s.byUUID[e.UUID]; dup {
			if backend.SameContent(held.Raw, e.Raw) {
				res.Duplicates++
			} else {
				res.Conflicts = append(res.Conflicts, backend.Conflict{Index: i, Stored: held.Raw})
			}
			continue
		}
		s.byUUID[e.UUID] = e
		s.order = append(s.order, e.UUID)
		res.Inserted++
	}
	return res, nil
}

// readAll reads every record of data, cloned.
func readAll(t testing.TB, data []byte) ([]Record, Format, error) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data), "input")
	if err != nil {
		return nil, Format{}, err
	}
	var recs []Record
	err = rd.Read(func(r Record) error {
		recs = append(recs, r.Clone())
		return nil
	})
	return recs, rd.Format(), err
}

// raws returns the Raw text of each record.
func raws(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Raw)
	}
	return out
}

// lines returns the Line of each record.
func lines(recs []Record) []int {
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.Line
	}
	return out
}
