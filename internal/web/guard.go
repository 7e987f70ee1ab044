package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// ContentSecurityPolicy is the policy every response carries: scripts,
// styles, fetches and form targets from this origin only, no inline script
// or style, no frames, no plugins, images from this origin or data: URLs.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// TokenCookie is the name of the cookie a ?token= link sets.
const TokenCookie = "oktascope_session"

// Guard wraps h with what every response of the UI needs, so that a
// handler mounted beside it (the Okta-compatible /api/v1/logs) can share
// it: security headers (Content-Security-Policy, nosniff, no-referrer, no
// framing, no caching of evidence), read-only methods (anything but GET
// and HEAD is 405), no requests that another site's page made (403; see
// fromAnotherSite), the host check of a server without a token (only
// loopback names and Options.AllowedHosts, against DNS rebinding), and the
// token when Options.Token is set.
func Guard(h http.Handler, opts Options) http.Handler {
	g := &guard{next: h, opts: opts}
	if opts.Token != "" {
		g.cookie = cookieValue(opts.Token)
	}
	return g
}

type guard struct {
	next   http.Handler
	opts   Options
	cookie string // the cookie value that proves the token; "" without one
}

// ServeHTTP applies the guard, then serves the request with the wrapped handler.
func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plainError(w, http.StatusMethodNotAllowed, "read-only: only GET and HEAD are allowed")
		return
	}
	if fromAnotherSite(r) {
		plainError(w, http.StatusForbidden, "refused: a page of another site asked for this (an image, a script or a fetch); open oktascope's pages directly")
		return
	}
	if g.opts.Token == "" {
		if !g.hostAllowed(r.Host) {
			plainError(w, http.StatusMisdirectedRequest, "this server answers only requests addressed to a loopback host name")
			return
		}
		g.next.ServeHTTP(w, r)
		return
	}
	g.authorize(w, r)
}

// fromAnotherSite reports a request that a page of another site made
// behind the analyst's back, as the browser's Fetch Metadata tells it
// (Sec-Fetch-Site cross-site or same-site, for an image, a script, a
// fetch, a frame): any web page can point <img src> at a loopback server.
// Following a link (a top-level navigation to a document) passes, and so
// do clients that send no Fetch Metadata (curl, SDKs, older browsers),
// for which the host check and the token stand.
func fromAnotherSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return r.Header.Get("Sec-Fetch-Mode") != "navigate" || r.Header.Get("Sec-Fetch-Dest") != "document"
	}
	return false
}

// setSecurityHeaders sets the headers every response carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// authorize serves a request that carries the token, turns a ?token= link
// into a cookie, and refuses the others.
func (g *guard) authorize(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("token") {
		g.exchangeLinkToken(w, r)
		return
	}
	if g.bearerOK(r) || g.cookieOK(r) {
		g.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="oktascope"`)
	plainError(w, http.StatusUnauthorized, "a token is required: open the link with ?token= that oktascope serve printed, or send Authorization: Bearer TOKEN")
}

// exchangeLinkToken checks ?token=, sets the session cookie and redirects
// to the same address without the token, so that it stays out of the
// history, the address bar and shared links.
func (g *guard) exchangeLinkToken(w http.ResponseWriter, r *http.Request) {
	if !equalSecret(r.URL.Query().Get("token"), g.opts.Token) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oktascope"`)
		plainError(w, http.StatusUnauthorized, "wrong token")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: TokenCookie, Value: g.cookie, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	q := r.URL.Query()
	q.Del("token")
	// A cleaned absolute path never starts with "//", so the redirect
	// stays on this host whatever the request's path.
	target := url.URL{Path: path.Clean("/" + r.URL.Path), RawQuery: q.Encode()}
	w.Header().Set("Location", target.String())
	w.WriteHeader(http.StatusSeeOther)
}

func (g *guard) bearerOK(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && equalSecret(strings.TrimSpace(token), g.opts.Token)
}

func (g *guard) cookieOK(r *http.Request) bool {
	c, err := r.Cookie(TokenCookie)
	return err == nil && equalSecret(c.Value, g.cookie)
}

// cookieValue derives the session cookie from the token, so that the
// cookie is not the token itself.
func cookieValue(token string) string {
	sum := sha256.Sum256([]byte("oktascope web session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// equalSecret compares two secrets in time independent of where they
// differ and of their lengths (it compares their SHA-256 digests).
func equalSecret(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && want != ""
}

// hostAllowed reports whether a request's Host names this machine's
// loopback interface or one of Options.AllowedHosts.
func (g *guard) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	return slices.ContainsFunc(g.opts.AllowedHosts, func(a string) bool { return strings.EqualFold(a, host) })
}

// plainError writes a short text error.
func plainError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}
