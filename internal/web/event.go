package web

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
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
	if len(uuid) > maxPivotValue {
		return ""
	}
	v := url.Values{"uuid": {uuid}}
	if pv.Since != "" {
		v.Set("since", pv.Since)
	}
	if pv.Until != "" {
		v.Set("until", pv.Until)
	}
	return withQuery("/ui/event", v)
}

// rawEventURL is the address of an event's raw JSON as a download.
func rawEventURL(uuid string) string {
	if len(uuid) > maxPivotValue {
		return ""
	}
	return withQuery("/event/raw", url.Values{"uuid": {uuid}})
}

// eventRaw serves /event/raw: the event's original bytes as a file to save,
// never a page to render: Content-Disposition attachment, a JSON content
// type with nosniff (Guard), and a file name made only of safe characters.
func (s *server) eventRaw(w http.ResponseWriter, r *http.Request) error {
	e, err := s.eventByUUID(r.Context(), r.URL.Query().Get("uuid"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rawFileName(e.UUID)}))
	h.Set("Content-Length", strconv.Itoa(len(e.Raw)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.Raw) // the client left: nothing more to say
	}
	return nil
}

// rawFileName is the name a downloaded event is saved under: event- and
// the uuid's letters, digits, dashes and underscores (at most 64).
func rawFileName(uuid string) string {
	safe := []byte("event-")
	for i := 0; i < len(uuid) && len(safe) < 70; i++ {
		if c := uuid[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			safe = append(safe, c)
		}
	}
	return string(safe) + ".json"
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
