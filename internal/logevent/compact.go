package logevent

import "slices"

// Compact returns a copy of the event without what weighs most and what the
// analyses of flows and reach (timelines, scopes, detections) do not read:
// the raw JSON, the request's IP chain, the transaction's detail, the
// free-form detail entries of the actor and targets and the device's
// integrator, and the debug data but the members in keptDebugData. Paths
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
	e.Transaction.Detail = Object{}
	e.Actor.DetailEntry = Object{}
	e.DebugContext.DebugData = keptMembers(&e.DebugContext.DebugData)
	if e.Device != nil {
		e.Device.DeviceIntegrator = Object{}
	}
	for i := range e.Target {
		e.Target[i].DetailEntry = Object{}
	}
}

// keptDebugData are the members of debugData that Compact keeps: Okta's
// behaviour verdict (recovery takeovers read it), and what tells the
// engine of a sign-in and ties Classic Engine's MFA to its sign-in (the
// request's URI, the sign-in's request id).
var keptDebugData = []string{"behaviors", "authnRequestId", "requestUri"}

// keptMembers returns an Object of debugData's members in keptDebugData.
// Of a debugData not decoded yet, it keeps their JSON, not decoded either,
// found in one reading of it.
func keptMembers(debugData *Object) Object {
	var found [3][]byte
	if !debugData.decoded {
		obj := objectJSON(debugData.raw)
		if obj == nil {
			return Object{} // decodeObject decodes nothing
		}
		if findMembers(obj, keptDebugData, found[:]) {
			return membersObject(found[:])
		}
	}
	var m map[string]any
	for _, key := range keptDebugData {
		if v, ok := debugData.Get(key); ok {
			if m == nil {
				m = map[string]any{}
			}
			m[key] = v
		}
	}
	if m == nil {
		return Object{}
	}
	return NewObject(m)
}

// membersObject writes the members of keptDebugData whose values are
// found as one JSON object, in one allocation.
func membersObject(values [][]byte) Object {
	size := 1
	for i, v := range values {
		if v != nil {
			size += len(keptDebugData[i]) + len(v) + 4 // ,"key":
		}
	}
	if size == 1 {
		return Object{}
	}
	raw := make([]byte, 0, size)
	for i, v := range values {
		if v != nil {
			raw = append(raw, ',', '"')
			raw = append(append(raw, keptDebugData[i]...), '"', ':')
			raw = append(raw, v...)
		}
	}
	raw[0] = '{'
	return Object{raw: append(raw, '}')}
}
