package logevent

import "slices"

// Compact returns a copy of the event without what weighs most and what the
// analyses of flows and reach (timelines, scopes, detections) do not read:
// the raw JSON, the request's IP chain, the transaction, the free-form
// detail entries of the actor and targets and the device's integrator, and
// the debug data but Okta's behaviour verdict (debugData.behaviors). Paths
// into those parts find nothing in the copy. The copy shares no mutable
// state with e.
func (e *Event) Compact() *Event {
	c := &Event{Time: e.Time, LogEvent: e.LogEvent}
	c.Target = slices.Clone(e.Target)
	if e.Device != nil {
		d := *e.Device
		c.Device = &d
	}
	c.Trim()
	return c
}

// Trim drops in place what Compact leaves out of its copy: for the owner of
// an event who is done with the rest, it spares the copy.
func (e *Event) Trim() {
	e.Raw, e.generic = nil, nil
	e.Request = Request{}
	e.Transaction = Transaction{}
	e.Actor.DetailEntry = Object{}
	e.DebugContext.DebugData = behaviorsOnly(&e.DebugContext.DebugData)
	if e.Device != nil {
		e.Device.DeviceIntegrator = Object{}
	}
	for i := range e.Target {
		e.Target[i].DetailEntry = Object{}
	}
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
