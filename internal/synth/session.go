package synth

import "encoding/base64"

// actorKind says who an event names as its actor.
type actorKind uint8

const (
	actorUser   actorKind = iota // the session's user
	actorSystem                  // Okta System (SystemPrincipal)
	actorApp                     // the event's app as a PublicClientApp
)

// event is a planned event waiting in the queue. It holds only what differs
// between events; everything shared with its session lives in ctx, and the
// JSON is rendered when the event leaves the queue.
type event struct {
	at         int64  // published, Unix milliseconds
	seq        uint64 // tie-breaker and uuid source: unique per event
	ctx        *sessionCtx
	other      *user // the user an administrator acts on
	kind       kind
	result     result
	reason     reason
	factor     factor
	app        *app // the application signed in to, or nil
	actor      actorKind
	newRequest bool // starts a new HTTP request (new requestId / transaction.id)
	appPolicy  bool // MFA prompted by an app sign-on policy rather than the global one
	enrolling  bool // part of enrolling a factor
	about      kind // for system.email.delivery: the event whose e-mail was delivered
}

// sessionCtx is what a run of events shares: the user, the client, the
// externalSessionId and the render-time state of requests.
type sessionCtx struct {
	user           *user
	ep             *endpoint
	browser        *browserID // nil when no browser is involved
	sessionID      string     // externalSessionId, or "unknown" outside a session
	identityEngine bool       // Identity Engine (idx…) request URIs
	classic        bool       // a Classic Engine org's session (Options.Classic)
	// signIn is, for the session a Classic Engine MFA establishes, the
	// session whose user.session.start the MFA completes: the MFA events
	// of the sign-in (up to signInEnd, Unix ms) name its request as their
	// authnRequestId.
	signIn         *sessionCtx
	signInEnd      int64
	behaviors      string              // debugData.behaviors of sign-in events
	risk           string              // debugData.risk of sign-in events
	device         []byte              // Okta Verify device of push enrolments; nil: the user's phone
	enrollmentIDs  *[numFactors]string // factor enrollment ids; nil: the user's
	job            bool                // an Okta background job (transaction type JOB)
	render         rng                 // randomness consumed while rendering, in event order
	requestID      []byte
	authnRequestID []byte

	// Build-time counters that keep benign sessions within their invariants.
	pushes      int
	mfaFailures int
}

const (
	behaviorsNormal = "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"
	behaviorsNewIP  = "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=POSITIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"
	behaviorsAnomal = "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, New State=POSITIVE, New Country=POSITIVE, Velocity=POSITIVE, New City=POSITIVE}"
	riskLow         = "{level=LOW}"
	riskHigh        = "{reasons=Anomalous Location, Anomalous Device, level=HIGH}"
)

// nextRequest starts a new request id: Okta's 27-character request ids
// begin with the request's Unix time, so they sort roughly by time.
func (s *sessionCtx) nextRequest(atMs int64) {
	var raw [20]byte
	secs := uint32(atMs / 1000)
	raw[0], raw[1], raw[2], raw[3] = byte(secs>>24), byte(secs>>16), byte(secs>>8), byte(secs)
	a, b := s.render.next(), s.render.next()
	for i := 0; i < 8; i++ {
		raw[4+i] = byte(a >> (8 * i))
	}
	raw[12], raw[13], raw[14] = byte(b), byte(b>>8), byte(b>>16)
	raw[17], raw[18], raw[19] = byte(b>>24)&3, byte(b>>32), byte(b>>40)
	if s.requestID == nil {
		s.requestID = make([]byte, 27)
	}
	base64.RawURLEncoding.Encode(s.requestID, raw[:])
	if s.authnRequestID == nil {
		s.authnRequestID = append([]byte(nil), s.requestID...)
	}
}

// flow places the events of one session on its time line.
type flow struct {
	st *story
	s  *sessionCtx
	t  int64 // time of the last event, Unix milliseconds
}

// wait moves the flow's clock forward by a random delay in [lo, hi] ms.
func (f *flow) wait(lo, hi int64) { f.t += f.st.r.between(lo, hi) }

// emit plans e at the flow's current time in its session.
func (f *flow) emit(e event) {
	e.at, e.ctx = f.t, f.s
	f.st.add(e)
}
