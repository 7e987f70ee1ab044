package render

import (
	"fmt"
	"strings"

	"github.com/oktascope/oktascope/internal/logevent"
)

// Column is one column of a table or CSV: a header and how to read it.
type Column struct {
	Header string
	Value  func(*logevent.Event) string
	// Flex marks the column that takes the width left over (the message).
	Flex bool
}

// DefaultColumns are the columns of the Okta console's System Log: time,
// actor, event type, outcome, IP, location and message.
func DefaultColumns() []Column {
	return []Column{
		namedColumns["time"], namedColumns["actor"], namedColumns["eventtype"],
		namedColumns["outcome"], namedColumns["ip"], namedColumns["location"], namedColumns["message"],
	}
}

var namedColumns = map[string]Column{
	"time":      {Header: "TIME", Value: func(e *logevent.Event) string { return e.Time.Format("2006-01-02T15:04:05.000Z") }},
	"actor":     {Header: "ACTOR", Value: actorText},
	"eventtype": {Header: "EVENT TYPE", Value: func(e *logevent.Event) string { return e.EventType }},
	"outcome":   {Header: "OUTCOME", Value: outcomeText},
	"ip":        {Header: "IP", Value: func(e *logevent.Event) string { return e.Client.IPAddress }},
	"location":  {Header: "LOCATION", Value: Location},
	"message":   {Header: "MESSAGE", Value: func(e *logevent.Event) string { return e.DisplayMessage }, Flex: true},
	"session":   {Header: "SESSION", Value: func(e *logevent.Event) string { return e.AuthenticationContext.ExternalSessionID }},
	"uuid":      {Header: "UUID", Value: func(e *logevent.Event) string { return e.UUID }},
}

// ParseColumns reads a --fields list: names of the default columns (time,
// actor, eventType, outcome, ip, location, message, session, uuid) or any
// LogEvent dotted path (all values of an array path, joined by "|").
func ParseColumns(list string) ([]Column, error) {
	var cols []Column
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if c, ok := namedColumns[strings.ToLower(name)]; ok {
			cols = append(cols, c)
			continue
		}
		cols = append(cols, pathColumn(name))
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("--fields: no field named")
	}
	return cols, nil
}

func pathColumn(path string) Column {
	p := logevent.CompilePath(path)
	return Column{Header: path, Value: func(e *logevent.Event) string {
		var parts []string
		for _, v := range p.Values(e) {
			parts = append(parts, valueText(v))
		}
		return strings.Join(parts, "|")
	}}
}

// valueText prints a path value as text: a scalar as the filter language
// sees it (logevent.Value.Text), an object as "{…}".
func valueText(v logevent.Value) string {
	if s, ok := v.Text(); ok {
		return s
	}
	return "{…}"
}

func actorText(e *logevent.Event) string {
	if e.Actor.AlternateID != "" {
		return e.Actor.AlternateID
	}
	if e.Actor.DisplayName != "" {
		return e.Actor.DisplayName
	}
	return e.Actor.ID
}

func outcomeText(e *logevent.Event) string {
	if e.Outcome.Reason != "" {
		return e.Outcome.Result + ": " + e.Outcome.Reason
	}
	return e.Outcome.Result
}
