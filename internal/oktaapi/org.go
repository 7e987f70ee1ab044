package oktaapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// LogsPath is the System Log endpoint.
const LogsPath = "/api/v1/logs"

// ParseOrg parses an org URL as a user types it: "https://acme.okta.com",
// or a bare host ("acme.okta.com", taken as https). It must pass CheckOrg.
func ParseOrg(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("org URL is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("org URL: %w", err)
	}
	if err := CheckOrg(u); err != nil {
		return nil, err
	}
	return u, nil
}

// CheckOrg accepts an https URL of a host, or an http URL of a loopback
// host (127.0.0.0/8, ::1 or localhost), which tests and local servers use:
// the token must never cross a network in clear text.
func CheckOrg(u *url.URL) error {
	switch {
	case u == nil || u.Host == "":
		return errors.New("org URL has no host")
	case u.User != nil:
		return errors.New("org URL must not hold credentials")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("org URL %s: http is allowed only for loopback addresses; use https", u.Redacted())
	}
	return fmt.Errorf("org URL %s: unsupported scheme %q", u.Redacted(), u.Scheme)
}

// IsLoopback reports whether host (a name or an address, without port) is
// localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether a link points at the org's scheme and host, so
// that the token is never sent anywhere else.
func sameOrigin(org, link *url.URL) bool {
	return strings.EqualFold(org.Scheme, link.Scheme) && strings.EqualFold(org.Host, link.Host)
}

// logsURL is the org's System Log endpoint.
func logsURL(org *url.URL) *url.URL {
	return &url.URL{Scheme: org.Scheme, Host: org.Host, Path: LogsPath}
}
