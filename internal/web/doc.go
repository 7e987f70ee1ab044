// Package web is oktascope's browser UI and its JSON API (docs/web.md): the
// Okta System Log page made for investigation, served from the binary.
//
// The pages are rendered on the server with html/template, which escapes
// every event field (event content is attacker-controlled). A small
// hand-written script (assets/app.js) only enhances them: it loads the
// histogram, expands a row to the event's JSON in place and checks the
// filter as it is typed. Every view works without it, and every view's
// state is in its URL, so copying the address shares it.
//
// Routes (docs/web.md):
//
//	GET /                search: filter, keywords, time range, histogram, results
//	GET /hunt            one of the article's playbooks for a user, an IP or a session
//	GET /timeline        the flows and deviations of a user, an IP or a session
//	GET /scope           everything tied to a user, an IP or a session
//	GET /event           one event's full JSON and its pivots
//	GET /ui/...          HTML fragments the script loads (histogram, event)
//	GET /assets/...      the embedded CSS, script and icon
//	GET /api/...         the JSON API: search, hunt, timeline, scope, histogram,
//	                     event, validate, playbooks
//
// /api/v1/ is left to the Okta-compatible logs endpoint, which a caller
// mounts beside this handler (wrapping it in Guard to share the token).
//
// The handler is read-only: only GET and HEAD are answered. Every response
// carries a strict Content-Security-Policy (no inline script or style),
// X-Content-Type-Options nosniff and Referrer-Policy no-referrer. With
// Options.Token set, every request must carry the token; without it, only
// requests addressed to a loopback host name are answered, which defeats
// DNS rebinding against a server bound to 127.0.0.1.
package web
