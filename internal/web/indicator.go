package web

import (
	"context"
	"fmt"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/scope"
)

// indicatorKinds are the kinds of indicator, in the order the forms list
// them.
var indicatorKinds = []string{string(scope.User), string(scope.IP), string(scope.Session)}

// plannedIndicator is a timeline or scope view's state, validated.
type plannedIndicator struct {
	State        indicatorState
	Indicator    scope.Indicator // the value resolved to a user id for a user
	Filter       filter.Expr     // every event of the indicator
	Since, Until time.Time
}

// planIndicator validates an indicator view's state and builds the filter
// of the indicator's events, as the CLI's timeline does.
func (s *server) planIndicator(ctx context.Context, st indicatorState) (*plannedIndicator, error) {
	p := &plannedIndicator{State: st, Indicator: scope.Indicator{Kind: scope.Kind(st.Kind), Value: st.Value}}
	if err := p.Indicator.Validate(); err != nil {
		field := "value"
		if p.Indicator.Kind != scope.User && p.Indicator.Kind != scope.IP && p.Indicator.Kind != scope.Session {
			field = "kind"
		}
		return p, &inputError{Field: field, Msg: fmt.Sprintf("give a user, an IP address or a session (kind=user|ip|session and value=…); %v", err)}
	}
	var err error
	if p.Since, p.Until, err = s.window(st.Since, st.Until); err != nil {
		return p, err
	}
	if p.Indicator.Kind == scope.User {
		if p.Indicator.Value, err = s.resolveUser(ctx, st.Value); err != nil {
			return p, err
		}
	}
	p.Filter, err = indicatorFilter(p.Indicator)
	return p, err
}

// indicatorFilter is the filter of every event of an indicator.
func indicatorFilter(ind scope.Indicator) (filter.Expr, error) {
	v := filter.Quote(ind.Value)
	switch ind.Kind {
	case scope.IP:
		return filter.Parse("client.ipAddress eq " + v)
	case scope.Session:
		return filter.Parse("authenticationContext.externalSessionId eq " + v)
	}
	return filter.Parse("actor.id eq " + v + " or target.id eq " + v)
}

// indicatorEvents reads up to max events of the indicator, in order, and
// reports whether there were more.
func (s *server) indicatorEvents(ctx context.Context, p *plannedIndicator, max int) ([]*logevent.Event, bool, error) {
	var events []*logevent.Event
	q := backend.Query{Filter: p.Filter, Since: p.Since, Until: p.Until, Limit: max + 1}
	err := s.st.Search(ctx, q, func(e *logevent.Event, _ backend.Cursor) error {
		events = append(events, e)
		return nil
	})
	if len(events) > max {
		return events[:max], true, err
	}
	return events, false, err
}

// indicatorPivots are the links between the views of one indicator.
func indicatorPivots(ind scope.Indicator, st indicatorState) []link {
	pv := pivotsOf(st.Since, st.Until)
	switch ind.Kind {
	case scope.IP:
		return pv.ipPivots(ind.Value)
	case scope.Session:
		return pv.sessionPivots(ind.Value)
	}
	return pv.userPivots(ind.Value)
}
