package catalog

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// consolePath is the Admin Console's System Log page.
const consolePath = "/report/system_log_2"

// ConsoleURL returns a link that opens filter in the Okta Admin Console's System
// Log for the time window from..to:
//
//	https://ACME-admin.okta.com/report/system_log_2?search=<filter>&fromTime=<RFC 3339>&toTime=<RFC 3339>
//
// This is the form public material uses for such links (docs/cli.md, `hunt`):
//   - the Admin Console's own "View Logs" link on a user's profile page,
//     /report/system_log_2?search=actor.id+eq+%22{user_id}%22, recorded in a
//     public Admin Console UI inventory;
//   - a public Okta Spring Boot OIDC sample linking to
//     https://integrator-…-admin.okta.com/report/system_log_2?search=&fromTime=2025-10-03T00%3A00%3A00Z&toTime=2025-10-10T23%3A59%3A59Z&…;
//   - a public Okta-to-Slack alerting helper (Ruby) linking each event as
//     https://#{OKTA_ADMIN_BASE_URL}/report/system_log_2?search=#{uuid}.
//
// The query is form-encoded (url.QueryEscape): spaces become "+", newlines
// "%0A", quotes "%22", colons "%3A". "+" is what the console itself writes in
// its "View Logs" link, and any form decoder (the console's, url.ParseQuery)
// reads it back as a space, so the link carries the filter exactly, line breaks
// included. Times are written in UTC with second precision, as in the sample
// above; the end is rounded up to the next whole second so the window still
// covers it. A zero from or to leaves its parameter out (the console's default
// window applies).
//
// org is the org's URL: https://acme.okta.com and https://acme-admin.okta.com
// both give acme-admin.okta.com, and likewise for oktapreview.com,
// okta-emea.com and any other okta* domain. A custom domain
// (https://login.acme.com) is kept as it is, since the okta.com subdomain
// behind it cannot be known. org must be an https URL.
func ConsoleURL(org string, filter string, from, to time.Time) (string, error) {
	host, err := adminHost(org)
	if err != nil {
		return "", err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return "", fmt.Errorf("console link: time window ends (%s) before it starts (%s)",
			to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	query := "search=" + url.QueryEscape(filter)
	if !from.IsZero() {
		query += "&fromTime=" + url.QueryEscape(consoleTime(from.Truncate(time.Second)))
	}
	if !to.IsZero() {
		query += "&toTime=" + url.QueryEscape(consoleTime(ceilSecond(to)))
	}
	link := url.URL{Scheme: "https", Host: host, Path: consolePath, RawQuery: query}
	return link.String(), nil
}

// consoleTime formats t as RFC 3339 in UTC.
func consoleTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ceilSecond rounds t up to a whole second.
func ceilSecond(t time.Time) time.Time {
	truncated := t.Truncate(time.Second)
	if truncated.Equal(t) {
		return t
	}
	return truncated.Add(time.Second)
}

// adminHost returns the Admin Console host (with port, if any) for an org URL.
func adminHost(org string) (string, error) {
	parsed, err := url.Parse(strings.TrimSpace(org))
	if err != nil {
		return "", fmt.Errorf("org URL %q: %w", org, err)
	}
	switch {
	case parsed.Scheme != "https":
		return "", fmt.Errorf("org URL %q: must start with https://", org)
	case parsed.Hostname() == "":
		return "", fmt.Errorf("org URL %q: no host", org)
	case parsed.User != nil:
		return "", fmt.Errorf("org URL %q: must not hold user information", org)
	}
	host := strings.ToLower(parsed.Hostname())
	subdomain, domain, isOkta := splitOktaHost(host)
	if isOkta {
		if subdomain == "" || strings.Contains(subdomain, ".") {
			return "", fmt.Errorf("org URL %q: expected ORG.%s", org, domain)
		}
		host = strings.TrimSuffix(subdomain, "-admin") + "-admin." + domain
	}
	if port := parsed.Port(); port != "" {
		return net.JoinHostPort(host, port), nil
	}
	return bracketIPv6(host), nil
}

// splitOktaHost splits a host on an okta* domain (okta.com, oktapreview.com,
// okta-emea.com, …) into the part before the domain and the domain.
func splitOktaHost(host string) (subdomain, domain string, isOkta bool) {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return "", "", false
	}
	domain = strings.Join(labels[len(labels)-2:], ".")
	if !strings.HasPrefix(domain, "okta") {
		return "", "", false
	}
	return strings.Join(labels[:len(labels)-2], "."), domain, true
}

// bracketIPv6 puts an IPv6 literal back in the brackets url.Hostname removed.
func bracketIPv6(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
