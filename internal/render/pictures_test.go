package render

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var cspMeta = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)

var dataBlock = regexp.MustCompile(`(?s)<script type="application/json" id="([a-z]+)-data">(.*?)</script>`)

// withoutPictures checks the script elements of a self-contained page and
// returns the page without them: the pictures' script exactly once, inline,
// its hash in the page's Content-Security-Policy; and one JSON data block
// for each of the pictures named, valid JSON holding no "<" (so no markup
// and no end tag). What remains may be checked for active content.
func withoutPictures(t *testing.T, page string, pictures ...string) string {
	t.Helper()
	script := "<script>" + string(PicturesJS) + "</script>"
	if n := strings.Count(page, script); n != 1 {
		t.Errorf("the pictures' script is in the page %d times", n)
	}
	page = strings.Replace(page, script, "", 1)
	sum := sha256.Sum256(PicturesJS)
	want := "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if m := cspMeta.FindStringSubmatch(page); m == nil || html.UnescapeString(m[1]) != want {
		t.Errorf("Content-Security-Policy %q, want %q", m, want)
	}
	var found []string
	for _, m := range dataBlock.FindAllStringSubmatch(page, -1) {
		found = append(found, m[1])
		if !json.Valid([]byte(m[2])) || strings.Contains(m[2], "<") {
			t.Errorf("the data of picture %s is not JSON free of <: %.300s", m[1], m[2])
		}
		if !strings.Contains(page, `data-picture="`+m[1]+`" data-source="`+m[1]+`-data"`) {
			t.Errorf("no box for picture %s", m[1])
		}
	}
	if !slices.Equal(found, pictures) {
		t.Errorf("pictures %q, want %q", found, pictures)
	}
	return dataBlock.ReplaceAllString(page, "")
}

// TestPicturesScript checks the built script for what the policy forbids
// and the bundle must not do.
func TestPicturesScript(t *testing.T) {
	js := string(PicturesJS)
	if len(js) < 50000 || !strings.Contains(js, "d3-force") || !strings.Contains(js, "Natural Earth") {
		t.Fatalf("assets/pictures.js (%d bytes) is not the built bundle with its licences", len(js))
	}
	for _, bad := range []string{"eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "</script", "<!--", "fetch(", "XMLHttpRequest", "import("} {
		if strings.Contains(js, bad) {
			t.Errorf("the pictures' script holds %q", bad)
		}
	}
}
