package oktaapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Requests without the token, or with a wrong one, are
// refused before the rate limit counts them, so they cannot lock the token
// holder out.
func TestServerChecksTheTokenBeforeTheRateLimit(t *testing.T) {
	clock := time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)
	_, org := smallOrg(t, ServerOptions{Token: testSecret, RateLimit: 5, Now: func() time.Time { return clock }})
	for i := range 50 {
		auth := []string{"", "SSWS wrong", "Bearer " + testSecret + "x"}[i%3]
		resp, body := get(t, org, day+"&limit=1", "Authorization", auth)
		apiError(t, resp, body, http.StatusUnauthorized, CodeInvalidToken)
	}
	for i := 1; i <= 5; i++ {
		resp, body := get(t, org, day+"&limit=1", "Authorization", "SSWS "+testSecret)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the token holder's request %d after 50 tokenless ones: %d %s", i, resp.StatusCode, body)
		}
		if got, want := resp.Header.Get(headerRemaining), fmt.Sprint(5-i); got != want {
			t.Errorf("request %d: %s requests remaining, want %s", i, got, want)
		}
	}
	resp, body := get(t, org, day+"&limit=1", "Authorization", "SSWS "+testSecret)
	apiError(t, resp, body, http.StatusTooManyRequests, CodeRateLimit)
}

// A crafted query cannot add a link to the Link header.
func TestServerSelfLinkIsRebuiltFromTheParameters(t *testing.T) {
	_, org := smallOrg(t, ServerOptions{})
	// Raw characters a client sends as they are: the query closes the
	// self link and opens a next link to another host.
	crafted := day + `&limit=2&x=>;rel="x",<http://evil.example/api/v1/logs?stolen=1>;rel="next",<http://y`
	resp, body := getURL(t, org.String()+LogsPath+"?"+crafted)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	headers := resp.Header.Values("Link")
	if len(headers) == 0 {
		t.Fatal("no Link header")
	}
	for _, h := range headers {
		if strings.Contains(h, "evil.example") {
			t.Errorf("the crafted query reached the Link header: %s", h)
		}
	}
	l := links(resp.Header)
	for rel, link := range l {
		u, err := url.Parse(link)
		if err != nil || u.Host != org.Host {
			t.Errorf("%s link %q is not on %s", rel, link, org.Host)
		}
	}
	self, err := url.Parse(l["self"])
	if err != nil {
		t.Fatal(err)
	}
	q := self.Query()
	if q.Get("limit") != "2" || q.Get("since") != "2025-03-03T00:00:00Z" || q.Get("until") != "2025-03-04T00:00:00Z" || q.Has("x") {
		t.Errorf("self link %s: want the request's own parameters", l["self"])
	}
	if l["next"] == "" {
		t.Error("no next link")
	}
}

// On /api/v1/logs, a page stops once its events hold
// MaxPageBytes, and its next link goes on from there.
func TestServerPagesOfHugeEventsAreBounded(t *testing.T) {
	st := openStore(t, "huge.db")
	var batch []*logevent.Event
	for i := range 3 {
		raw := fmt.Sprintf(`{"uuid":"big-%d","published":"2025-03-03T10:00:0%d.000Z","eventType":"user.session.start","version":"0",`+
			`"severity":"INFO","displayMessage":"%s"}`, i, i, strings.Repeat("x", 1<<20))
		e, err := logevent.Decode([]byte(raw))
		must(t, err)
		batch = append(batch, e)
	}
	if _, err := st.Insert(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2025, 3, 4, 1, 0, 0, 0, time.UTC)
	org := serve(t, st, ServerOptions{MaxPageBytes: 3 << 19, Now: func() time.Time { return clock }})
	next := org.String() + LogsPath + "?" + day + "&limit=100"
	var pages []int
	for next != "" && len(pages) < 10 {
		resp, body := getURL(t, next)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %.200s", resp.StatusCode, body)
		}
		if len(body) > 3<<20 {
			t.Errorf("page of %d bytes", len(body))
		}
		pages = append(pages, len(events(t, body)))
		next = links(resp.Header)["next"]
	}
	if fmt.Sprint(pages) != "[1 1 1]" {
		t.Errorf("pages of %v events, want [1 1 1]", pages)
	}
}
