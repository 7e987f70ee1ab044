package ingest

import (
	"fmt"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// MaxFutureSkew is how far after the import's clock a published time may
// be: a day, more than any skew between Okta's clock and the importing
// machine's.
const MaxFutureSkew = 24 * time.Hour

// PlausibleRange returns the published times import accepts at now, both
// ends included. Okta was founded in 2009, so no System Log holds an earlier
// event; and Okta stamps an event when it records it, so none is in the
// future but for clock skew. An event outside the range is forged or
// corrupt, and would stretch every time-based view (histograms, timelines,
// windows) across centuries.
func PlausibleRange(now time.Time) (earliest, latest time.Time) {
	return time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(MaxFutureSkew)
}

// CheckPlausible returns a *logevent.FieldError for published when e was
// published outside PlausibleRange(now).
func CheckPlausible(e *logevent.Event, now time.Time) error {
	earliest, latest := PlausibleRange(now)
	switch {
	case e.Time.Before(earliest):
		return &logevent.FieldError{Field: "published", Reason: fmt.Sprintf("%q is before %s: older than any Okta System Log",
			e.Published, earliest.Format(time.DateOnly))}
	case e.Time.After(latest):
		return &logevent.FieldError{Field: "published", Reason: fmt.Sprintf("%q is more than a day after the import's clock (%s)",
			e.Published, now.UTC().Format(time.RFC3339))}
	}
	return nil
}
