package web

import (
	"context"

	"github.com/oktascope/oktascope/internal/backend"
	hist "github.com/oktascope/oktascope/internal/histogram"
)

// MaxBuckets is the most bars a histogram has.
const MaxBuckets = hist.MaxBuckets

// The instants a histogram covers, and the range of since and until: a
// time parameter outside it is a 400 (parseWhen).
var (
	earliestTime = hist.Earliest
	latestTime   = hist.Latest
)

// histogram and bucket are the shared histogram's (internal/histogram).
type (
	histogram = hist.Histogram
	bucket    = hist.Bucket
)

// newBuckets is hist.NewBuckets.
var newBuckets = hist.NewBuckets

// histogram counts the events matching q over time (hist.Count), within
// Options.HistogramBudget.
func (s *server) histogram(ctx context.Context, q backend.Query) (*histogram, error) {
	return hist.Count(ctx, s.st, q, MaxBuckets, s.opts.HistogramBudget)
}
