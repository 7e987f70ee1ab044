package logevent

import "testing"

func TestSessionRule(t *testing.T) {
	tests := []struct {
		name, session, transaction string
		wantSession, wantAPI       string
		isSession                  bool // IsSessionID, which does not see the transaction
	}{
		{"classic session", "102GALFw8CzRT2KXoqnca8Jdg", "Wij-AJeCbHF7In2MKNaOpAAAEC4", "102GALFw8CzRT2KXoqnca8Jdg", "", true},
		{"identity engine session", "idxBhAGgAkjRNCeHcHWmJDRAA", "ZGSIG390xAgOXgWkhgPpngAADqA", "idxBhAGgAkjRNCeHcHWmJDRAA", "", true},
		{"sanitised id", "EXAMPLE_SESSION_ID", "32caf8cb5819a0928702b4b835e1", "EXAMPLE_SESSION_ID", "", true},
		{"API transaction", "trsMbfzx2CUQbSHHBd1sOYKDw", "ZGSHpoOrf0bum-fORGFZ9AAACmw", "", "trsMbfzx2CUQbSHHBd1sOYKDw", false},
		{"the request's own id", "X6hzz7TDy8EEslV80dmzRgAAApw", "X6hzz7TDy8EEslV80dmzRgAAApw", "", "X6hzz7TDy8EEslV80dmzRgAAApw", true},
		{"unknown", "unknown", "X6hzz7TDy8EEslV80dmzRgAAApw", "", "", false},
		{"Unknown", "Unknown", "", "", "", false},
		{"null", "null", "", "", "", false},
		{"none", "", "", "", "", false},
	}
	for _, tt := range tests {
		var e LogEvent
		e.AuthenticationContext.ExternalSessionID, e.Transaction.ID = tt.session, tt.transaction
		if got := e.SessionID(); got != tt.wantSession {
			t.Errorf("%s: SessionID() = %q, want %q", tt.name, got, tt.wantSession)
		}
		if got := e.APITransaction(); got != tt.wantAPI {
			t.Errorf("%s: APITransaction() = %q, want %q", tt.name, got, tt.wantAPI)
		}
		if got := IsSessionID(tt.session); got != tt.isSession {
			t.Errorf("%s: IsSessionID(%q) = %v, want %v", tt.name, tt.session, got, tt.isSession)
		}
	}
}

// TestTrimKeepsMembersOfDecodedDebugData trims events whose debugData was
// decoded before (Map), or is a JSON string holding an object, and checks
// that the members the analyses read survive and the others do not.
func TestTrimKeepsMembersOfDecodedDebugData(t *testing.T) {
	for _, raw := range []string{
		`{"uuid":"a","published":"2025-03-03T09:00:00Z","eventType":"user.authentication.auth_via_mfa","debugContext":{"debugData":{"authnRequestId":"T1","requestUri":"/api/v1/authn/factors/x/verify","behaviors":"{New IP=NEGATIVE}","url":"/x?","threatSuspected":"false"}},"transaction":{"type":"WEB","id":"T2","detail":{"requestApiTokenId":"00T1"}}}`,
		`{"uuid":"a","published":"2025-03-03T09:00:00Z","eventType":"user.authentication.auth_via_mfa","debugContext":{"debugData":"{\"authnRequestId\":\"T1\",\"requestUri\":\"/api/v1/authn/factors/x/verify\",\"behaviors\":\"{New IP=NEGATIVE}\",\"url\":\"/x?\",\"threatSuspected\":\"false\"}"},"transaction":{"type":"WEB","id":"T2","detail":{"requestApiTokenId":"00T1"}}}`,
	} {
		for _, decodeFirst := range []bool{false, true} {
			e, err := Decode([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if decodeFirst {
				e.DebugContext.DebugData.Map()
			}
			e.Trim()
			for path, want := range map[string]string{
				"debugContext.debugData.authnRequestId": "T1", "debugContext.debugData.requestUri": "/api/v1/authn/factors/x/verify",
				"debugContext.debugData.behaviors": "{New IP=NEGATIVE}", "transaction.id": "T2", "transaction.type": "WEB",
				"debugContext.debugData.url": "", "debugContext.debugData.threatSuspected": "", "transaction.detail.requestApiTokenId": "",
			} {
				got := pathStrings(e, path)
				if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
					t.Errorf("decoded first %v, %s: %s = %q, want %q", decodeFirst, raw[150:190], path, got, want)
				}
			}
		}
	}
}
