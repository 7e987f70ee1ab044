package timeline

import "sort"

// OpenAttacks returns, for a caller that follows a live stream (oktascope
// watch), the flows not yet retired that hold an mfa_fatigue,
// session_hijack, recovery_takeover or impossible_travel deviation, as they
// stand: an attack
// is reported the moment its deviation appears, not when its flow retires.
// The flows are published as Finish would publish them now (the messages
// of bursts still growing say what is known so far), in order of their
// first event; the Builder itself is left as it was, and a later Retire or
// Finish publishes the same deviations, grown perhaps, never fewer.
//
// It looks at every flow held, which a streaming Builder keeps to the
// active window.
func (b *Builder) OpenAttacks() []Flow {
	if b.done != nil {
		return nil
	}
	var out []Flow
	written := false
	for _, fs := range b.flows {
		if fs.retired || len(fs.devs) == 0 {
			continue
		}
		if !written {
			// The messages of bursts in progress, as of now (finish
			// rewrites them from the burst's state each time).
			for _, inc := range b.fatigues {
				inc.finish(b.opts)
			}
			written = true
		}
		if w := fs.watch; w != nil {
			w.finish(b.opts)
		}
		snapshot := *fs // publish settles the kind: on a copy, so that the flow stays open
		out = append(out, snapshot.publish())
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
