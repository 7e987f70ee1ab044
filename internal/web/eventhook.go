package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// The Event Hook receiver takes the events an Okta org pushes (Workflow >
// Event Hooks in the Admin Console) and stores them, for watch to detect
// on as they land. It is the one handler of this package that writes, so
// it stands apart from the read-only UI: its own route, its own secret,
// no host check (Okta reaches it under a public name). Okta's contract
// (developer.okta.com/docs/concepts/event-hooks):
//
//   - a one-time GET carrying X-Okta-Verification-Challenge, answered
//     {"verification": "<the header's value>"};
//   - deliveries as POST, {"eventType": "com.okta.event_hook", "eventId",
//     "data": {"events": [LogEvent…]}}, answered 200 or 204, empty, within
//     3 seconds; 5xx is retried once, 4xx never; delivery is at least once
//     (the same events may come again), in no guaranteed order;
//   - every request carries the secret the administrator typed, in a
//     header they named (Authorization by default).

// EventHookPath is where serve mounts the receiver.
const EventHookPath = "/hooks/okta"

// Event Hook defaults.
const (
	// DefaultEventHookHeader is the header Okta sends the secret in
	// unless the administrator names another.
	DefaultEventHookHeader = "Authorization"
	// DefaultEventHookMaxBody bounds a delivery: Okta batches the events
	// of a few seconds, a few KB each.
	DefaultEventHookMaxBody = 8 << 20
	// DefaultEventHookStoreTimeout bounds the store's work on a delivery,
	// well within Okta's 3-second timeout: past it the answer is 503, and
	// Okta sends the delivery again.
	DefaultEventHookStoreTimeout = 2 * time.Second
	// maxChallenge bounds the verification challenge echoed back.
	maxChallenge = 1024
)

// EventHookOptions configure NewEventHook.
type EventHookOptions struct {
	// Secret is the value every request must carry in Header (required).
	Secret string
	// Header names the header (default DefaultEventHookHeader).
	Header string
	// MaxBody bounds a delivery's body (default DefaultEventHookMaxBody);
	// a larger one is refused with 413.
	MaxBody int64
	// StoreTimeout bounds storing a delivery (default
	// DefaultEventHookStoreTimeout).
	StoreTimeout time.Duration
	// Now is the clock that bounds the plausible published times
	// (logevent.CheckPlausible; default time.Now).
	Now func() time.Time
}

// EventHookStats count what a receiver did.
type EventHookStats struct {
	Verifications int64 // verification requests answered
	Deliveries    int64 // deliveries stored
	Events        int64 // events in them
	Inserted      int64 // events stored for the first time
	Duplicates    int64 // events already held (Okta's retries)
	Conflicts     int64 // events whose uuid is held with other content
	Rejected      int64 // requests refused: bad body, wrong method, too large
	Unauthorized  int64 // requests without the secret
	Failed        int64 // deliveries the store could not take in time (503)
}

// EventHook is the receiver: an http.Handler.
type EventHook struct {
	store backend.Writer
	opts  EventHookOptions
	stats struct {
		verifications, deliveries, events, inserted, duplicates, conflicts atomic.Int64
		rejected, unauthorized, failed                                     atomic.Int64
	}
}

// NewEventHook returns a receiver storing deliveries into store.
func NewEventHook(store backend.Writer, opts EventHookOptions) (*EventHook, error) {
	if opts.Secret == "" {
		return nil, errors.New("event hook: no secret: Okta must authenticate every request")
	}
	if opts.Header == "" {
		opts.Header = DefaultEventHookHeader
	}
	if strings.ContainsAny(opts.Header, " \t\r\n:") {
		return nil, fmt.Errorf("event hook: %q is not a header name", opts.Header)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultEventHookMaxBody
	}
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = DefaultEventHookStoreTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &EventHook{store: store, opts: opts}, nil
}

// Stats returns the counts so far.
func (h *EventHook) Stats() EventHookStats {
	s := &h.stats
	return EventHookStats{
		Verifications: s.verifications.Load(), Deliveries: s.deliveries.Load(), Events: s.events.Load(),
		Inserted: s.inserted.Load(), Duplicates: s.duplicates.Load(), Conflicts: s.conflicts.Load(),
		Rejected: s.rejected.Load(), Unauthorized: s.unauthorized.Load(), Failed: s.failed.Load(),
	}
}

// ServeHTTP checks the secret on every request, wherever it comes from,
// then answers the verification or stores the delivery.
func (h *EventHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if !equalSecret(r.Header.Get(h.opts.Header), h.opts.Secret) {
		h.stats.unauthorized.Add(1)
		plainError(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.deliver(w, r)
	default:
		h.stats.rejected.Add(1)
		w.Header().Set("Allow", "GET, POST")
		plainError(w, http.StatusMethodNotAllowed, "an Okta Event Hook takes GET (verification) and POST (deliveries)")
	}
}

// verify answers Okta's one-time verification request.
func (h *EventHook) verify(w http.ResponseWriter, r *http.Request) {
	challenge := r.Header.Get("X-Okta-Verification-Challenge")
	if challenge == "" || len(challenge) > maxChallenge {
		h.stats.rejected.Add(1)
		plainError(w, http.StatusBadRequest, "no X-Okta-Verification-Challenge header (or a longer one than Okta sends)")
		return
	}
	body, err := json.Marshal(map[string]string{"verification": challenge})
	if err != nil {
		plainError(w, http.StatusInternalServerError, "internal error")
		return
	}
	h.stats.verifications.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// deliver stores a delivery's events, then answers 200: a 200 means
// every event is stored, so that Okta's retry of a failure (503) is what
// completes it, and a retry of a success stores nothing twice.
func (h *EventHook) deliver(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.stats.rejected.Add(1)
		plainError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a delivery may hold at most %d bytes", h.opts.MaxBody))
		return
	case err != nil:
		h.stats.rejected.Add(1)
		plainError(w, http.StatusBadRequest, "the body could not be read")
		return
	}
	events, err := ParseEventHookDelivery(body, h.opts.Now())
	if err != nil {
		h.stats.rejected.Add(1)
		plainError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.StoreTimeout)
	defer cancel()
	res, err := h.store.Insert(ctx, events)
	if err != nil {
		h.stats.failed.Add(1)
		w.Header().Set("Retry-After", "1")
		plainError(w, http.StatusServiceUnavailable, "the events could not be stored: send again")
		return
	}
	s := &h.stats
	s.deliveries.Add(1)
	s.events.Add(int64(len(events)))
	s.inserted.Add(int64(res.Inserted))
	s.duplicates.Add(int64(res.Duplicates))
	s.conflicts.Add(int64(len(res.Conflicts)))
	w.WriteHeader(http.StatusOK)
}

// ParseEventHookDelivery reads the events of an Event Hook delivery:
// data.events, an array of System Log events, each of which must decode
// (uuid, eventType, published) and be published within
// logevent.PlausibleRange(now). The error names the first event at fault
// and its field; a delivery with any bad event is refused whole.
func ParseEventHookDelivery(body []byte, now time.Time) ([]*logevent.Event, error) {
	var d struct {
		Data *struct {
			Events *[]json.RawMessage `json:"events"`
		} `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("the body is not an Event Hook delivery: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the body holds more than one JSON value")
	}
	if d.Data == nil || d.Data.Events == nil {
		return nil, errors.New("the body has no data.events array")
	}
	raws := *d.Data.Events
	events := make([]*logevent.Event, 0, len(raws))
	for i, raw := range raws {
		e, err := logevent.Decode(bytes.Clone(raw))
		if err == nil {
			err = logevent.CheckPlausible(e, now)
		}
		if err != nil {
			return nil, fmt.Errorf("data.events[%d]: %v", i, err)
		}
		events = append(events, e)
	}
	return events, nil
}
