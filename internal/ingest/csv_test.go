package ingest

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/logevent"
)

// pathString prints a resolved path as "target[0].displayName".
func pathString(steps []pathStep) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		}
	}
	return b.String()
}

func TestResolveColumn(t *testing.T) {
	tests := []struct {
		column string
		want   string // "" when the column maps to no LogEvent path
		kind   leafKind
	}{
		{"uuid", "uuid", leafString},
		{"timestamp", "published", leafString},
		{"published", "published", leafString},
		{"event_type", "eventType", leafString},
		{"eventType", "eventType", leafString},
		{"display_message", "displayMessage", leafString},
		{"legacy_event_type", "legacyEventType", leafString},
		{"actor.alternate_id", "actor.alternateId", leafString},
		{"client.ip_address", "client.ipAddress", leafString},
		{"client.user_agent.raw_user_agent", "client.userAgent.rawUserAgent", leafString},
		{"client.geographical_context.geolocation.lat", "client.geographicalContext.geolocation.lat", leafNumber},
		{"client.geographical_context.postal_code", "client.geographicalContext.postalCode", leafString},
		{"authentication_context.external_session_id", "authenticationContext.externalSessionId", leafString},
		{"authentication_context.authentication_step", "authenticationContext.authenticationStep", leafNumber},
		{"authentication_context.issuer", "authenticationContext.issuer", leafStruct},
		{"authentication_context.issuer.id", "authenticationContext.issuer.id", leafString},
		{"security_context.as_number", "securityContext.asNumber", leafNumber},
		{"security_context.is_proxy", "securityContext.isProxy", leafBool},
		{"device.os_platform", "device.os_platform", leafString},
		{"device.secure_hardware_present", "device.secure_hardware_present", leafBool},
		{"target0.display_name", "target[0].displayName", leafString},
		{"target1.alternate_id", "target[1].alternateId", leafString},
		{"target12.id", "target[12].id", leafString},
		{"target0.detail_entry.method_type_used", "target[0].detailEntry.methodTypeUsed", leafString},
		{"target0", "target[0]", leafStruct},
		{"target", "target", leafArray},
		{"request.ip_chain.ip", "request.ipChain[0].ip", leafString},
		{"request.ip_chain1.ip", "request.ipChain[1].ip", leafString},
		{"request.ip_chain.geographical_context.geolocation.lon", "request.ipChain[0].geographicalContext.geolocation.lon", leafNumber},
		{"debug_context.debug_data.request_uri", "debugContext.debugData.requestUri", leafString},
		{"debug_context.debug_data", "debugContext.debugData", leafObject},
		{"transaction.detail.request_api_token_id", "transaction.detail.requestApiTokenId", leafString},
		{"client.some_new_field", "client.someNewField", leafString},
		{"case_number", "", 0},
		{"uuid.part", "", 0},
		{"actor..id", "", 0},
		{"", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.column, func(t *testing.T) {
			steps, kind, ok := resolveColumn(tt.column)
			if got := pathString(steps); ok != (tt.want != "") || got != tt.want || kind != tt.kind {
				t.Errorf("resolveColumn(%q) = %q, kind %d, %v; want %q, kind %d", tt.column, got, kind, ok, tt.want, tt.kind)
			}
		})
	}
}

// jsonValue decodes JSON generically, for comparisons that see types
// (a number is not a string).
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

func TestCSVExport(t *testing.T) {
	data, err := os.ReadFile("testdata/admin-console-export.csv")
	if err != nil {
		t.Fatal(err)
	}
	wantData, err := os.ReadFile("testdata/admin-console-export.want.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Split(bytes.TrimSpace(wantData), newline)
	recs, format, err := readAll(t, data)
	if err != nil || format.Kind != KindCSV {
		t.Fatalf("read %v: %v", format, err)
	}
	if got := lines(recs); !slices.Equal(got, []int{2, 3, 5, 6, 7}) {
		t.Fatalf("record lines %v, want [2 3 5 6 7]", got)
	}
	rows := strings.Split(string(data), "\n")
	if got, want := string(recs[1].Raw), rows[2]+"\n"+rows[3]; got != want {
		t.Errorf("a row with a line break in a quoted cell: Raw\n%q\nwant\n%q", got, want)
	}
	for i, rec := range recs {
		if !bytes.Equal(data[rec.Offset:rec.Offset+int64(len(rec.Raw))], rec.Raw) {
			t.Errorf("record %d: Raw is not the row's text at its offset", i)
		}
	}
	for i, j := range []int{0, 1, 4} {
		if got, exp := jsonValue(t, recs[j].JSON), jsonValue(t, want[i]); !reflect.DeepEqual(got, exp) {
			t.Errorf("row on line %d:\n got %s\nwant %s", recs[j].Line, recs[j].JSON, want[i])
		}
		if _, err := logevent.Decode(recs[j].JSON); err != nil {
			t.Errorf("row on line %d does not decode: %v", recs[j].Line, err)
		}
	}
	if _, err := logevent.Decode(recs[2].JSON); err == nil || err.Error() != `published: not a time: "redacted"` {
		t.Errorf("row with a redacted timestamp: %v", err)
	}
	if err := recs[3].Err; err == nil || err.Error() != "CSV row has 6 cells where the header has 48" {
		t.Errorf("row with too few cells: %v", err)
	}
}

func TestCSVRowExactJSON(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"types, nesting, targets, an unmapped column",
			"uuid,timestamp,event_type,target0.display_name,target1.id,security_context.is_proxy,client.geographical_context.geolocation.lat,client.ip_address,note\n" +
				"u1,2024-01-02T03:04:05Z,user.session.start,\"Okta \"\"Verify\"\"\",app1,True,-1.5e2,,\"a,b\"\n",
			`{"uuid":"u1","published":"2024-01-02T03:04:05Z","eventType":"user.session.start","target":[{"displayName":"Okta \"Verify\""},{"id":"app1"}],"securityContext":{"isProxy":true},"client":{"geographicalContext":{"geolocation":{"lat":-1.5e2}}},"note":"a,b"}`},
		{"CRLF line endings and semicolons",
			"uuid;timestamp;event_type;client.geographical_context.geolocation.lon\r\nu2;2024-01-02T03:04:05Z;x;+7\r\n",
			`{"uuid":"u2","published":"2024-01-02T03:04:05Z","eventType":"x","client":{"geographicalContext":{"geolocation":{"lon":"+7"}}}}`},
		{"a column clashing with another keeps its name",
			"uuid,timestamp,event_type,published,target,target0.id\nu3,2024-01-02T03:04:05Z,x,2023,not json,t0\n",
			`{"uuid":"u3","published":"2024-01-02T03:04:05Z","eventType":"x","csv.published":"2023","csv.target":"not json","target0.id":"t0"}`},
		{"a quoted last cell at the end of the input, without a line break",
			"uuid,timestamp,event_type\nu5,2024-01-02T03:04:05Z,\"x\"\"\"",
			`{"uuid":"u5","published":"2024-01-02T03:04:05Z","eventType":"x\""}`},
		{"a whole array as JSON; a control character",
			"uuid,timestamp,event_type,target,display_message\nu4,2024-01-02T03:04:05Z,x,\"[{\"\"id\"\":\"\"t\"\"}]\",\"tab\there\x01\"\n",
			`{"uuid":"u4","published":"2024-01-02T03:04:05Z","eventType":"x","target":[{"id":"t"}],"displayMessage":"tab\there\u0001"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := readAll(t, []byte(tt.input))
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d records, error %v", len(recs), err)
			}
			if got := string(recs[0].JSON); got != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCSVRepeatedHeaderIsSkipped(t *testing.T) {
	header := "uuid,timestamp,event_type\n"
	input := header + "a,2024-01-02T03:04:05Z,x\n" + "\xef\xbb\xbf" + header + "b,2024-01-02T03:04:05Z,y\n"
	recs, _, err := readAll(t, []byte(input))
	if err != nil || !slices.Equal(raws(recs), []string{"a,2024-01-02T03:04:05Z,x", "b,2024-01-02T03:04:05Z,y"}) {
		t.Errorf("records %q, error %v", raws(recs), err)
	}
}

func TestCSVRowWithTooManyCells(t *testing.T) {
	recs, _, err := readAll(t, []byte("uuid,timestamp,event_type\na,b,c,d\n"))
	if err != nil || len(recs) != 1 || recs[0].Err == nil || recs[0].JSON != nil {
		t.Fatalf("records %+v, error %v", recs, err)
	}
	if string(recs[0].Raw) != "a,b,c,d" || !strings.Contains(recs[0].Err.Error(), "4 cells where the header has 3") {
		t.Errorf("Raw %q, error %v", recs[0].Raw, recs[0].Err)
	}
}
