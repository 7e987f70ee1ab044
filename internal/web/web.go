package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/timeline"
)

// Options configure the handler. The zero value serves every loopback
// request with the defaults below.
type Options struct {
	// Token, when not empty, must accompany every request: as
	// "Authorization: Bearer TOKEN", or in the cookie that a link carrying
	// ?token=TOKEN sets once. The caller decides when one is needed (any
	// address other than loopback).
	Token string
	// AllowedHosts are the host names (without port) requests may be
	// addressed to when Token is empty, besides the loopback names
	// (localhost, *.localhost, 127.0.0.0/8, ::1). With a Token any host is
	// accepted.
	AllowedHosts []string
	// PageSize is the number of events on a page of results (default 50,
	// at most MaxPageSize).
	PageSize int
	// Timeout bounds the work of one request (default 30s).
	Timeout time.Duration
	// HistogramBudget bounds the time spent counting a histogram's buckets
	// (default 3s); past it the buckets are shown uncounted.
	HistogramBudget time.Duration
	// MaxTimelineEvents is the most events a timeline or an event list of
	// the timeline view reads (default 5000); beyond, the view says it is
	// truncated.
	MaxTimelineEvents int
	// MaxPageBytes bounds a rendered page or fragment (default
	// DefaultMaxPageBytes); past it the answer is an error saying so.
	MaxPageBytes int
	// MaxAnswerBytes bounds a JSON answer (default DefaultMaxAnswerBytes):
	// a page of events stops short of half of it and links to the next;
	// any other answer past it is an error saying so.
	MaxAnswerBytes int
	// Timeline holds the deviation thresholds of the timeline and scope
	// views (zero fields take timeline's defaults).
	Timeline timeline.Options
	// Now returns the current time, for relative times such as since=24h
	// (default time.Now).
	Now func() time.Time
	// Logger receives errors that are the server's fault (default
	// slog.Default()).
	Logger *slog.Logger
}

// The defaults and limits of Options.
const (
	DefaultPageSize          = 50
	MaxPageSize              = 500
	DefaultTimeout           = 30 * time.Second
	DefaultHistogramBudget   = 3 * time.Second
	DefaultMaxTimelineEvents = 5000
)

func (o Options) withDefaults() Options {
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	o.PageSize = min(o.PageSize, MaxPageSize)
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HistogramBudget <= 0 {
		o.HistogramBudget = DefaultHistogramBudget
	}
	if o.MaxTimelineEvents <= 0 {
		o.MaxTimelineEvents = DefaultMaxTimelineEvents
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = DefaultMaxPageBytes
	}
	if o.MaxAnswerBytes <= 0 {
		o.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	o.Timeline = o.Timeline.WithDefaults()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// server holds what every handler needs.
type server struct {
	st   backend.Reader
	opts Options
	tmpl *templates
}

// New returns the web UI and its JSON API over st, wrapped in Guard. It
// only reads. It does not answer under /api/v1/, which is left to an
// Okta-compatible logs handler mounted beside it.
func New(st backend.Reader, opts Options) http.Handler {
	opts = opts.withDefaults()
	s := &server{st: st, opts: opts, tmpl: mustLoadTemplates()}
	s.tmpl.limit = opts.MaxPageBytes
	return Guard(s.routes(), opts)
}

// routes maps the UI's paths to their handlers (docs/web.md).
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", assetHandler())
	mux.Handle("GET /favicon.ico", http.RedirectHandler(assetURL("favicon.svg"), http.StatusMovedPermanently))
	mux.HandleFunc("GET /{$}", s.page(s.searchPage))
	mux.HandleFunc("GET /hunt", s.page(s.huntPage))
	mux.HandleFunc("GET /timeline", s.page(s.timelinePage))
	mux.HandleFunc("GET /scope", s.page(s.scopePage))
	mux.HandleFunc("GET /event", s.page(s.eventPage))
	mux.HandleFunc("GET /event/raw", s.page(s.eventRaw))
	mux.HandleFunc("GET /ui/histogram", s.page(s.histogramFragment))
	mux.HandleFunc("GET /ui/event", s.page(s.eventFragment))
	mux.HandleFunc("GET /api/search", s.api(s.apiSearch))
	mux.HandleFunc("GET /api/hunt", s.api(s.apiHunt))
	mux.HandleFunc("GET /api/timeline", s.api(s.apiTimeline))
	mux.HandleFunc("GET /api/scope", s.api(s.apiScope))
	mux.HandleFunc("GET /api/histogram", s.api(s.apiHistogram))
	mux.HandleFunc("GET /api/event", s.api(s.apiEvent))
	mux.HandleFunc("GET /api/validate", s.api(s.apiValidate))
	mux.HandleFunc("GET /api/playbooks", s.api(s.apiPlaybooks))
	mux.HandleFunc("/api/v1/", http.NotFound)
	mux.HandleFunc("/", s.page(s.notFound))
	return mux
}

// withTimeout bounds the request's work by Options.Timeout.
func (s *server) withTimeout(r *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
	return r.WithContext(ctx), cancel
}
