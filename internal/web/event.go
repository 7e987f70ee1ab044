package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/logevent"
)

// errNoEvent is the error of a uuid the store does not hold.
var errNoEvent = errors.New("no event with this uuid in the store")

// eventByUUID finds one event.
func (s *server) eventByUUID(ctx context.Context, uuid string) (*logevent.Event, error) {
	uuid = strings.TrimSpace(uuid)
	if uuid == "" {
		return nil, &inputError{Field: "uuid", Msg: "give an event's uuid"}
	}
	expr, err := filter.Parse("uuid eq " + filter.Quote(uuid))
	if err != nil {
		return nil, &inputError{Field: "uuid", Msg: err.Error()}
	}
	var found *logevent.Event
	err = s.st.Search(ctx, backend.Query{Filter: expr, Limit: 1}, func(e *logevent.Event, _ backend.Cursor) error {
		found = e
		return nil
	})
	if err == nil && found == nil {
		err = errNoEvent
	}
	return found, err
}

// detailURL is the fragment of an event's expanded row.
func detailURL(uuid string, pv pivots) string {
	v := url.Values{"uuid": {uuid}}
	if pv.Since != "" {
		v.Set("since", pv.Since)
	}
	if pv.Until != "" {
		v.Set("until", pv.Until)
	}
	return withQuery("/ui/event", v)
}

// eventView is the page of one event.
type eventView struct {
	Layout layout
	Detail *eventDetail
	Row    eventRow
}

// eventPage serves /event: one event, its JSON and its pivots.
func (s *server) eventPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	e, err := s.eventByUUID(r.Context(), q.Get("uuid"))
	if err != nil {
		return err
	}
	pv := pivotsOf(q.Get("since"), q.Get("until"))
	v := &eventView{Layout: s.layout(r.Context(), "Event "+show(e.UUID), "search"), Detail: newDetail(e, pv), Row: newRow(e, pv)}
	return s.tmpl.render(w, http.StatusOK, "event", v)
}

// eventFragment serves /ui/event: an event's expanded row, for the script.
func (s *server) eventFragment(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	e, err := s.eventByUUID(r.Context(), q.Get("uuid"))
	if err != nil {
		return err
	}
	return s.tmpl.render(w, http.StatusOK, "detail", newDetail(e, pivotsOf(q.Get("since"), q.Get("until"))))
}
