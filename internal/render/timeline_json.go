package render

import (
	"encoding/json"

	"github.com/oktascope/oktascope/internal/timeline"
)

// The JSON form of a timeline (docs/timeline.md):
//
//	{"flows":[{"kind","session","engine","transactions":[],"actor":{"id","alternateId"},"start","end",
//	  "complete","steps":[{"uuid","published","eventType","step",
//	  "description","outcome","ip"}],"deviations":[{"kind","message","uuids"}]}]}
//
// Times are RFC 3339 in UTC with milliseconds; absent values are empty
// strings; arrays are never null.
type timelineJSON struct {
	Flows []flowJSON `json:"flows"`
}

type flowJSON struct {
	Kind         timeline.Kind   `json:"kind"`
	Session      string          `json:"session"`
	Engine       timeline.Engine `json:"engine"`
	Transactions []string        `json:"transactions"`
	Actor        flowActorJSON   `json:"actor"`
	Start        string          `json:"start"`
	End          string          `json:"end"`
	Complete     bool            `json:"complete"`
	Steps        []stepJSON      `json:"steps"`
	Deviations   []deviationJSON `json:"deviations"`
}

type flowActorJSON struct {
	ID          string `json:"id"`
	AlternateID string `json:"alternateId"`
}

type stepJSON struct {
	UUID        string `json:"uuid"`
	Published   string `json:"published"`
	EventType   string `json:"eventType"`
	Step        string `json:"step"`
	Description string `json:"description"`
	Outcome     string `json:"outcome"`
	IP          string `json:"ip"`
}

type deviationJSON struct {
	Kind    timeline.DeviationKind `json:"kind"`
	Message string                 `json:"message"`
	UUIDs   []string               `json:"uuids"`
}

// MarshalTimeline encodes a timeline in its JSON form, compact (for
// embedding in an API answer).
func MarshalTimeline(tl timeline.Timeline) ([]byte, error) {
	return json.Marshal(timelineJSONOf(tl))
}

func timelineJSONOf(t timeline.Timeline) timelineJSON {
	out := timelineJSON{Flows: make([]flowJSON, 0, len(t.Flows))}
	for _, f := range t.Flows {
		out.Flows = append(out.Flows, flowJSONOf(f))
	}
	return out
}

func flowJSONOf(f timeline.Flow) flowJSON {
	jf := flowJSON{
		Kind: f.Kind, Session: f.Session, Engine: f.Engine, Transactions: orEmpty(f.Transactions),
		Actor: flowActorJSON{ID: f.Actor.ID, AlternateID: f.Actor.AlternateID},
		Start: stamp(f.Start), End: stamp(f.End), Complete: f.Complete,
		Steps: make([]stepJSON, 0, len(f.Steps)), Deviations: make([]deviationJSON, 0, len(f.Deviations)),
	}
	for _, s := range f.Steps {
		e := s.Event
		jf.Steps = append(jf.Steps, stepJSON{
			UUID: e.UUID, Published: stamp(e.Time), EventType: e.EventType, Step: s.Label,
			Description: s.Description, Outcome: e.Outcome.Result, IP: e.ClientIP(),
		})
	}
	for _, d := range f.Deviations {
		jf.Deviations = append(jf.Deviations, deviationJSON{Kind: d.Kind, Message: d.Message, UUIDs: orEmpty(d.UUIDs)})
	}
	return jf
}
