package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/golden"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/synth"
)

// TestReportsGolden pins every report command's output, in every format
// it writes, on a generated org with planted incidents (testdata/golden;
// go test -update rewrites them). The JSON files are the schemas other
// tools read (docs/timeline.md, docs/scope.md, docs/detect.md): a change
// to them must be deliberate.
func TestReportsGolden(t *testing.T) {
	db, _, incidents := importedOrg(t)
	var hijack synth.Incident
	for _, inc := range incidents {
		if inc.Kind == synth.SessionHijack {
			hijack = inc
		}
	}
	if hijack.UserLogin == "" || len(hijack.SessionIDs) == 0 {
		t.Fatalf("no session hijack among the incidents: %+v", incidents)
	}
	since := hijack.Start.Add(-30 * time.Minute).Truncate(time.Minute).Format(time.RFC3339)
	until := hijack.End.Add(31 * time.Minute).Truncate(time.Minute).Format(time.RFC3339)
	window := []string{"--since", since, "--until", until}
	cases := []struct {
		name     string
		terminal bool
		args     []string
	}{
		{"timeline-user.txt", true, append([]string{"timeline", "--user", hijack.UserLogin}, window...)},
		{"timeline-user.json", false, append([]string{"timeline", "--user", hijack.UserLogin}, window...)},
		{"timeline-session.html", false, append([]string{"timeline", "--session", hijack.SessionIDs[0], "--format", "html"}, window...)},
		{"scope-ip.txt", true, append([]string{"scope", "--ip", hijack.AttackerIP}, window...)},
		{"scope-ip.json", false, append([]string{"scope", "--ip", hijack.AttackerIP}, window...)},
		{"scope-user.md", false, append([]string{"scope", "--user", hijack.UserLogin, "--depth", "2", "--format", "md"}, window...)},
		{"scope-user.html", false, append([]string{"scope", "--user", hijack.UserLogin, "--format", "html"}, window...)},
		{"detect.txt", true, []string{"detect"}},
		{"detect.json", false, []string{"detect"}},
		{"detect.ndjson", false, []string{"detect", "--format", "ndjson"}},
		{"detect.md", false, []string{"detect", "--format", "md"}},
		{"search.txt", true, append([]string{"search", "--limit", "40"}, window...)},
		{"search.csv", false, append([]string{"search", "--limit", "40", "--format", "csv", "--fields", "time,actor,eventType,client.geographicalContext.geolocation.lat,securityContext.asNumber"}, window...)},
		{"hunt-user.txt", true, append([]string{"hunt", "user-signin", "--user", hijack.UserLogin}, window...)},
	}
	if len(cases) != 14 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, tc := range cases {
		out, stderr, code := run(t, db, tc.terminal, tc.args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", strings.Join(tc.args, " "), code, stderr)
			continue
		}
		if len(out) == 0 {
			t.Errorf("%s: no output", strings.Join(tc.args, " "))
		}
		golden.Check(t, filepath.Join("testdata", "golden", tc.name), []byte(withoutPicturesCode(out)))
	}
}

// scriptHash is a script's hash in a Content-Security-Policy.
var scriptHash = regexp.MustCompile(`sha256-[A-Za-z0-9+/=&#;]+?&#39;`)

// withoutPicturesCode puts placeholders for the pictures' script, its CSS
// and its hash in an HTML report: they are render's assets, built from
// ui/, and the golden files pin the report, not the bundle.
func withoutPicturesCode(out string) string {
	out = strings.ReplaceAll(out, string(render.PicturesJS), "/* render.PicturesJS */")
	out = strings.ReplaceAll(out, string(render.PicturesCSS), "/* render.PicturesCSS */")
	return scriptHash.ReplaceAllString(out, "sha256-PICTURES&#39;")
}
