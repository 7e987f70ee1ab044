package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOktaCatalog(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "okta-event-types.csv")
	csvData := "Event Type,Description,Category\nuser.account.lock,\"Max sign in attempts exceeded.\",user\n"
	if err := os.WriteFile(csvPath, []byte(csvData), 0o600); err != nil {
		t.Fatal(err)
	}
	badPath := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badPath, []byte(`{"versions":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"testdata/event-types.json", csvPath} {
		c, err := LoadOktaCatalog(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := c["user.account.lock"]; got.Description != "Max sign in attempts exceeded." || got.Category != "user" {
			t.Errorf("%s: user.account.lock = %+v", path, got)
		}
	}
	c, _ := LoadOktaCatalog("testdata/event-types.json")
	if got := c["user.session.access_admin_app"]; got.Release != "2017.19" || len(got.DebugData) != 2 {
		t.Errorf("JSON fields: %+v", got)
	}
	if _, err := LoadOktaCatalog(badPath); err == nil {
		t.Error("an empty catalogue loaded without error")
	}
}
