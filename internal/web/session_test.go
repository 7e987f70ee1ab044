package web

import (
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
)

// TestTransactionsAreNotSessions: an event whose externalSessionId is an
// API transaction ("trs…") links to the events of that request, not to a
// session timeline; a session links to its timeline.
func TestTransactionsAreNotSessions(t *testing.T) {
	pv := pivotsOf("", "")
	for _, tt := range []struct {
		session     string
		wantSession bool
	}{{"102GALFw8CzRT2KXoqnca8Jdg", true}, {"trsMbfzx2CUQbSHHBd1sOYKDw", false}} {
		e, err := logevent.Decode([]byte(`{"uuid":"u1","published":"2025-03-03T12:00:00.000Z","eventType":"user.lifecycle.update",` +
			`"actor":{"id":"00u1","type":"User"},"transaction":{"type":"WEB","id":"ZGSHpoOrf0bum-fORGFZ9AAACmw"},` +
			`"authenticationContext":{"externalSessionId":"` + tt.session + `"}}`))
		if err != nil {
			t.Fatal(err)
		}
		r := newRow(e, pv)
		if got := r.SessionURL != ""; got != tt.wantSession || (r.TransactionURL != "") == tt.wantSession {
			t.Errorf("%s: session link %q, transaction link %q", tt.session, r.SessionURL, r.TransactionURL)
		}
		var names []string
		groups, _ := eventPivots(e, pv)
		for _, g := range groups {
			names = append(names, g.Name)
		}
		want := map[bool]string{true: "session", false: "API transaction"}[tt.wantSession]
		if joined := strings.Join(names, "|"); !strings.Contains(joined, want) || (!tt.wantSession && strings.Contains(joined, "session|")) {
			t.Errorf("%s: pivot groups %v, want %q", tt.session, names, want)
		}
	}
}
