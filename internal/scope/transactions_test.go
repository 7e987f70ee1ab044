package scope

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/scope/scopetest"
)

// TestTransactionsAreNotSessions: a user's calls with an API token carry a
// "trs…" id per request in externalSessionId. They are listed as API
// transactions, not sessions, and the scope does not pivot through them:
// another user whose request got the same id is not related.
func TestTransactionsAreNotSessions(t *testing.T) {
	ev := newEvents(t)
	ev.signin(0, alice, home, "102A1")
	for i, id := range []string{"trsT1", "trsT2", "trsT3"} {
		ev.add(600+60*i, "user.lifecycle.update", alice, office, id, &bob, "")
	}
	ev.add(700, "system.org.rate_limit.warning", dave, bobHome, "trsT2", nil, "")
	s := &scopetest.Searcher{Events: ev.list}
	r, err := Run(context.Background(), s, indicatorOf(indicator.User, alice.id), 1)
	if err != nil {
		t.Fatal(err)
	}
	var sessions, trans []string
	for _, x := range r.Sessions {
		sessions = append(sessions, x.ID)
	}
	for _, x := range r.Transactions {
		trans = append(trans, x.ID)
		if x.Events != 1 || !slices.Equal(x.Users, []string{alice.login}) {
			t.Errorf("transaction %+v", x)
		}
	}
	if !slices.Equal(sessions, []string{"102A1"}) || !slices.Equal(trans, []string{"trsT1", "trsT2", "trsT3"}) {
		t.Errorf("sessions %v, transactions %v", sessions, trans)
	}
	for _, q := range s.Queries {
		if strings.Contains(q, "trs") {
			t.Errorf("searched a transaction as a session: %s", q)
		}
	}
	for _, u := range r.Related {
		if u.ID == dave.id {
			t.Errorf("dave related through a transaction id: %+v", u)
		}
	}
}
