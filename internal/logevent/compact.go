package logevent

import "slices"

// Compact returns a copy of the event without what weighs most and what the
// analyses of flows and reach (timelines, scopes, detections) do not read:
// the raw JSON, the request's IP chain, the transaction, the free-form
// detail entries of the actor and targets and the device's integrator, and
// the debug data but Okta's behaviour verdict (debugData.behaviors). Paths into those parts find
// nothing in the copy. The copy shares no mutable state with e.
func (e *Event) Compact() *Event {
	c := &Event{Time: e.Time, LogEvent: e.LogEvent}
	c.Request = Request{}
	c.Transaction = Transaction{}
	c.Actor.DetailEntry = Object{}
	c.DebugContext.DebugData = behaviorsOnly(&e.DebugContext.DebugData)
	if e.Device != nil {
		d := *e.Device
		d.DeviceIntegrator = Object{}
		c.Device = &d
	}
	c.Target = make([]Target, len(e.Target))
	for i, t := range e.Target {
		t.DetailEntry = Object{}
		c.Target[i] = t
	}
	return c
}

// behaviorsOnly returns an Object of debugData's member behaviors alone.
// Of a debugData not decoded yet, it keeps the member's JSON, not decoded
// either, in JSON of its own.
func behaviorsOnly(debugData *Object) Object {
	raw, found, ok := debugData.memberJSON("behaviors", false)
	switch {
	case ok && found:
		return Object{raw: slices.Concat([]byte(`{"behaviors":`), raw, []byte("}"))}
	case ok:
		return Object{}
	}
	if b, found := debugData.Get("behaviors"); found {
		return NewObject(map[string]any{"behaviors": b})
	}
	return Object{}
}
