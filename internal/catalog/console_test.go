package catalog

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestConsoleURLRoundTripsTheArticleQuery(t *testing.T) {
	signIn, ok := PlaybookByName("user-signin")
	if !ok {
		t.Fatal("no user-signin playbook")
	}
	filter := signIn.Filter("00u1abcd")
	from := time.Date(2024, 3, 1, 8, 30, 0, 0, time.FixedZone("CET", 3600))
	to := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)

	link, err := ConsoleURL("https://acme.okta.com", filter, from, to)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(link)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", link, err)
	}
	if parsed.Scheme != "https" || parsed.Host != "acme-admin.okta.com" || parsed.Path != "/report/system_log_2" {
		t.Errorf("link %q: want https://acme-admin.okta.com/report/system_log_2", link)
	}
	query := parsed.Query()
	if got := query.Get("search"); got != filter {
		t.Errorf("search parameter differs from the filter\n got: %q\nwant: %q", got, filter)
	}
	for parameter, want := range map[string]time.Time{"fromTime": from, "toTime": to} {
		value := query.Get(parameter)
		parsedTime, err := time.Parse(time.RFC3339, value)
		if err != nil || !parsedTime.Equal(want) || !strings.HasSuffix(value, "Z") {
			t.Errorf("%s = %q, want %s as RFC 3339 UTC", parameter, value, want.UTC().Format(time.RFC3339))
		}
	}
	for _, encoded := range []string{"%0A", "+eq+", "%22"} {
		if !strings.Contains(parsed.RawQuery, encoded) {
			t.Errorf("raw query lacks %q: %s", encoded, parsed.RawQuery)
		}
	}
	if !strings.HasPrefix(parsed.RawQuery, "search=") {
		t.Errorf("search is not the first parameter: %s", parsed.RawQuery)
	}
}

func TestConsoleURLAdminHost(t *testing.T) {
	tests := []struct {
		name, org, wantHost string
	}{
		{"okta.com org", "https://acme.okta.com", "acme-admin.okta.com"},
		{"already the admin host", "https://acme-admin.okta.com", "acme-admin.okta.com"},
		{"trailing slash and path dropped", "https://acme.okta.com/app/UserHome?x=1#top", "acme-admin.okta.com"},
		{"upper case", "https://ACME.Okta.com", "acme-admin.okta.com"},
		{"preview org", "https://acme.oktapreview.com", "acme-admin.oktapreview.com"},
		{"EMEA cell", "https://acme.okta-emea.com", "acme-admin.okta-emea.com"},
		{"government cell", "https://acme.okta-gov.com", "acme-admin.okta-gov.com"},
		{"hyphenated org", "https://my-org.okta.com", "my-org-admin.okta.com"},
		{"custom domain kept", "https://login.acme.com", "login.acme.com"},
		{"custom domain port kept", "https://sso.acme.com:8443", "sso.acme.com:8443"},
		{"surrounding spaces", "  https://acme.okta.com  ", "acme-admin.okta.com"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			link, err := ConsoleURL(test.org, `eventType eq "user.session.start"`, time.Time{}, time.Time{})
			if err != nil {
				t.Fatalf("ConsoleURL(%q): %v", test.org, err)
			}
			parsed, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Host != test.wantHost {
				t.Errorf("host %q, want %q (link %s)", parsed.Host, test.wantHost, link)
			}
		})
	}
}

func TestConsoleURLRejects(t *testing.T) {
	from := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, org string
		from, to  time.Time
	}{
		{"plain http", "http://acme.okta.com", time.Time{}, time.Time{}},
		{"no scheme", "acme.okta.com", time.Time{}, time.Time{}},
		{"empty", "", time.Time{}, time.Time{}},
		{"unparseable", "https://acme.okta.com/%zz", time.Time{}, time.Time{}},
		{"no host", "https:///report", time.Time{}, time.Time{}},
		{"user information", "https://admin:secret@acme.okta.com", time.Time{}, time.Time{}},
		{"bare okta domain", "https://okta.com", time.Time{}, time.Time{}},
		{"nested okta subdomain", "https://a.acme.okta.com", time.Time{}, time.Time{}},
		{"window ends before it starts", "https://acme.okta.com", from, from.Add(-time.Hour)},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if link, err := ConsoleURL(test.org, "", test.from, test.to); err == nil {
				t.Errorf("ConsoleURL(%q) = %q, want an error", test.org, link)
			}
		})
	}
}

func TestConsoleURLTimes(t *testing.T) {
	from := time.Date(2024, 3, 1, 8, 30, 15, 900_000_000, time.UTC)
	to := time.Date(2024, 3, 1, 9, 0, 0, 1, time.UTC)
	tests := []struct {
		name           string
		from, to       time.Time
		wantFrom, want string
	}{
		{"fractions widen the window", from, to, "2024-03-01T08:30:15Z", "2024-03-01T09:00:01Z"},
		{"zero times omitted", time.Time{}, time.Time{}, "", ""},
		{"open end", from, time.Time{}, "2024-03-01T08:30:15Z", ""},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			link, err := ConsoleURL("https://acme.okta.com", "", test.from, test.to)
			if err != nil {
				t.Fatal(err)
			}
			parsed, _ := url.Parse(link)
			query := parsed.Query()
			if query.Get("fromTime") != test.wantFrom || query.Get("toTime") != test.want {
				t.Errorf("fromTime %q toTime %q, want %q %q",
					query.Get("fromTime"), query.Get("toTime"), test.wantFrom, test.want)
			}
			if _, has := query["fromTime"]; has != (test.wantFrom != "") {
				t.Errorf("fromTime present = %v in %s", has, link)
			}
		})
	}
}
