package logevent

import (
	"fmt"
	"time"
)

// MaxFutureSkew is how far after the reader's clock a published time may
// be: a day, more than any skew between Okta's clock and the machine that
// imports, collects or receives the event.
const MaxFutureSkew = 24 * time.Hour

// PlausibleRange returns the published times oktascope accepts at now,
// both ends included: import, collect and the Event Hook receiver refuse
// events outside it. Okta was founded in 2009, so no System Log holds an earlier
// event; and Okta stamps an event when it records it, so none is in the
// future but for clock skew. An event outside the range is forged or
// corrupt, and would stretch every time-based view (histograms, timelines,
// windows) across centuries.
func PlausibleRange(now time.Time) (earliest, latest time.Time) {
	return time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), now.Add(MaxFutureSkew)
}

// CheckPlausible returns a *FieldError for published when e was published
// outside PlausibleRange(now).
func CheckPlausible(e *Event, now time.Time) error {
	earliest, latest := PlausibleRange(now)
	switch {
	case e.Time.Before(earliest):
		return &FieldError{Field: "published", Reason: fmt.Sprintf("%q is before %s: older than any Okta System Log",
			e.Published, earliest.Format(time.DateOnly))}
	case e.Time.After(latest):
		return &FieldError{Field: "published", Reason: fmt.Sprintf("%q is more than a day after this machine's clock (%s)",
			e.Published, now.UTC().Format(time.RFC3339))}
	}
	return nil
}
