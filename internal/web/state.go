package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// searchState is the state of a search or hunt view: everything the page
// shows is a function of it, and it is all in the URL's query string.
type searchState struct {
	Filter   string   // Okta filter expression (search)
	Keywords string   // Okta's q
	Since    string   // as typed: RFC 3339, a date, or a duration ago
	Until    string   // as typed
	Order    string   // "desc" (newest first, the default) or "asc"
	After    string   // store cursor of the last event of the previous page
	Page     int      // 1-based number of the page (for display)
	Limit    int      // events per page; 0 means the server's default
	Open     []string // uuids of the events shown expanded
	Playbook string   // hunt: the playbook's name
	Value    string   // hunt: the user, IP or session
}

// readSearchState reads a view's state from a query string. Unknown
// parameters are ignored; values are validated when the query is built.
func readSearchState(v url.Values) searchState {
	s := searchState{
		Filter: v.Get("filter"), Keywords: v.Get("q"),
		Since: strings.TrimSpace(v.Get("since")), Until: strings.TrimSpace(v.Get("until")),
		Order: v.Get("order"), After: v.Get("after"),
		Open: openIDs(v["open"]), Playbook: v.Get("playbook"), Value: strings.TrimSpace(v.Get("value")),
	}
	if s.Order != "asc" {
		s.Order = "desc"
	}
	s.Page, _ = strconv.Atoi(v.Get("page"))
	s.Page = max(s.Page, 1)
	s.Limit, _ = strconv.Atoi(v.Get("limit"))
	s.Limit = max(s.Limit, 0)
	return s
}

// openIDs keeps the first maxOpen distinct uuids of open= that could be a
// uuid (at most maxIDLength bytes): every row's link repeats the list, so
// 9,000 of them would otherwise cost each row 9,000 uuids.
func openIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if len(out) == maxOpen {
			break
		}
		if id != "" && len(id) <= maxIDLength && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// values encodes the state, leaving out what has its default value, so that
// equal states give equal URLs.
func (s searchState) values() url.Values {
	v := url.Values{}
	set := func(key, value string) {
		if value != "" {
			v.Set(key, value)
		}
	}
	set("playbook", s.Playbook)
	set("value", s.Value)
	set("filter", s.Filter)
	set("q", s.Keywords)
	set("since", s.Since)
	set("until", s.Until)
	if s.Order == "asc" {
		v.Set("order", "asc")
	}
	set("after", s.After)
	if s.Page > 1 {
		v.Set("page", strconv.Itoa(s.Page))
	}
	if s.Limit > 0 {
		v.Set("limit", strconv.Itoa(s.Limit))
	}
	for _, id := range s.Open {
		v.Add("open", id)
	}
	return v
}

// path is the view's route: /hunt for a playbook, / for a search.
func (s searchState) path() string {
	if s.Playbook != "" {
		return "/hunt"
	}
	return "/"
}

// URL is the address of the view in this state.
func (s searchState) URL() string { return withQuery(s.path(), s.values()) }

// firstPage is the state's first page, rows collapsed.
func (s searchState) firstPage() searchState {
	s.After, s.Page, s.Open = "", 1, nil
	return s
}

// isOpen reports whether the event's row is expanded.
func (s searchState) isOpen(uuid string) bool { return slices.Contains(s.Open, uuid) }

// toggled is the state with the event's row expanded or collapsed.
func (s searchState) toggled(uuid string) searchState {
	if s.isOpen(uuid) {
		s.Open = slices.DeleteFunc(slices.Clone(s.Open), func(id string) bool { return id == uuid })
	} else {
		keep := s.Open
		if len(keep) >= maxOpen { // the oldest closes
			keep = keep[len(keep)-maxOpen+1:]
		}
		s.Open = append(slices.Clone(keep), uuid)
	}
	return s
}

// withQuery joins a path and a query string.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// indicatorState is the state of a timeline or scope view.
type indicatorState struct {
	Kind  string // user, ip or session
	Value string // the user id or login, the address, the session id
	Since string
	Until string
	Depth int // scope only: pivots through shared IPs and sessions
	// MaxShared is scope's limit on the users of a link followed through,
	// as given ("" is scope's default, "0" no limit).
	MaxShared string
}

func readIndicatorState(v url.Values) indicatorState {
	s := indicatorState{
		Kind: v.Get("kind"), Value: strings.TrimSpace(v.Get("value")),
		Since: strings.TrimSpace(v.Get("since")), Until: strings.TrimSpace(v.Get("until")),
		MaxShared: strings.TrimSpace(v.Get("maxShared")),
	}
	s.Depth, _ = strconv.Atoi(v.Get("depth"))
	return s
}

func (s indicatorState) values() url.Values {
	v := url.Values{"kind": {s.Kind}, "value": {s.Value}}
	if s.Since != "" {
		v.Set("since", s.Since)
	}
	if s.Until != "" {
		v.Set("until", s.Until)
	}
	if s.Depth > 1 {
		v.Set("depth", strconv.Itoa(s.Depth))
	}
	if s.MaxShared != "" {
		v.Set("maxShared", s.MaxShared)
	}
	return v
}
