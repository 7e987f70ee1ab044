package oktaapi

import (
	"net/url"
	"testing"
	"time"
)

func TestCheckpointKey(t *testing.T) {
	org, _ := url.Parse("https://acme.okta.com")
	since := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	a := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "x"`})
	b := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "x"`, Limit: 1000, SortOrder: "ascending", Follow: true})
	c := CheckpointKey(org, Params{Since: since, Filter: `eventType eq "y"`})
	if a != b || a == c {
		t.Errorf("keys: %q %q %q", a, b, c)
	}
	if k := CheckpointKey(org, Params{Key: "--since 7d"}); k != "https://acme.okta.com/api/v1/logs --since 7d" {
		t.Errorf("explicit key: %q", k)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
