package oktaapi

import (
	"net/http"
	"strings"
)

// links parses the Link headers of a response (RFC 8288: any number of
// headers, each a comma-separated list of `<uri>; param=value` entries)
// into a map from relation type to URI, exactly as written.
func links(h http.Header) map[string]string {
	out := map[string]string{}
	for _, v := range h.Values("Link") {
		for v != "" {
			var uri, params string
			uri, params, v = nextLink(v)
			for _, rel := range relations(params) {
				if _, seen := out[rel]; !seen && uri != "" {
					out[rel] = uri
				}
			}
		}
	}
	return out
}

// nextLink splits the first entry off a Link header value.
func nextLink(v string) (uri, params, rest string) {
	v = strings.TrimLeft(v, " \t,")
	if !strings.HasPrefix(v, "<") {
		// Not a link: skip to the next comma.
		_, rest, _ = strings.Cut(v, ",")
		return "", "", rest
	}
	end := strings.IndexByte(v, '>')
	if end < 0 {
		return "", "", ""
	}
	uri, v = v[1:end], v[end+1:]
	params, rest = splitParams(v)
	return uri, params, rest
}

// splitParams takes the parameters of one entry: up to a comma outside
// double quotes.
func splitParams(v string) (params, rest string) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return v[:i], v[i+1:]
			}
		}
	}
	return v, ""
}

// relations returns the rel values of an entry's parameters ("rel" may hold
// several space-separated types), lower-cased.
func relations(params string) []string {
	var out []string
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		out = append(out, strings.Fields(strings.ToLower(strings.Trim(strings.TrimSpace(value), `"`)))...)
	}
	return out
}
