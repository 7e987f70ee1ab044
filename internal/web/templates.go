package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/oktascope/oktascope/internal/render"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are rendered as whole pages (their file and layout.html), fragments
// as HTML the script inserts (defined in partials.html, which every page
// may use too).
var (
	pages     = []string{"search", "timeline", "scope", "event", "error"}
	fragments = []string{"histogram", "detail"}
)

// templates holds one parsed template set per page or fragment.
type templates struct {
	byName map[string]*template.Template
	limit  int // the most bytes a page may have (0: no limit)
}

var templateFuncs = template.FuncMap{
	"show":       show,
	"thousands":  render.Thousands,
	"stamp":      func(t time.Time) string { return t.UTC().Format(fullTime) },
	"short":      shortID,
	"join":       strings.Join,
	"asset":      assetURL,
	"definition": definitionOf,
	"picture":    render.PictureHTML,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

// mustLoadTemplates parses the embedded templates; they are part of the
// binary, so an error is a bug (TestTemplates reports it).
func mustLoadTemplates() *templates {
	t, err := loadTemplates()
	if err != nil {
		panic(err)
	}
	return t
}

func loadTemplates() (*templates, error) {
	base, err := template.New("base").Funcs(templateFuncs).ParseFS(templateFS, "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	t := &templates{byName: map[string]*template.Template{}}
	for _, name := range fragments {
		t.byName[name] = base
	}
	for _, name := range pages {
		set := template.Must(base.Clone())
		if _, err := set.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		t.byName[name] = set
	}
	return t, nil
}

// render executes a page or fragment into a buffer, then writes it with
// its status, so that a failing template never sends half a page. A page
// past the limit stops rendering there and is a *tooLargeError.
func (t *templates) render(w http.ResponseWriter, status int, name string, data any) error {
	set, ok := t.byName[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	limit := t.limit
	if limit <= 0 {
		limit = math.MaxInt
	}
	buf := &boundedBuffer{limit: limit}
	if err := set.ExecuteTemplate(buf, name, data); err != nil {
		if errors.Is(err, errTooLarge) {
			return &tooLargeError{What: "page", Limit: limit}
		}
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.buf)
	return err
}

// layout is what every page's frame shows.
type layout struct {
	Title string
	Nav   string // the active section: search, timeline, scope
	Stats string // the store's size and time span
	// Pictures loads the pictures' script and CSS (the timeline and scope
	// pages).
	Pictures bool
}

// layout is the frame of a page: its title, its section and the store's size.
func (s *server) layout(ctx context.Context, title, nav string) layout {
	l := layout{Title: title, Nav: nav}
	st, err := s.st.Stats(ctx)
	switch {
	case err != nil:
		l.Stats = "store unavailable"
	case st.Events == 0:
		l.Stats = "empty store"
	default:
		l.Stats = fmt.Sprintf("%s events · %s → %s UTC", render.Thousands(st.Events),
			st.First.UTC().Format("2006-01-02 15:04"), st.Last.UTC().Format("2006-01-02 15:04"))
	}
	return l
}

// pictureLayout is the frame of a page that draws pictures.
func (s *server) pictureLayout(ctx context.Context, title, nav string) layout {
	l := s.layout(ctx, title, nav)
	l.Pictures = true
	return l
}

// errorView is the page of an error.
type errorView struct {
	Layout  layout
	Status  int
	Message string
}

// page adapts a page handler: it bounds its time and renders its error.
func (s *server) page(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, cancel := s.withTimeout(r)
		defer cancel()
		if err := h(w, r); err != nil {
			status, msg := s.classify(r, err)
			if strings.HasPrefix(r.URL.Path, "/ui/") { // a fragment: the script shows the text
				plainError(w, status, msg)
				return
			}
			v := errorView{Layout: s.layout(r.Context(), "Error", ""), Status: status, Message: msg}
			if rerr := s.tmpl.render(w, status, "error", v); rerr != nil {
				plainError(w, status, msg)
			}
		}
	}
}

// classify maps an error to a status and a message the user may see.
func (s *server) classify(r *http.Request, err error) (int, string) {
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		return http.StatusBadRequest, ie.Error()
	case errors.Is(err, errTooLarge):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, errNoEvent):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, errNotFound):
		return http.StatusNotFound, "no such page"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, fmt.Sprintf("the query took longer than %v: narrow the time range or the filter", s.opts.Timeout)
	case errors.Is(err, context.Canceled):
		return 499, "request cancelled"
	}
	s.opts.Logger.Error("web: request failed", "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error: " + err.Error()
}

// asInputError reports whether err is the user's mistake.
func asInputError(err error) (*inputError, bool) {
	var ie *inputError
	ok := errors.As(err, &ie)
	return ie, ok
}

var errNotFound = errors.New("not found")

func (s *server) notFound(http.ResponseWriter, *http.Request) error { return errNotFound }
