package synth

import (
	"bufio"
	"io"
	"sort"
	"time"
)

// Options configures a Generator. The zero value is usable: every field
// left zero takes the default documented on it.
type Options struct {
	// Seed selects the org and its traffic; equal Options give byte-identical
	// output.
	Seed int64
	// Users is the number of people in the org (default 200).
	Users int
	// Start is the time of the earliest event (default 2025-03-03T00:00:00Z,
	// a Monday); it is truncated to the millisecond and converted to UTC.
	Start time.Time
	// Duration is the span the events cover (default 24h, at least 1h).
	// Every event is published in [Start, Start+Duration).
	Duration time.Duration
	// Events is the approximate number of events to produce (default
	// 10,000); the output lands within a few percent of it.
	Events int
	// Incidents plants the three attacks described on Incident.
	Incidents bool
	// Classic makes the org an Okta Classic Engine org (see the package
	// documentation, "Classic Engine orgs"). Left false, the org's sign-ins
	// follow the article's sequence, and the output is what it always was.
	Classic bool
	// Travel plants an ImpossibleTravel incident (with or without the three
	// of Incidents): the victim signs in at home, and within the hour
	// someone signs in as the victim from another continent.
	Travel bool
}

// DefaultStart is the Start used when Options.Start is zero.
var DefaultStart = time.Date(2025, time.March, 3, 0, 0, 0, 0, time.UTC)

const (
	defaultUsers    = 200
	defaultDuration = 24 * time.Hour
	minDuration     = time.Hour
	defaultEvents   = 10000
)

// withDefaults fills in zero fields and clamps out-of-range ones.
func (o Options) withDefaults() Options {
	if o.Users <= 0 {
		o.Users = defaultUsers
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC().Truncate(time.Millisecond)
	if o.Duration <= 0 {
		o.Duration = defaultDuration
	}
	o.Duration = max(o.Duration, minDuration).Truncate(time.Millisecond)
	if o.Events <= 0 {
		o.Events = defaultEvents
	}
	return o
}

// Generator produces the events of one synthetic org, in ascending
// published order, one at a time. It is not safe for concurrent use.
type Generator struct {
	opts    Options
	org     *org
	traffic rng
	uuidKey uint64
	queue   eventQueue

	startMs, endMs  int64
	lastStoryMs     int64 // no story starts after this
	nextStoryAt     int64
	storiesDone     bool
	stories         int
	plannedBenign   int
	benignSeq       uint64
	incidentSeq     uint64
	thinkScale      float64 // shrinks idle gaps so open sessions stay bounded
	incidents       []Incident
	publishedSecond int64
	published       []byte // "2006-01-02T15:04:05." of publishedSecond
	buf             []byte
}

// Random streams derived from the seed.
const (
	streamOrg = iota + 1
	streamTraffic
	streamIncidents
	streamUUID
	streamTravel
)

// Sizing of the schedule.
const (
	meanEventsPerStoryGuess = 8.0
	maxOpenStories          = 4096
	meanStoryLifetimeMs     = 45 * 60 * 1000
	recoveryTailMs          = 15 * 60 * 1000 // required steps of a story fit in this
	incidentSeqBase         = 1 << 63
)

// New returns a generator for opts. The planted incidents, if any, are
// decided here: Incidents is complete as soon as New returns.
func New(opts Options) *Generator {
	opts = opts.withDefaults()
	g := &Generator{
		opts:    opts,
		org:     buildOrg(opts.Seed, opts.Users),
		traffic: newRNG(opts.Seed, streamTraffic),
		uuidKey: mix64(uint64(opts.Seed) ^ streamUUID<<56),
		buf:     make([]byte, 0, 4096),
	}
	g.startMs = opts.Start.UnixMilli()
	g.endMs = g.startMs + opts.Duration.Milliseconds()
	g.lastStoryMs = g.endMs - min(recoveryTailMs, (g.endMs-g.startMs)/4)
	g.thinkScale = g.computeThinkScale()
	g.nextStoryAt = g.startMs
	if opts.Incidents {
		g.plantIncidents()
	}
	if opts.Travel {
		g.plantTravel()
	}
	return g
}

// Options returns the effective options, defaults filled in.
func (g *Generator) Options() Options { return g.opts }

// computeThinkScale returns the factor applied to the idle time between a
// session's steps. Dense logs (many events in a short span) get shorter
// sessions, so the number of sessions open at once, and memory, stays bounded.
func (g *Generator) computeThinkScale() float64 {
	expectedStories := float64(g.opts.Events) / meanEventsPerStoryGuess
	meanGapMs := float64(g.lastStoryMs-g.startMs) / expectedStories
	return min(1, maxOpenStories*meanGapMs/meanStoryLifetimeMs)
}

// Next returns the next event as one line of JSON without the newline, and
// false when the log is complete. The slice is reused by the next call.
func (g *Generator) Next() ([]byte, bool) {
	for !g.storiesDone && (g.queue.len() == 0 || g.nextStoryAt <= g.queue.top().at) {
		g.buildStory(g.nextStoryAt)
		g.advanceStoryClock()
	}
	if g.queue.len() == 0 {
		return nil, false
	}
	e := g.queue.pop()
	g.buf = g.render(g.buf[:0], &e)
	return g.buf, true
}

// WriteTo writes every remaining event as newline-delimited JSON and returns
// the number of bytes written. It implements io.WriterTo.
func (g *Generator) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var written int64
	for {
		line, ok := g.Next()
		if !ok {
			break
		}
		line = append(line, '\n')
		g.buf = line
		n, err := bw.Write(line)
		written += int64(n)
		if err != nil {
			return written, err
		}
	}
	return written, bw.Flush()
}

// Incidents returns the ground truth of the planted incidents (none unless
// Options.Incidents or Options.Travel), complete from the moment New
// returns.
func (g *Generator) Incidents() []Incident {
	out := make([]Incident, len(g.incidents))
	for i, inc := range g.incidents {
		out[i] = inc.clone()
	}
	return out
}

// story builds the events of one benign story or one incident.
type story struct {
	g           *Generator
	r           *rng
	incident    *Incident // nil for benign traffic
	optionalEnd int64     // optional steps are dropped past this time
	planted     []plantedEvent
}

// plantedEvent records an incident event for its ground truth.
type plantedEvent struct {
	at       int64
	seq      uint64
	attacker bool
}

// add plans e. Benign and incident events take sequence numbers from
// separate ranges, so planting incidents never changes benign events.
func (st *story) add(e event) {
	g := st.g
	if st.incident == nil {
		g.benignSeq++
		e.seq = g.benignSeq
		g.plannedBenign++
	} else {
		g.incidentSeq++
		e.seq = incidentSeqBase | g.incidentSeq
		st.planted = append(st.planted, plantedEvent{e.at, e.seq, e.ctx.ep.isAttacker()})
	}
	g.queue.push(e)
}

// think returns an idle gap between a session's steps with the given mean,
// scaled for dense logs.
func (st *story) think(meanMs float64) int64 {
	return 1000 + int64(st.r.exp(meanMs)*st.g.thinkScale)
}

// finishIncident writes the planted events into the incident's ground truth.
func (st *story) finishIncident() {
	sort.Slice(st.planted, func(i, j int) bool {
		a, b := st.planted[i], st.planted[j]
		return a.at < b.at || (a.at == b.at && a.seq < b.seq)
	})
	inc := st.incident
	for _, p := range st.planted {
		id := st.g.uuidString(p.at, p.seq)
		inc.EventUUIDs = append(inc.EventUUIDs, id)
		if p.attacker {
			inc.AttackerEventUUIDs = append(inc.AttackerEventUUIDs, id)
		}
	}
	inc.Start = time.UnixMilli(st.planted[0].at).UTC()
	inc.End = time.UnixMilli(st.planted[len(st.planted)-1].at).UTC()
}

// eventQueue is a binary min-heap of events ordered by (at, seq).
type eventQueue struct{ items []event }

func (q *eventQueue) len() int    { return len(q.items) }
func (q *eventQueue) top() *event { return &q.items[0] }

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *eventQueue) push(e event) {
	q.items = append(q.items, e)
	for i := len(q.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q.less(i, parent) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *eventQueue) pop() event {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = event{}
	q.items = q.items[:last]
	for i := 0; ; {
		smallest, l, r := i, 2*i+1, 2*i+2
		if l < last && q.less(l, smallest) {
			smallest = l
		}
		if r < last && q.less(r, smallest) {
			smallest = r
		}
		if smallest == i {
			break
		}
		q.items[i], q.items[smallest] = q.items[smallest], q.items[i]
		i = smallest
	}
	return top
}
