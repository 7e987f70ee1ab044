package oktaapi

import (
	"net/http"
	"testing"
)

func TestLinks(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://acme.okta.com/api/v1/logs?limit=2&since=2017-06-10T00%3A00%3A00%2B00%3A00>; rel="self"`)
	h.Add("Link", `<https://acme.okta.com/api/v1/logs?limit=2&after=1507920418000_1>; rel="next"`)
	got := links(h)
	if got["next"] != "https://acme.okta.com/api/v1/logs?limit=2&after=1507920418000_1" {
		t.Errorf("next = %q", got["next"])
	}
	if got["self"] == "" {
		t.Error("no self link")
	}

	one := http.Header{}
	one.Set("Link", `<https://x/a?b=1,2>; rel="self", <https://x/a?after=3>; title="a, b"; rel=next`)
	got = links(one)
	if got["self"] != "https://x/a?b=1,2" || got["next"] != "https://x/a?after=3" {
		t.Errorf("combined header: %v", got)
	}

	none := http.Header{}
	none.Set("Link", `garbage, <https://x/a>; rel="self"`)
	if _, ok := links(none)["next"]; ok {
		t.Error("found a next link that is not there")
	}
}
