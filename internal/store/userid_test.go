package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/oktascope/oktascope/internal/logevent"
)

func TestUserID(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "users.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var events []*logevent.Event
	for i, raw := range []string{
		// alice acts; her app assignment (AppUser) carries her login too.
		`"actor":{"id":"00uAlice","type":"User","alternateId":"alice@acme.example"},"target":[{"id":"0uaApp","type":"AppUser","alternateId":"alice@acme.example"}]`,
		// two users share a login (a renamed account).
		`"actor":{"id":"00uBob1","type":"User","alternateId":"bob@acme.example"}`,
		`"actor":{"id":"00uAdmin","type":"User"},"target":[{"id":"00uBob2","type":"User","alternateId":"bob@acme.example"}]`,
	} {
		e, err := logevent.Decode([]byte(fmt.Sprintf(`{"uuid":"u%d","published":"2024-05-01T10:00:0%dZ","eventType":"x",%s}`, i, i, raw)))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	if _, _, err := st.Insert(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value, want string
		candidates  int
		fails       bool
	}{
		{"alice@acme.example", "00uAlice", 0, false},
		{"00uSomeone", "00uSomeone", 0, false},
		{"nobody@acme.example", "", 0, true},
		{"bob@acme.example", "", 2, true},
	}
	for _, tt := range tests {
		got, err := st.UserID(context.Background(), tt.value)
		var userErr *UserError
		if tt.fails != errors.As(err, &userErr) || got != tt.want {
			t.Errorf("UserID(%q) = %q, %v; want %q (fails %v)", tt.value, got, err, tt.want, tt.fails)
			continue
		}
		if tt.fails && len(userErr.Candidates) != tt.candidates {
			t.Errorf("UserID(%q): %d candidates, want %d", tt.value, len(userErr.Candidates), tt.candidates)
		}
	}
}
