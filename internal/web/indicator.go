package web

import (
	"context"
	"fmt"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/indicator"
	"github.com/oktascope/oktascope/internal/logevent"
)

// plannedIndicator is a timeline or scope view's state, validated.
type plannedIndicator struct {
	State        indicatorState
	Indicator    indicator.Indicator // the value resolved to a user id for a user
	Filter       filter.Expr         // every event of the indicator
	Since, Until time.Time
}

// planIndicator validates an indicator view's state and builds the filter
// of the indicator's events, as the CLI's timeline does.
func (s *server) planIndicator(ctx context.Context, st indicatorState) (*plannedIndicator, error) {
	p := &plannedIndicator{State: st, Indicator: indicator.Indicator{Kind: indicator.Kind(st.Kind), Value: st.Value}}
	if err := p.Indicator.Validate(); err != nil {
		field := "value"
		if !p.Indicator.Kind.Valid() {
			field = "kind"
		}
		return p, &inputError{Field: field, Msg: fmt.Sprintf("give a user, an IP address or a session (kind=user|ip|session and value=…); %v", err)}
	}
	var err error
	if p.Since, p.Until, err = s.window(st.Since, st.Until); err != nil {
		return p, err
	}
	if p.Indicator, err = s.resolve(ctx, p.Indicator); err != nil {
		return p, err
	}
	p.Filter, err = p.Indicator.Filter()
	return p, err
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
func indicatorPivots(ind indicator.Indicator, st indicatorState) []link {
	pv := pivotsOf(st.Since, st.Until)
	switch ind.Kind {
	case indicator.IP:
		return pv.ipPivots(ind.Value)
	case indicator.Session:
		return pv.sessionPivots(ind.Value)
	}
	return pv.userPivots(ind.Value)
}
