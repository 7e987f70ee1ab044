// Package backend is oktascope's storage contract: the query model and the
// reads and writes every command needs, whatever keeps the events. The
// embedded store (internal/store, SQLite, the default) and the ClickHouse
// backend (internal/clickhouse) implement it; the commands, the web UI, the
// Okta-compatible /api/v1/logs and collect use nothing else. Capabilities
// that only some backends have (a bulk load) are separate interfaces, found
// by a type assertion.
//
// Every implementation gives the same answers: the conformance suite in
// internal/backend/backendtest runs the same cases on each (docs/backends.md).
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Order is the order in which Search returns events.
type Order int

const (
	// ByPublished orders by published, ties broken by the backend in a
	// fixed way (the same on every call). This is the order of every
	// listing and of a bounded /api/v1/logs request.
	ByPublished Order = iota
	// ByReceived orders by when the backend stored each event: Okta's
	// persistence order, which a polling /api/v1/logs request (no until)
	// follows, so that a poller never misses an event stored late with an
	// early published time.
	ByReceived
)

// Query selects events. The zero Query selects every event, oldest first.
type Query struct {
	// Filter is an Okta filter expression (nil matches every event),
	// evaluated with the semantics of filter.Compile exactly.
	Filter filter.Expr
	// Keywords is Okta's q: every keyword must occur in the event's text
	// fields (nil or empty matches every event).
	Keywords *filter.Keywords
	// Since and Until bound published: Since inclusive, Until exclusive.
	// The zero time leaves that side unbounded.
	Since, Until time.Time
	// Limit is the most events to return; 0 means no limit.
	Limit int
	// Order and Desc give the order: Desc reverses it (newest first).
	Order Order
	Desc  bool
	// After resumes a listing: only events strictly after this position,
	// in the query's order, are returned. Empty means from the start.
	After Cursor
}

// Cursor is an event's position in a query's order, opaque to everything
// but the backend that made it: a short URL-safe string (letters, digits,
// '.', '-', '_') that a caller hands back in Query.After, unchanged. A
// cursor from a query of one Order is not valid for the other; a backend
// answers an invalid cursor with an error wrapping ErrInvalidCursor.
type Cursor string

// ErrInvalidCursor is wrapped by the error of a Search given a cursor the
// backend cannot read.
var ErrInvalidCursor = errors.New("invalid cursor")

// Stats summarizes a backend's events.
type Stats struct {
	Events int       // number of events
	First  time.Time // earliest published (zero when empty)
	Last   time.Time // latest published (zero when empty)
}

// TypeCount is the number of events of one type.
type TypeCount struct {
	EventType string
	Count     int
}

// UserRef is an Okta id seen with a given alternateId (login), and in how
// many events it appears as the actor and as a target of type User. It is
// the indicator package's, so that every Reader is an indicator.Resolver.
type UserRef = indicator.UserRef

// IPUser is a user (an actor of type User) acting from a client IP address.
type IPUser struct {
	IP   string         // client.ipAddress
	User logevent.Actor // ID, AlternateID and DisplayName of the actor
	// Events counts the user's events from the address; First and Last are
	// the first and last of them.
	Events      int
	First, Last time.Time
}

// Buckets divides time for a histogram: bucket i holds the events published
// in [From + i*Step, From + (i+1)*Step), for i in [0, N).
type Buckets struct {
	From time.Time
	Step time.Duration
	N    int
}

// MaxBuckets is the most buckets a Histogram call may ask for.
const MaxBuckets = 10_000

// Validate reports whether b can be counted: Step > 0, 0 < N <=
// MaxBuckets, and the last bucket's end representable (no overflow).
func (b Buckets) Validate() error {
	switch {
	case b.Step <= 0:
		return errors.New("histogram: bucket width must be positive")
	case b.N <= 0 || b.N > MaxBuckets:
		return errors.New("histogram: bucket count out of range")
	case b.Step > time.Duration(1<<62)/time.Duration(b.N):
		return errors.New("histogram: buckets span too long a time")
	}
	return nil
}

// End is the end of the last bucket (exclusive). b must Validate.
func (b Buckets) End() time.Time { return b.From.Add(b.Step * time.Duration(b.N)) }

// Index returns the bucket that holds t, and false when t is outside every
// bucket. b must Validate.
func (b Buckets) Index(t time.Time) (int, bool) {
	d := t.Sub(b.From) // saturates: far outside either way stays outside
	if d < 0 {
		return 0, false
	}
	i := d / b.Step
	if i >= time.Duration(b.N) {
		return 0, false
	}
	return int(i), true
}

// Reader is what every read-only command needs.
type Reader interface {
	// Search calls fn with each event matching q, in q's order, with its
	// cursor, streaming: the result set is never held in memory. fn runs
	// on the caller's goroutine and may keep the events. Search stops at
	// the first error fn returns and returns that error, and stops when
	// ctx is done.
	Search(ctx context.Context, q Query, fn func(e *logevent.Event, c Cursor) error) error
	// Count returns the number of events matching q (Limit and order are
	// ignored; After applies).
	Count(ctx context.Context, q Query) (int, error)
	// Histogram counts the events matching q (Limit and After ignored;
	// Since and Until apply) in each of b's buckets, in one pass, and
	// returns b.N counts. It fails when b does not Validate.
	Histogram(ctx context.Context, q Query, b Buckets) ([]int, error)
	// Stats returns the number of events and the time range they cover.
	Stats(ctx context.Context) (Stats, error)
	// EventTypeCounts returns how many events of each type are held, most
	// frequent first, then by type.
	EventTypeCounts(ctx context.Context) ([]TypeCount, error)
	// ResolveUser lists the distinct actor.id values, and target.id values
	// of targets of type User, of the events whose matching alternateId is
	// login exactly, with their counts, most frequent first, then by id.
	ResolveUser(ctx context.Context, login string) ([]UserRef, error)
	// IPUsers calls fn with every user (actor of type User) acting from
	// one of ips with published in [since, until) (a zero time leaves that
	// side open), and the number of their events from it, without reading
	// those events one by one where the backend keeps a summary.
	IPUsers(ctx context.Context, ips []string, since, until time.Time, fn func(IPUser) error) error
}

// InsertResult says what Insert did with each event it was given:
// Inserted + Duplicates + len(Conflicts) == len(events) when it returns no
// error.
type InsertResult struct {
	// Inserted counts the events stored.
	Inserted int
	// Duplicates counts the events skipped because an event with the same
	// uuid and the same content was already stored (or came earlier in
	// the same call): re-importing is silent.
	Duplicates int
	// Conflicts lists the events skipped because their uuid was already
	// stored (or came earlier in the same call) with other content. Content
	// is compared decoded: whitespace and key order do not make a
	// conflict.
	Conflicts []Conflict
}

// Conflict is an event whose uuid is held with other content.
type Conflict struct {
	Index  int    // position of the event in Insert's slice
	Stored []byte // the JSON of the event already held under that uuid
}

// Writer stores events.
type Writer interface {
	// Insert stores the events in order, each at most once by uuid (see
	// InsertResult). A call is atomic where the backend allows it, and an
	// error may leave a prefix stored: inserting the same events again
	// completes it without duplicates. Insert must not keep the slice (it
	// may keep the events).
	Insert(ctx context.Context, events []*logevent.Event) (InsertResult, error)
}

// Checkpoints keep, for each collect (an org and a query, named by a key),
// the next link to fetch, beside the events it collected.
type Checkpoints interface {
	// LoadCheckpoint returns the saved link for key; ok is false when
	// there is none.
	LoadCheckpoint(ctx context.Context, key string) (next string, ok bool, err error)
	// SaveCheckpoint records the link for key.
	SaveCheckpoint(ctx context.Context, key, next string) error
	// DeleteCheckpoint forgets key (a finished collect).
	DeleteCheckpoint(ctx context.Context, key string) error
}

// Backend is a place events are kept.
type Backend interface {
	Reader
	Writer
	Checkpoints
	// Location names the backend in messages: a file path, or a DSN
	// without credentials. It never holds a secret.
	Location() string
	// Close releases the backend; it finishes a bulk load left open.
	Close() error
}

// Batcher is a backend that stores events fastest in batches of about
// InsertBatch events per Insert (ClickHouse writes each Insert as parts
// that it merges later: few large ones cost less than many small ones).
type Batcher interface {
	InsertBatch() int
}

// BulkLoader is a backend that loads many events faster when told a large
// load is coming (the embedded store defers its indexes).
type BulkLoader interface {
	// BeginBulk announces a load of about expected events (0: unknown).
	BeginBulk(ctx context.Context, expected int) error
	// EndBulk ends the load; the backend is fully indexed after it.
	EndBulk(ctx context.Context) error
}
