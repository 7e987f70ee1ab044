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
var keptDebugData = [...]string{"behaviors", "authnRequestId", "requestUri"}

// keptMembers returns an Object of debugData's members in keptDebugData.
// Of a debugData not decoded yet, it keeps their JSON, not decoded either.
func keptMembers(debugData *Object) Object {
	var raw []byte
	decoded := false
	for _, key := range keptDebugData {
		value, found, ok := debugData.memberJSON(key, false)
		if !ok {
			decoded = true
			break
		}
		if !found {
			continue
		}
		raw = append(raw, ',', '"')
		raw = append(append(raw, key...), '"', ':')
		raw = append(raw, value...)
	}
	if !decoded {
		if raw == nil {
			return Object{}
		}
		raw[0] = '{'
		return Object{raw: append(raw, '}')}
	}
	var m map[string]any
	for _, key := range keptDebugData {
		if v, found := debugData.Get(key); found {
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
