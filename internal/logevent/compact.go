package logevent

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
	c.DebugContext.DebugData = Object{}
	if b, ok := e.DebugContext.DebugData.Get("behaviors"); ok {
		c.DebugContext.DebugData = NewObject(map[string]any{"behaviors": b})
	}
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
