package web

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oktascope/oktascope/internal/samples"
	"github.com/oktascope/oktascope/internal/synth"
	"github.com/oktascope/oktascope/internal/timeline"
)

// The pictures in a real browser (docs/web.md): for each planted incident
// of a generated log, the scope graph holds the attacker's address and the
// victim, the swimlanes show the incident's deviation, the map draws the
// sign-ins; a graph too big to read is cut with "… and N more" nodes; every
// table fits at 1,280 and 800 pixels; nothing breaks the CSP.
//
//	OKTASCOPE_SCREENSHOT_DIR=/tmp/shots go test ./internal/web -run BrowserPictures -v
//	go test ./internal/web -run BrowserPictures -update-screenshot   # also writes docs/pictures-*.png

// incidentDeviation is the deviation each planted incident raises.
var incidentDeviation = map[synth.IncidentKind]timeline.DeviationKind{
	synth.MFAPushFatigue:        timeline.MFAFatigue,
	synth.PasswordResetTakeover: timeline.RecoveryTakeover,
	synth.SessionHijack:         timeline.SessionHijack,
}

func TestBrowserPictures(t *testing.T) {
	const token = "pictures-token"
	ctx, srv, g, seen := browserOnStore(t, token, 5*time.Minute)
	must(t, ctx, "open with the token link", chromedp.Navigate(srv.URL+"/?token="+token), chromedp.WaitVisible(chromedp.CSS("table.results")))

	incidents := g.Incidents()
	samples.CheckIncidents(t, incidents)
	for _, inc := range incidents {
		t.Run(string(inc.Kind), func(t *testing.T) {
			browserGraph(t, ctx, srv.URL, inc)
			must(t, ctx, "open the victim's timeline", chromedp.Navigate(srv.URL+"/timeline?kind=user&value="+inc.UserID),
				chromedp.WaitVisible(chromedp.CSS("section.flow")), pictureDrawn("lanes"), pictureDrawn("map"))
			browserLanes(t, ctx, inc)
			browserMap(t, ctx, inc)
		})
	}
	t.Run("a graph cut to be readable", func(t *testing.T) { browserBigGraph(t, ctx, srv.URL, token, busiestOfficeIP(t, 5000, 3)) })
	t.Run("tables fit", func(t *testing.T) {
		hijack := incidents[len(incidents)-1]
		pages := []string{
			"/?filter=" + url.QueryEscape(`eventType eq "user.session.start"`),
			"/hunt?playbook=user-signin&value=" + hijack.UserID,
			"/timeline?kind=user&value=" + hijack.UserID,
			"/scope?kind=ip&value=" + hijack.AttackerIP + "&depth=2",
			"/scope?kind=ip&value=" + busiestOfficeIP(t, 5000, 3) + "&depth=2&maxShared=0", // its lists cut
			"/event?uuid=" + url.QueryEscape(hijack.EventUUIDs[0]),
		}
		for _, width := range []int64{1280, 800} {
			for _, page := range pages {
				browserTablesFit(t, ctx, srv.URL, page, width)
			}
		}
		must(t, ctx, "back to the wide window", chromedp.EmulateViewport(1440, 1200))
	})
	seen.check(t)
}

// pictureDrawn waits until the picture of a kind is drawn (or failed).
func pictureDrawn(kind string) chromedp.Action[chromedp.Void] {
	return waitFor(`(document.querySelector('[data-picture="` + kind + `"]') || {}).dataset?.drawn !== undefined`)
}

// drawnOK fails the test when a picture could not be drawn.
func drawnOK(t *testing.T, ctx context.Context, kind string) {
	t.Helper()
	if got := eval[string](t, ctx, `document.querySelector('[data-picture="`+kind+`"]').dataset.drawn`); got != "true" {
		msg := eval[string](t, ctx, `document.querySelector('[data-picture="`+kind+`"]').textContent`)
		t.Fatalf("the %s was not drawn (%s): %s", kind, got, msg)
	}
}

// browserGraph opens the scope of the attacker's address and of the victim
// and finds both in the graph, the address singled out as cited by an
// attack; picking the victim offers its timeline.
func browserGraph(t *testing.T, ctx context.Context, base string, inc synth.Incident) {
	victim, attacker := `[data-id="user:`+inc.UserID+`"]`, `[data-id="ip:`+inc.AttackerIP+`"]`
	for _, ind := range []string{"kind=ip&value=" + url.QueryEscape(inc.AttackerIP), "kind=user&value=" + inc.UserID} {
		must(t, ctx, "open the scope", chromedp.Navigate(base+"/scope?"+ind+"&depth=2"), chromedp.WaitVisible(chromedp.ID("scope-summary")), pictureDrawn("graph"))
		drawnOK(t, ctx, "graph")
		for what, sel := range map[string]string{"victim": victim, "attacker's address": attacker} {
			if n := eval[int](t, ctx, `document.querySelectorAll('svg.graph g.node`+sel+`').length`); n != 1 {
				t.Errorf("scope %s: %d nodes of the %s (%s)", ind, n, what, sel)
			}
		}
		if cls := eval[string](t, ctx, `document.querySelector('svg.graph g.node`+attacker+`').getAttribute("class")`); !strings.Contains(cls, "attack") {
			t.Errorf("scope %s: the attacker's address is not marked as cited by an attack: %q", ind, cls)
		}
		indicator := eval[string](t, ctx, `document.querySelector('svg.graph g.node.indicator').dataset.id`)
		if want := map[bool]string{true: "ip:" + inc.AttackerIP, false: "user:" + inc.UserID}[strings.HasPrefix(ind, "kind=ip")]; indicator != want {
			t.Errorf("scope %s: indicator node %s, want %s", ind, indicator, want)
		}
	}
	must(t, ctx, "pick the victim", chromedp.Click(chromedp.CSS(`svg.graph g.node`+victim)), chromedp.WaitVisible(chromedp.CSS(".graph-pick a.chip")))
	links := eval[[]string](t, ctx, `[...document.querySelectorAll(".graph-pick a.chip")].map(a => a.getAttribute("href"))`)
	if !strings.Contains(strings.Join(links, " "), "/timeline?kind=user&value="+inc.UserID) {
		t.Errorf("the victim's pivots %q lack its timeline", links)
	}
	if faded := eval[int](t, ctx, `document.querySelectorAll("svg.graph g.node.faded").length`); faded == 0 {
		t.Error("picking a node fades none of the others")
	}
	screenshot(t, ctx, "graph-"+string(inc.Kind)+".png")
}

// browserLanes finds the incident's deviation on a flow of the victim's
// swimlanes (for the hijack, in the lane of the hijacked session); hovering
// a cited step shows it, clicking it marks its row.
func browserLanes(t *testing.T, ctx context.Context, inc synth.Incident) {
	drawnOK(t, ctx, "lanes")
	want := string(incidentDeviation[inc.Kind])
	titles := eval[[]string](t, ctx, `[...document.querySelectorAll("svg.lanes rect.flow.dev")].map(r => r.querySelector("title").textContent)`)
	if !strings.Contains(strings.Join(titles, "\n"), want) {
		t.Errorf("the swimlanes of %s show deviations %q, want %s", inc.UserLogin, titles, want)
	}
	if inc.Kind == synth.SessionHijack {
		lane := eval[string](t, ctx, `[...document.querySelectorAll("svg.lanes g.lane")].find(g => g.querySelector("rect.flow.dev title")?.textContent.includes("session_hijack"))?.querySelector("text.lane-label title")?.textContent ?? ""`)
		if !strings.Contains(lane, inc.SessionIDs[0]) {
			t.Errorf("the hijack is marked in lane %q, not in the hijacked session %s", lane, inc.SessionIDs[0])
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("svg.lanes .dev-mark").length`); n == 0 {
		t.Error("no deviation marker on the swimlanes")
	}
	step := `svg.lanes rect.step.flagged`
	// Steps minutes apart overlap on an axis of hours: the events go to
	// the step itself, as a pointer on it would send them.
	uuid := eval[string](t, ctx, `document.querySelector("`+step+`").dataset.uuid`)
	must(t, ctx, "click a cited step", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+step+`").dispatchEvent(new MouseEvent("mouseenter"))`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("`+step+`").dispatchEvent(new MouseEvent("click", {bubbles: true}))`),
		waitFor(`document.getElementById(`+strconv.Quote("ev-"+uuid)+`).classList.contains("jumped")`))
	if info := eval[string](t, ctx, `document.querySelector('[data-picture="lanes"] .picture-info').textContent`); !strings.Contains(info, "cited by a deviation") {
		t.Errorf("hovering a cited step shows %q", info)
	}
	if top := eval[float64](t, ctx, `document.getElementById(`+strconv.Quote("ev-"+uuid)+`).getBoundingClientRect().top`); top < 0 || top > 1200 {
		t.Errorf("the cited step's row is not in view after the click (top %v)", top)
	}
	screenshot(t, ctx, "lanes-"+string(inc.Kind)+".png")
}

// browserMap finds every sign-in place of the victim's timeline drawn on
// the land, and the attacker's place among them.
func browserMap(t *testing.T, ctx context.Context, inc synth.Incident) {
	drawnOK(t, ctx, "map")
	data := eval[struct {
		Places []struct {
			IPs []string `json:"ips"`
		} `json:"places"`
		SignIns int `json:"signIns"`
	}](t, ctx, `JSON.parse(document.getElementById("map-data").textContent)`)
	drawn := eval[int](t, ctx, `document.querySelectorAll("svg.map g.place").length`)
	if data.SignIns == 0 || len(data.Places) < 2 || drawn != len(data.Places) {
		t.Errorf("map: %d sign-ins, %d places, %d drawn: want the sign-ins of at least 2 places, all drawn", data.SignIns, len(data.Places), drawn)
	}
	if !strings.Contains(fmt.Sprint(data.Places), inc.AttackerIP) {
		t.Errorf("the attacker's address %s is at none of the places %v", inc.AttackerIP, data.Places)
	}
	if land := eval[int](t, ctx, `document.querySelector("svg.map path.land").getAttribute("d").length`); land < 10000 {
		t.Errorf("the land outline is %d characters of path", land)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("svg.map g.leg").length`); n == 0 {
		t.Error("no line between the places")
	}
	must(t, ctx, "scroll to the map", chromedp.ScrollIntoView(chromedp.ID("timeline-map")))
	png := screenshot(t, ctx, "map-"+string(inc.Kind)+".png")
	if inc.Kind == synth.SessionHijack && *updateScreenshot {
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("timeline-map")))
		if err != nil || len(png) == 0 {
			t.Fatalf("screenshot of the map: %v", err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "pictures-map.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// browserBigGraph scopes the office address with the most users at depth
// 2, through every shared link (maxShared 0): more nodes than a graph can
// show, so it is cut, with "… and N more" nodes; and more rows than the
// page lists, so its tables are cut too (render.CutScope), each saying so
// with a link to the whole report, which /api/scope serves.
func browserBigGraph(t *testing.T, ctx context.Context, base, token, ip string) {
	query := "kind=ip&value=" + ip + "&depth=2&maxShared=0"
	must(t, ctx, "open a wide scope", chromedp.Navigate(base+"/scope?"+query),
		chromedp.WaitVisible(chromedp.ID("scope-summary")), pictureDrawn("graph"))
	drawnOK(t, ctx, "graph")
	rows, bound, lists, _ := scopeRows(t, apiGet(t, base+"/api/scope?"+query, token))
	page := eval[[]int](t, ctx, `[document.querySelectorAll("main tbody tr").length, document.querySelectorAll("main p.more a.all-json").length,
	  document.documentElement.outerHTML.length]`)
	t.Logf("wide scope: %d table rows shown (at most %d) of the report's %d (%v), %d lists cut", page[0], bound, rows, lists, page[1])
	if rows <= bound || page[0] > bound || page[1] == 0 {
		t.Errorf("wide scope: %d table rows shown of %d (at most %d), %d lists say they are cut: want the rows cut", page[0], rows, bound, page[1])
	}
	nodes := eval[int](t, ctx, `document.querySelectorAll("svg.graph g.node:not(.more)").length`)
	more := eval[[]string](t, ctx, `[...document.querySelectorAll("svg.graph g.node.more")].map(g => g.querySelector("title").textContent)`)
	if nodes != 100 || len(more) == 0 || !strings.HasPrefix(more[0], "… and ") {
		t.Errorf("wide scope: %d nodes and %q, want 100 and … and N more", nodes, more)
	}
	ms := eval[string](t, ctx, `document.querySelector('[data-picture="graph"]').dataset.renderMs`)
	layout := eval[string](t, ctx, `document.body.dataset.layoutMs`)
	t.Logf("graph of %d nodes and %d standing for the others drawn in %s ms, after the page's first layout in %s ms (BenchmarkBrowserGraph measures it)", nodes, len(more), ms, layout)
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("scope-graph")))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "graph-wide.png")

	// Through shared links (maxShared 1), which are drawn apart: dashed,
	// on the rim, farther from the middle than the rest.
	must(t, ctx, "open a scope with shared links", chromedp.Navigate(base+"/scope?kind=ip&value="+ip+"&depth=2&maxShared=1"),
		chromedp.WaitVisible(chromedp.ID("scope-summary")), pictureDrawn("graph"))
	drawnOK(t, ctx, "graph")
	apart := eval[[]float64](t, ctx, `(() => {
	  const at = (g) => g.getAttribute("transform").match(/-?[0-9.]+/g).map(Number);
	  const nodes = [...document.querySelectorAll("svg.graph g.node:not(.more)")].map((g) => ({ shared: g.classList.contains("shared"), xy: at(g) }));
	  const cx = nodes.reduce((s, n) => s + n.xy[0], 0) / nodes.length, cy = nodes.reduce((s, n) => s + n.xy[1], 0) / nodes.length;
	  const mean = (list) => list.reduce((s, n) => s + Math.hypot(n.xy[0] - cx, n.xy[1] - cy), 0) / Math.max(1, list.length);
	  const shared = nodes.filter((n) => n.shared);
	  return [shared.length, document.querySelectorAll("svg.graph line.edge.shared").length, mean(shared), mean(nodes.filter((n) => !n.shared))];
	})()`)
	if apart[0] == 0 || apart[1] == 0 || apart[2] <= apart[3] {
		t.Errorf("shared links: %v nodes, %v dashed edges, %.0f from the middle against %.0f for the others: want them drawn apart", apart[0], apart[1], apart[2], apart[3])
	}
	if *updateScreenshot {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "pictures-graph.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// browserTablesFit opens a page at a window width and checks every table:
// it fits the page (or scrolls in its own box), no cell's content spills
// over its neighbour, and each row shows as many cells as the header.
func browserTablesFit(t *testing.T, ctx context.Context, base, page string, width int64) {
	must(t, ctx, "open "+page, chromedp.EmulateViewport(width, 1000), chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main")), settled())
	problems := eval[[]string](t, ctx, tableProblemsJS)
	tables := eval[int](t, ctx, `document.querySelectorAll("main table").length`)
	if tables == 0 && !strings.Contains(page, "/event?") {
		t.Errorf("%d px, %s: no table to check", width, page)
	}
	for _, p := range problems {
		t.Errorf("%d px, %s: %s", width, page, p)
	}
	screenshot(t, ctx, fmt.Sprintf("tables-%d-%s.png", width, cmp.Or(strings.Trim(strings.SplitN(page, "?", 2)[0], "/"), "search")))
}

// tableProblemsJS lists, for every table of the page, what does not fit.
const tableProblemsJS = `(() => {
  const out = [];
  const page = document.documentElement.clientWidth;
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  document.querySelectorAll("main table").forEach((table, i) => {
    const name = "table " + (i + 1) + " (" + (table.id || table.className) + ")";
    let box = table.parentElement, scrolls = false;
    for (; box && box !== document.body; box = box.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) { scrolls = true; break; }
    }
    const right = table.getBoundingClientRect().right;
    if (!scrolls && right > page + 1) {
      out.push(name + " is " + Math.round(right) + " px wide in a page of " + page);
    }
    const head = [...table.querySelectorAll("thead th")].filter(visible).length;
    table.querySelectorAll("tbody tr").forEach((tr, r) => {
      const cells = [...tr.children].filter(visible);
      const span = cells.reduce((n, c) => n + (c.colSpan || 1), 0);
      if (head > 0 && span !== head) {
        out.push(name + " row " + (r + 1) + ": " + span + " cells under " + head + " headers");
      }
      cells.forEach((c, k) => {
        if (c.scrollWidth > c.clientWidth + 1) {
          out.push(name + " row " + (r + 1) + " cell " + (k + 1) + ": " + c.scrollWidth + " px of content in " + c.clientWidth + " (" + c.textContent.trim().slice(0, 40) + ")");
        }
      });
    });
  });
  return out.slice(0, 20);
})()`

// apiGet reads an API response as a client with the token would.
func apiGet(t testing.TB, target, token string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v: %.300s", target, resp.StatusCode, err, body)
	}
	return body
}

// BenchmarkBrowserGraph measures in chromium the drawing of the widest
// scope graph of the browser test (cut to 100 nodes and the nodes standing
// for the others, as every graph is, whatever the store's size): ms/draw
// is the layout by d3-force and the SVG, as the page's script times it
// (data-render-ms); ms/layout the page's first layout before it; ms/page
// the whole load, the server's scope included; ms/server the time to the
// response's first byte (the server renders the whole page first), and
// ms/first-draw from there until the graph is drawn (the deferred script
// draws before DOMContentLoaded): the browser's part. KB/page and rows
// are the page's size and its table rows. OKTASCOPE_BENCH_SCOPE_URL names
// another scope page to measure instead (a server of a big store:
// docs/performance.md).
//
//	go test ./internal/web -run '^$' -bench BrowserGraph -benchtime 10x
func BenchmarkBrowserGraph(b *testing.B) {
	path := requireBrowser(b)
	target := os.Getenv("OKTASCOPE_BENCH_SCOPE_URL")
	if target == "" {
		st, _ := buildStore(b, filepath.Join(b.TempDir(), "bench.db"), 5000, 3)
		b.Cleanup(func() { st.Close() })
		srv := httptest.NewServer(New(st, Options{}))
		b.Cleanup(srv.Close)
		target = srv.URL + "/scope?kind=ip&value=" + busiestOfficeIP(b, 5000, 3) + "&depth=2&maxShared=0"
	}
	ctx := newBrowserFor(b, path, 10*time.Minute)
	var page time.Duration
	var draw, layout, server, firstDraw float64
	nodes, rows, size := 0, 0, 0
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		must(b, ctx, "open the scope", chromedp.Navigate(target), pictureDrawn("graph"))
		page += time.Since(start)
		ms, err := strconv.ParseFloat(eval[string](b, ctx, `document.querySelector('[data-picture="graph"]').dataset.renderMs`), 64)
		if err != nil {
			b.Fatal(err)
		}
		first, err := strconv.ParseFloat(eval[string](b, ctx, `document.body.dataset.layoutMs`), 64)
		if err != nil {
			b.Fatal(err)
		}
		draw, layout = draw+ms, layout+first
		nodes = eval[int](b, ctx, `document.querySelectorAll("svg.graph g.node").length`)
		timing := eval[[]float64](b, ctx, `(() => { const n = performance.getEntriesByType("navigation")[0];
		  return [n.responseStart, n.domContentLoadedEventStart, n.decodedBodySize, document.querySelectorAll("main tbody tr").length] })()`)
		server, firstDraw = server+timing[0], firstDraw+timing[1]-timing[0]
		size, rows = int(timing[2]), int(timing[3])
	}
	b.ReportMetric(draw/float64(b.N), "ms/draw")
	b.ReportMetric(layout/float64(b.N), "ms/layout")
	b.ReportMetric(float64(page.Milliseconds())/float64(b.N), "ms/page")
	b.ReportMetric(server/float64(b.N), "ms/server")
	b.ReportMetric(firstDraw/float64(b.N), "ms/first-draw")
	b.ReportMetric(float64(size)/1024, "KB/page")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(nodes), "nodes")
}
