package render

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"slices"
	"time"

	"github.com/oktascope/oktascope/internal/scope"
	"github.com/oktascope/oktascope/internal/timeline"
)

// The pictures of the reports (docs/web.md): the scope as a graph, a
// timeline's flows as swimlanes, its sign-ins on a map. Go computes their
// data; the script assets/pictures.js (built from ui/ with esbuild, from
// d3-force, d3-geo, d3-scale, d3-shape, topojson-client and Natural
// Earth's land outlines) draws them into an element of the page that names
// a <script type="application/json"> holding the data. Every text in the
// data is escaped for display (Terminal); the script sets it with
// textContent, never as markup.

// PicturesJS is the drawing script, for the web UI's assets and the
// self-contained HTML reports.
//
//go:embed assets/pictures.js
var PicturesJS []byte

// PicturesCSS styles the pictures, for the web UI's assets and the
// self-contained HTML reports.
//
//go:embed assets/pictures.css
var PicturesCSS []byte

// pictureFuncs are the template functions of the self-contained pages that
// carry pictures (templates/page.html).
var pictureFuncs = template.FuncMap{
	"picturesHash": func() string { return picturesHash },
	"picturesJS":   func() template.JS { return template.JS(PicturesJS) },
	"picturesCSS":  func() template.CSS { return template.CSS(PicturesCSS) },
	"picture":      func(kind string, data any) pictureView { return pictureView{kind, data} },
}

// pictureTemplate writes a picture's box and data (templates/page.html).
var pictureTemplate = template.Must(template.New("page.html").Funcs(pictureFuncs).ParseFS(templates, "templates/page.html"))

// PictureHTML is a picture's box and its data block, for a page that loads
// the pictures' script and CSS: kind is graph, lanes or map, data what
// ScopeGraph, TimelineLanes or SignInMap returned.
func PictureHTML(kind string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := pictureTemplate.ExecuteTemplate(&b, "picture", pictureView{kind, data}); err != nil {
		return "", fmt.Errorf("render: picture %s: %w", kind, err)
	}
	return template.HTML(b.String()), nil
}

// pictureView is a picture of a page: its kind (graph, lanes, map) and its
// data, written as a JSON block.
type pictureView struct {
	Kind string
	Data any
}

// picturesHash is the script's CSP source expression ('sha256-…'), for a
// self-contained page that inlines it.
var picturesHash = func() string {
	sum := sha256.Sum256(PicturesJS)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// GraphPicture is the data of the scope graph.
type GraphPicture struct {
	Nodes []graphNodeJSON `json:"nodes"`
	Edges []graphEdgeJSON `json:"edges"`
	// Pivots are the links a node offers when it is picked (the web UI's
	// timeline, scope and search of its value), by node id.
	Pivots map[string][]PictureLink `json:"pivots,omitempty"`
}

// PictureLink is a pivot offered by a picture.
type PictureLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// ScopeGraph returns the data of the report's graph, its texts escaped.
func ScopeGraph(r *scope.Report) *GraphPicture {
	g := graphJSONOf(r.Graph)
	for i := range g.Nodes {
		n := &g.Nodes[i]
		n.Label, n.Value, n.Detail = Terminal(n.Label), Terminal(n.Value), Terminal(n.Detail)
	}
	return &GraphPicture{Nodes: g.Nodes, Edges: g.Edges}
}

// LanesPicture is the data of a timeline's swimlanes: one lane per session
// (per address for the flows without one), each flow a bar.
type LanesPicture struct {
	Lanes []laneJSON `json:"lanes"`
	// MoreLanes and MoreFlows count what was left out beyond MaxLanes.
	MoreLanes int `json:"moreLanes"`
	MoreFlows int `json:"moreFlows"`
}

type laneJSON struct {
	Label  string         `json:"label"`
	Detail string         `json:"detail"`
	Flows  []laneFlowJSON `json:"flows"`
}

type laneFlowJSON struct {
	Anchor     string              `json:"anchor"` // the flow's section in the page
	Kind       timeline.Kind       `json:"kind"`
	User       string              `json:"user"`
	Start      int64               `json:"start"` // ms since the epoch
	End        int64               `json:"end"`
	Complete   bool                `json:"complete"`
	Deviations []laneDeviationJSON `json:"deviations"`
	Steps      []laneStepJSON      `json:"steps"`
}

type laneDeviationJSON struct {
	Kind    timeline.DeviationKind `json:"kind"`
	Message string                 `json:"message"`
}

type laneStepJSON struct {
	UUID    string `json:"uuid"` // the step's row is "ev-" and it
	T       int64  `json:"t"`
	Label   string `json:"label"`
	Type    string `json:"type"`
	Outcome string `json:"outcome"`
	IP      string `json:"ip"`
	Failed  bool   `json:"failed"`
	Flagged bool   `json:"flagged"` // a deviation cites it
}

// MaxLanes is the most lanes drawn: those with deviations first, then the
// busiest.
const MaxLanes = 40

// TimelineLanes returns the data of a timeline's swimlanes.
func TimelineLanes(t timeline.Timeline) *LanesPicture {
	type lane struct {
		laneJSON
		first      time.Time
		events     int
		deviations int
		users      []string
	}
	byKey := map[string]*lane{}
	var lanes []*lane
	for i, f := range t.Flows {
		key, label := "session:"+f.Session, "session "+Terminal(f.Session)
		if f.Session == "" {
			ip := ""
			if len(f.Steps) > 0 {
				ip = f.Steps[0].Event.ClientIP()
			}
			key, label = "ip:"+ip, "no session · "+cmp.Or(Terminal(ip), "no address")
		}
		l := byKey[key]
		if l == nil {
			l = &lane{laneJSON: laneJSON{Label: label}, first: f.Start}
			byKey[key] = l
			lanes = append(lanes, l)
		}
		user := Terminal(cmp.Or(f.Actor.AlternateID, f.Actor.ID))
		if user != "" && !slices.Contains(l.users, user) {
			l.users = append(l.users, user)
		}
		l.events += len(f.Steps)
		l.deviations += len(f.Deviations)
		l.Flows = append(l.Flows, laneFlowOf(i, f, user))
	}
	pic := &LanesPicture{Lanes: []laneJSON{}}
	if len(lanes) > MaxLanes {
		slices.SortStableFunc(lanes, func(a, b *lane) int {
			return cmp.Or(cmp.Compare(min(b.deviations, 1), min(a.deviations, 1)), cmp.Compare(b.events, a.events))
		})
		for _, l := range lanes[MaxLanes:] {
			pic.MoreLanes++
			pic.MoreFlows += len(l.Flows)
		}
		lanes = lanes[:MaxLanes]
		slices.SortStableFunc(lanes, func(a, b *lane) int { return a.first.Compare(b.first) })
	}
	for _, l := range lanes {
		l.Detail = joinWords(l.users, "and")
		pic.Lanes = append(pic.Lanes, l.laneJSON)
	}
	return pic
}

func laneFlowOf(i int, f timeline.Flow, user string) laneFlowJSON {
	flagged := map[string]bool{}
	out := laneFlowJSON{Anchor: fmt.Sprintf("flow-%d", i+1), Kind: f.Kind, User: user,
		Start: f.Start.UnixMilli(), End: f.End.UnixMilli(), Complete: f.Complete,
		Deviations: []laneDeviationJSON{}, Steps: []laneStepJSON{}}
	for _, d := range f.Deviations {
		out.Deviations = append(out.Deviations, laneDeviationJSON{d.Kind, Terminal(d.Message)})
		for _, id := range d.UUIDs {
			flagged[id] = true
		}
	}
	for _, s := range f.Steps {
		e := s.Event
		out.Steps = append(out.Steps, laneStepJSON{
			UUID: Terminal(e.UUID), T: e.Time.UnixMilli(), Label: s.Label, Type: Terminal(e.EventType),
			Outcome: Terminal(e.Outcome.Result), IP: Terminal(e.ClientIP()), Failed: e.Outcome.Failed(), Flagged: flagged[e.UUID],
		})
	}
	return out
}

// MapPicture is the data of a timeline's sign-in map (timeline.Journey).
type MapPicture struct {
	Places     []placeJSON `json:"places"`
	Legs       []legJSON   `json:"legs"`
	SignIns    int         `json:"signIns"`
	Unplaced   int         `json:"unplaced"`
	MorePlaces int         `json:"morePlaces"`
	MoreLegs   int         `json:"moreLegs"`
	// TravelSpeed is the speed above which a leg is impossible, km/h.
	TravelSpeed float64 `json:"travelSpeed"`
}

type placeJSON struct {
	Lat     float64  `json:"lat"`
	Lon     float64  `json:"lon"`
	Label   string   `json:"label"`
	IPs     []string `json:"ips"`
	SignIns int      `json:"signIns"`
	Failed  int      `json:"failed"`
	First   int64    `json:"first"`
	Last    int64    `json:"last"`
	// Deviations are the kinds of the deviations citing its sign-ins.
	Deviations []timeline.DeviationKind `json:"deviations"`
}

type legJSON struct {
	From       int     `json:"from"`
	To         int     `json:"to"`
	FromTime   int64   `json:"fromTime"`
	ToTime     int64   `json:"toTime"`
	Km         float64 `json:"km"`
	KmPerHour  float64 `json:"kmPerHour"` // -1 when no time passed
	Trips      int     `json:"trips"`
	User       string  `json:"user"`
	Impossible bool    `json:"impossible"`
}

// SignInMap returns the data of a timeline's sign-in map.
func SignInMap(t timeline.Timeline) *MapPicture {
	j := t.Journey()
	pic := &MapPicture{Places: []placeJSON{}, Legs: []legJSON{}, SignIns: j.SignIns, Unplaced: j.Unplaced,
		MorePlaces: j.MorePlaces, MoreLegs: j.MoreLegs, TravelSpeed: t.Options.TravelSpeed}
	for _, p := range j.Places {
		pic.Places = append(pic.Places, placeJSON{Lat: p.Lat, Lon: p.Lon, Label: Terminal(p.Name()), IPs: escAll(orEmpty(p.IPs)),
			SignIns: p.SignIns, Failed: p.Failed, First: p.First.UnixMilli(), Last: p.Last.UnixMilli(), Deviations: orEmpty(p.Deviations)})
	}
	for _, l := range j.Legs {
		speed := l.KmPerHour
		if math.IsInf(speed, 0) {
			speed = -1
		}
		pic.Legs = append(pic.Legs, legJSON{From: l.From, To: l.To, FromTime: l.FromTime.UnixMilli(), ToTime: l.ToTime.UnixMilli(),
			Km: math.Round(l.Km), KmPerHour: math.Round(speed), Trips: l.Trips, User: Terminal(l.User), Impossible: l.Impossible})
	}
	return pic
}
