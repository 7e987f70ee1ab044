package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestScopeGraphAPI: /api/scope carries the graph, with the attacker's
// address and the victim of each planted incident among its nodes.
func TestScopeGraphAPI(t *testing.T) {
	_, g := sharedStore(t)
	h := testHandler(t, Options{})
	for _, inc := range g.Incidents() {
		var report struct {
			Graph struct {
				Nodes []struct {
					ID    string `json:"id"`
					Cited bool   `json:"cited"`
				} `json:"nodes"`
				Edges []struct{ Source, Target string } `json:"edges"`
			} `json:"graph"`
		}
		raw := mustStatus(t, get(t, h, "/api/scope?kind=ip&depth=2&value="+url.QueryEscape(inc.AttackerIP)), http.StatusOK)
		if err := json.Unmarshal([]byte(raw), &report); err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, n := range report.Graph.Nodes {
			ids[n.ID] = n.Cited
		}
		if cited, ok := ids["ip:"+inc.AttackerIP]; !ok || !cited || !ids["user:"+inc.UserID] || len(report.Graph.Edges) == 0 {
			t.Errorf("%s: graph of the attacker's address lacks it (cited) or the victim: %d nodes, %d edges", inc.Kind, len(ids), len(report.Graph.Edges))
		}
	}
}

var pictureBox = regexp.MustCompile(`<div class="picture-box" data-picture="([a-z]+)" data-source="([a-z]+)-data">`)

// TestPicturePages: the timeline page holds the swimlanes and the map, the
// scope page the graph with each node's pivots, both load the pictures'
// script and CSS; the search page does not.
func TestPicturePages(t *testing.T) {
	_, g := sharedStore(t)
	h := testHandler(t, Options{})
	inc := g.Incidents()[len(g.Incidents())-1]
	for target, want := range map[string][]string{
		"/timeline?kind=user&value=" + inc.UserID:         {"lanes", "map"},
		"/scope?kind=ip&value=" + inc.AttackerIP:          {"graph"},
		"/?filter=" + url.QueryEscape(`eventType eq "x"`): nil,
	} {
		page := mustStatus(t, get(t, h, target), http.StatusOK)
		var got []string
		for _, m := range pictureBox.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
			if m[1] != m[2] || !strings.Contains(page, `<script type="application/json" id="`+m[1]+`-data">`) {
				t.Errorf("%s: picture %s has no data block", target, m[1])
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: pictures %q, want %q", target, got, want)
		}
		loads := strings.Contains(page, `<script src="/assets/pictures.js?v=`) && strings.Contains(page, `href="/assets/pictures.css?v=`)
		if loads != (len(want) > 0) {
			t.Errorf("%s: loads the pictures' script and CSS: %v", target, loads)
		}
	}
	page := mustStatus(t, get(t, h, "/scope?kind=ip&value="+inc.AttackerIP), http.StatusOK)
	data := between(page, `<script type="application/json" id="graph-data">`, "</script>")
	var graph struct {
		Pivots map[string][]struct{ Label, URL string } `json:"pivots"`
	}
	if err := json.Unmarshal([]byte(data), &graph); err != nil {
		t.Fatalf("graph data: %v\n%.300s", err, data)
	}
	links := graph.Pivots["user:"+inc.UserID]
	if !slices.ContainsFunc(links, func(l struct{ Label, URL string }) bool {
		return l.Label == "timeline" && strings.HasPrefix(l.URL, "/timeline?kind=user&value="+inc.UserID)
	}) {
		t.Errorf("the victim's pivots %+v lack its timeline", links)
	}
	for _, path := range []string{"/assets/pictures.js", "/assets/pictures.css"} {
		if rec := get(t, h, path); rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
			t.Errorf("%s: status %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
}
