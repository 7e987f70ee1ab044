package backend

import (
	"context"
	"time"
)

// StoredFinding is a finding of oktascope watch as a backend keeps it:
// what identifies and orders it, its state, and the alert itself as JSON
// (the backend does not read it).
type StoredFinding struct {
	// Watch names the watch that found it (several may share a backend).
	Watch string
	// ID is the finding's identity (detect.Finding.ID).
	ID             string
	Rule           string
	IndicatorKind  string
	IndicatorValue string
	// Start and End span the events the finding cites.
	Start, End time.Time
	// Version is 1 when the finding is first stored and grows by one each
	// time it grows (more events cited): each version is alerted once.
	Version int
	// Final is set once the finding can no longer change.
	Final bool
	// Detected is when the watch first found it, Updated when it last
	// changed (wall-clock times).
	Detected, Updated time.Time
	// Body is the alert as JSON.
	Body []byte
}

// FindingStore is a backend that keeps the findings of oktascope watch, and
// which version of each its outputs have acknowledged, so that a restarted
// watch neither repeats an alert nor loses one. It is optional: a backend
// that has it says so by a type assertion.
type FindingStore interface {
	// PutFinding stores f, replacing the finding of the same Watch and ID,
	// and marks its Version due to each of outputs that has not
	// acknowledged it.
	PutFinding(ctx context.Context, f StoredFinding, outputs []string) error
	// Findings calls fn with the findings of watch whose End is at or
	// after since, in order of End.
	Findings(ctx context.Context, watch string, since time.Time, fn func(StoredFinding) error) error
	// Due calls fn with the findings of watch whose latest version output
	// has not acknowledged, in order of Updated, and the version it did
	// acknowledge (0: none).
	Due(ctx context.Context, watch, output string, fn func(f StoredFinding, acknowledged int) error) error
	// Acknowledge records that output has version of the finding id (a
	// version older than the one acknowledged already changes nothing).
	Acknowledge(ctx context.Context, watch, id, output string, version int) error
}
