package logevent

import "testing"

func TestActingUserAndClientIP(t *testing.T) {
	tests := []struct {
		name            string
		actor           Actor
		ip              string
		wantUser        bool
		wantKey, wantIP string
	}{
		{"user", Actor{ID: "00u1", Type: "User", AlternateID: "a@x"}, "192.0.2.1", true, "00u1", "192.0.2.1"},
		{"type in any case", Actor{ID: "00u1", Type: "user"}, "", true, "00u1", ""},
		{"login only", Actor{Type: "User", AlternateID: "a@x"}, "null", true, "a@x", ""},
		{"neither id nor login", Actor{Type: "User", DisplayName: "A"}, "192.0.2.1", false, "", "192.0.2.1"},
		{"an app", Actor{ID: "0oa1", Type: "PublicClientApp"}, "192.0.2.1", false, "", "192.0.2.1"},
		{"the system", Actor{ID: "system@okta.com", Type: "SystemPrincipal"}, "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := LogEvent{Actor: tt.actor, Client: Client{IPAddress: tt.ip}}
			a, ok := e.ActingUser()
			if ok != tt.wantUser || (ok && a.Key() != tt.wantKey) {
				t.Errorf("ActingUser = %+v, %v; want key %q, %v", a, ok, tt.wantKey, tt.wantUser)
			}
			if got := e.ClientIP(); got != tt.wantIP {
				t.Errorf("ClientIP = %q, want %q", got, tt.wantIP)
			}
		})
	}
}
