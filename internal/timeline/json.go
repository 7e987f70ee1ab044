package timeline

import (
	"encoding/json"
	"io"
)

// The JSON form of a timeline (docs/timeline.md, issue 6):
//
//	{"flows":[{"kind","session","engine","transactions":[],"actor":{"id","alternateId"},"start","end",
//	  "complete","steps":[{"uuid","published","eventType","step",
//	  "description","outcome","ip"}],"deviations":[{"kind","message","uuids"}]}]}
type jsonTimeline struct {
	Flows []jsonFlow `json:"flows"`
}

type jsonFlow struct {
	Kind         Kind            `json:"kind"`
	Session      string          `json:"session"`
	Engine       Engine          `json:"engine"`
	Transactions []string        `json:"transactions"`
	Actor        jsonActor       `json:"actor"`
	Start        string          `json:"start"`
	End          string          `json:"end"`
	Complete     bool            `json:"complete"`
	Steps        []jsonStep      `json:"steps"`
	Deviations   []jsonDeviation `json:"deviations"`
}

type jsonActor struct {
	ID          string `json:"id"`
	AlternateID string `json:"alternateId"`
}

type jsonStep struct {
	UUID        string `json:"uuid"`
	Published   string `json:"published"`
	EventType   string `json:"eventType"`
	Step        string `json:"step"`
	Description string `json:"description"`
	Outcome     string `json:"outcome"`
	IP          string `json:"ip"`
}

type jsonDeviation struct {
	Kind    DeviationKind `json:"kind"`
	Message string        `json:"message"`
	UUIDs   []string      `json:"uuids"`
}

// MarshalJSON encodes the timeline in the schema of docs/timeline.md. Times
// are RFC 3339 in UTC with milliseconds; absent values are empty strings;
// arrays are never null.
func (t Timeline) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.jsonForm())
}

// WriteJSON writes the timeline as indented JSON (see MarshalJSON).
func (t Timeline) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t.jsonForm())
}

func (t Timeline) jsonForm() jsonTimeline {
	out := jsonTimeline{Flows: make([]jsonFlow, 0, len(t.Flows))}
	for _, f := range t.Flows {
		out.Flows = append(out.Flows, jsonFlowOf(f))
	}
	return out
}

func jsonFlowOf(f Flow) jsonFlow {
	jf := jsonFlow{
		Kind: f.Kind, Session: f.Session, Engine: f.Engine, Transactions: f.Transactions,
		Actor: jsonActor{ID: f.Actor.ID, AlternateID: f.Actor.AlternateID},
		Start: stamp(f.Start), End: stamp(f.End), Complete: f.Complete,
		Steps: make([]jsonStep, 0, len(f.Steps)), Deviations: make([]jsonDeviation, 0, len(f.Deviations)),
	}
	for _, s := range f.Steps {
		e := s.Event
		jf.Steps = append(jf.Steps, jsonStep{
			UUID: e.UUID, Published: stamp(e.Time), EventType: e.EventType, Step: s.Label,
			Description: s.Description, Outcome: e.Outcome.Result, IP: clientIP(e),
		})
	}
	if jf.Transactions == nil {
		jf.Transactions = []string{}
	}
	for _, d := range f.Deviations {
		uuids := d.UUIDs
		if uuids == nil {
			uuids = []string{}
		}
		jf.Deviations = append(jf.Deviations, jsonDeviation{Kind: d.Kind, Message: d.Message, UUIDs: uuids})
	}
	return jf
}
