package render

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/logevent"
	"github.com/oktascope/oktascope/internal/timeline"
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

// TestTimelineLanes: one lane per session, sessionless flows by address,
// every flow a bar whose anchor is its section, steps cited by a
// deviation flagged, texts escaped.
func TestTimelineLanes(t *testing.T) {
	tl := scenario(t)
	pic := TimelineLanes(tl)
	sessions, flows, flagged := map[string]bool{}, 0, 0
	for _, f := range tl.Flows {
		sessions[cmp.Or(f.Session, "-")] = true
	}
	for _, l := range pic.Lanes {
		if !strings.HasPrefix(l.Label, "session ") && !strings.HasPrefix(l.Label, "no session · ") {
			t.Errorf("lane %q", l.Label)
		}
		for _, f := range l.Flows {
			flows++
			i, err := strconv.Atoi(strings.TrimPrefix(f.Anchor, "flow-"))
			if err != nil || tl.Flows[i-1].Start.UnixMilli() != f.Start || string(tl.Flows[i-1].Kind) != string(f.Kind) {
				t.Errorf("flow %+v: anchor does not name its flow", f)
			}
			if len(f.Steps) == 0 || f.End < f.Start {
				t.Errorf("flow %s: %d steps, %d → %d", f.Anchor, len(f.Steps), f.Start, f.End)
			}
			for _, s := range f.Steps {
				if s.Flagged {
					flagged++
				}
			}
		}
	}
	if flows != len(tl.Flows) || flows == 0 || pic.MoreLanes != 0 {
		t.Errorf("%d flows drawn of %d, %d lanes left out", flows, len(tl.Flows), pic.MoreLanes)
	}
	if flagged == 0 {
		t.Error("no step flagged, though the scenario has every deviation")
	}
	hostile := TimelineLanes(hostile(t))
	raw, _ := json.Marshal(hostile)
	if strings.Contains(string(raw), `\u001b`) || !strings.Contains(string(raw), `\\x1b`) {
		t.Errorf("hostile lanes: control characters not escaped for display: %s", raw)
	}
}

// TestTimelineLanesCut keeps MaxLanes lanes, those with deviations first,
// and counts the rest.
func TestTimelineLanesCut(t *testing.T) {
	var tl timeline.Timeline
	base := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	for i := range MaxLanes + 10 {
		e := &logevent.Event{}
		e.UUID, e.EventType, e.Time = fmt.Sprintf("ev-%d", i), "user.session.start", base.Add(time.Duration(i)*time.Minute)
		f := timeline.Flow{Kind: timeline.KindSignin, Session: fmt.Sprintf("102S%02d", i), Start: e.Time, End: e.Time, Steps: []timeline.Step{{Event: e}}}
		if i == MaxLanes+5 { // late, small, but with a deviation
			f.Deviations = []timeline.Deviation{{Kind: timeline.SessionHijack, Message: "m", UUIDs: []string{e.UUID}}}
		}
		tl.Flows = append(tl.Flows, f)
	}
	pic := TimelineLanes(tl)
	if len(pic.Lanes) != MaxLanes || pic.MoreLanes != 10 || pic.MoreFlows != 10 {
		t.Fatalf("%d lanes, %d and %d flows left out", len(pic.Lanes), pic.MoreLanes, pic.MoreFlows)
	}
	last := pic.Lanes[len(pic.Lanes)-1]
	if last.Label != fmt.Sprintf("session 102S%02d", MaxLanes+5) || len(last.Flows[0].Deviations) != 1 || !last.Flows[0].Steps[0].Flagged {
		t.Errorf("the lane with the deviation is not kept, last in time: %+v", last)
	}
}

// TestSignInMap: the map's data is the timeline's journey, speeds rounded,
// texts escaped; a hop with no time between is -1 km/h, not infinity
// (which JSON cannot hold).
func TestSignInMap(t *testing.T) {
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	signin := func(uuid, ip, city string, lat, lon float64) *logevent.Event {
		e := &logevent.Event{}
		e.UUID, e.EventType, e.Time = uuid, "user.session.start", at
		e.Actor = logevent.Actor{ID: "00u1", Type: "User", AlternateID: "alice@acme.example"}
		e.Client.IPAddress, e.Client.GeographicalContext.City = ip, city
		e.Client.GeographicalContext.Geolocation.Lat = logevent.Number{Value: lat, Valid: true}
		e.Client.GeographicalContext.Geolocation.Lon = logevent.Number{Value: lon, Valid: true}
		e.Outcome.Result = "SUCCESS"
		return e
	}
	home, away := signin("ev-1", "198.18.0.10", "San Francisco", 37.7749, -122.4194), signin("ev-2", "198.51.100.20", "Amsterdam\x1b[31m", 52.3676, 4.9041)
	tl := timeline.Timeline{Flows: []timeline.Flow{{Kind: timeline.KindSignin, Steps: []timeline.Step{{Event: home}, {Event: away}}}},
		Options: timeline.Options{}.WithDefaults()}
	pic := SignInMap(tl)
	if len(pic.Places) != 2 || pic.SignIns != 2 || len(pic.Legs) != 1 || pic.TravelSpeed != timeline.DefaultTravelSpeed {
		t.Fatalf("map %+v", pic)
	}
	if p := pic.Places[1]; p.Label != `Amsterdam\x1b[31m` || p.IPs[0] != "198.51.100.20" {
		t.Errorf("second place %+v", p)
	}
	if l := pic.Legs[0]; l.KmPerHour != -1 || !l.Impossible || l.Km != math.Round(l.Km) || l.Km < 8700 {
		t.Errorf("leg %+v", l)
	}
	if _, err := json.Marshal(pic); err != nil {
		t.Errorf("the map's data does not encode: %v", err)
	}
}
