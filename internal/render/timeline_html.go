package render

import (
	"html/template"
	"strconv"

	"github.com/oktascope/oktascope/internal/timeline"
	"github.com/oktascope/oktascope/internal/timewindow"
)

// The HTML form of a timeline: one self-contained page (templates/
// timeline.html), inline CSS, the swimlanes and the sign-in map drawn by
// the pictures' script (inline, allowed by its hash), no external
// resource, a Content-Security-Policy that forbids any other script or
// resource, and every event field escaped by html/template after Terminal
// (so control and bidi characters show).

type timelineHTML struct {
	Options    timeline.Options
	Flows      []flowHTML
	Deviations int
	Lanes      *LanesPicture
	Map        *MapPicture
}

type flowHTML struct {
	Kind, Session, Actor, Login, UserID, Start, End string
	Complete                                        bool
	Steps                                           []stepHTML
	Deviations                                      []timeline.Deviation
}

type stepHTML struct {
	UUID, Time, Label, Description, EventType, Outcome, Reason string
	IP, Place, Network, UserAgent, Message                     string
	Failed, Flagged                                            bool
}

func timelineHTMLOf(t timeline.Timeline) timelineHTML {
	v := timelineHTML{Options: t.Options, Lanes: TimelineLanes(t), Map: SignInMap(t)}
	for _, f := range t.Flows {
		v.Deviations += len(f.Deviations)
		v.Flows = append(v.Flows, flowHTMLOf(f))
	}
	return v
}

func flowHTMLOf(f timeline.Flow) flowHTML {
	flagged := map[string]bool{}
	for _, d := range f.Deviations {
		for _, id := range d.UUIDs {
			flagged[id] = true
		}
	}
	hf := flowHTML{
		Kind: string(f.Kind), Session: Terminal(f.Session), Actor: Terminal(f.Actor.DisplayName),
		Login: Terminal(f.Actor.AlternateID), UserID: Terminal(f.Actor.ID),
		Start: stamp(f.Start), End: stamp(f.End), Complete: f.Complete,
	}
	for _, d := range f.Deviations {
		hf.Deviations = append(hf.Deviations, timeline.Deviation{Kind: d.Kind, Message: Terminal(d.Message), UUIDs: escAll(d.UUIDs)})
	}
	for _, s := range f.Steps {
		e := s.Event
		hf.Steps = append(hf.Steps, stepHTML{
			UUID: Terminal(e.UUID), Time: stamp(e.Time), Label: s.Label, Description: s.Description,
			EventType: Terminal(e.EventType), Outcome: Terminal(e.Outcome.Result), Reason: Terminal(e.Outcome.Reason),
			IP: Terminal(e.ClientIP()), Place: Terminal(place(e.Client.GeographicalContext)), Network: Terminal(Network(e)),
			UserAgent: Terminal(e.Client.UserAgent.RawUserAgent), Message: Terminal(e.DisplayMessage),
			Failed: e.Outcome.Failed(), Flagged: flagged[e.UUID],
		})
	}
	return hf
}

var timelinePage = template.Must(template.New("timeline.html").Funcs(pictureFuncs).Funcs(template.FuncMap{
	"inc":      func(i int) string { return strconv.Itoa(i + 1) },
	"duration": timewindow.Format,
}).ParseFS(templates, "templates/timeline.html", "templates/page.html"))
