package oktaapi

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// TestOktaSDKReadsServer points Okta's own Go SDK (okta-sdk-golang v5,
// SystemLogAPI.ListLogEvents) at the server and pages through a day with
// its APIResponse.Next: an independent client must get every served event,
// page by page, with its SSWS token.
//
// v5.0.2 does not enforce https (its Testing.DisableHttpsCheck is never
// read), so a plain loopback server works. It does keep only the host name
// of the org URL (Configuration.Host = url.Hostname()), dropping the port,
// so the test restores Host after NewConfiguration.
func TestOktaSDKReadsServer(t *testing.T) {
	so := synthOptions(1000)
	served := openStore(t, "served.db")
	fill(t, served, so)
	org := serve(t, served, ServerOptions{Token: testSecret, Now: evidenceClock(so)})
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(org.String()),
		okta.WithToken(testSecret),
		okta.WithCache(false),
		okta.WithRequestTimeout(30),
		okta.WithRateLimitMaxRetries(2),
		okta.WithTestingDisableHttpsCheck(true),
	)
	must(t, err)
	cfg.Host = org.Host
	client := okta.NewAPIClient(cfg)
	w := window(so)
	const pageSize = 150
	page, resp, err := client.SystemLogAPI.ListLogEvents(context.Background()).
		Since(w.Since).Until(w.Until).Limit(pageSize).Execute()
	must(t, err)
	var got []string
	pages := 0
	var last time.Time
	for {
		pages++
		for _, e := range page {
			if e.Published.Before(last) {
				t.Fatal("SDK page out of published order")
			}
			last = *e.Published
			got = append(got, e.GetUuid())
		}
		if !resp.HasNextPage() {
			break
		}
		page = nil
		resp, err = resp.Next(&page)
		must(t, err)
	}
	want := uuids(t, served)
	sort.Strings(got)
	sameUUIDs(t, got, want)
	if wantPages := (len(want) + pageSize - 1) / pageSize; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}

	// A wrong token is refused with Okta's 401.
	bad, err := okta.NewConfiguration(okta.WithOrgUrl(org.String()), okta.WithToken("wrong"), okta.WithCache(false))
	must(t, err)
	bad.Host = org.Host
	if _, resp, err := okta.NewAPIClient(bad).SystemLogAPI.ListLogEvents(context.Background()).Execute(); err == nil || resp.StatusCode != 401 {
		t.Errorf("wrong token: %v", err)
	}
}
