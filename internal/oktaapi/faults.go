package oktaapi

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault says when to inject one kind of failure: on each request with
// Probability (0 to 1), and/or on every Every-th request (1 is every
// request, 0 never).
type Fault struct {
	Probability float64
	Every       int
}

// FaultConfig injects failures into a Server's responses, for tests and
// drills. Decisions come from a generator seeded with Seed, so the same
// sequence of requests meets the same faults. At most one of Drop,
// ServerError, RateLimited and Truncate applies to a request (in that order
// of precedence); Slow may come on top.
type FaultConfig struct {
	Seed int64
	// RateLimited answers 429 E0000047 with X-Rate-Limit-Remaining 0 and a
	// reset one second ahead.
	RateLimited Fault
	// ServerError answers 500 E0000009.
	ServerError Fault
	// Drop closes the connection without any response.
	Drop Fault
	// Truncate sends the status, headers and half of the body, then closes
	// the connection.
	Truncate Fault
	// Slow delays the response by SlowDelay (default 1 s).
	Slow      Fault
	SlowDelay time.Duration
}

// faults are the decisions for one request.
type faults struct {
	drop, serverError, rateLimited, truncate, slow bool
}

// faultInjector draws the decisions, request after request.
type faultInjector struct {
	cfg FaultConfig
	mu  sync.Mutex
	rng *rand.Rand
	n   int
}

func newFaultInjector(cfg FaultConfig) *faultInjector {
	return &faultInjector{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6f6b7461))}
}

// decide draws the faults of the next request. Every fault with a
// probability draws a number on every request, so the sequence of
// decisions depends only on the seed and the request count.
func (fi *faultInjector) decide() faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.n++
	c := fi.cfg
	f := faults{
		drop:        fi.fire(c.Drop),
		serverError: fi.fire(c.ServerError),
		rateLimited: fi.fire(c.RateLimited),
		truncate:    fi.fire(c.Truncate),
		slow:        fi.fire(c.Slow),
	}
	f.serverError = f.serverError && !f.drop
	f.rateLimited = f.rateLimited && !f.drop && !f.serverError
	f.truncate = f.truncate && !f.drop && !f.serverError && !f.rateLimited
	return f
}

func (fi *faultInjector) fire(f Fault) bool {
	hit := f.Every > 0 && fi.n%f.Every == 0
	if f.Probability > 0 && fi.rng.Float64() < f.Probability {
		hit = true
	}
	return hit
}

// injectBefore applies the faults that come before the page: slowness,
// then a dropped connection, a 500 or a 429. It reports whether the
// response is finished.
func (s *server) injectBefore(w http.ResponseWriter, r *http.Request, f faults, now time.Time) bool {
	if f.slow && !s.delay(r) {
		return true
	}
	switch {
	case f.drop:
		dropConnection(w)
	case f.serverError:
		writeError(w, newAPIError(http.StatusInternalServerError, CodeInternal, "Internal Server Error"))
	case f.rateLimited:
		w.Header().Set(headerRemaining, "0")
		w.Header().Set(headerReset, strconv.FormatInt(now.Unix()+1, 10))
		writeError(w, newAPIError(http.StatusTooManyRequests, CodeRateLimit, rateLimitSummary))
	default:
		return false
	}
	return true
}

// delay waits SlowDelay, or until the client gives up (false).
func (s *server) delay(r *http.Request) bool {
	d := s.opts.Faults.SlowDelay
	if d <= 0 {
		d = time.Second
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// dropConnection closes the connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2: reset the stream
}

// writeTruncated sends the headers (with the full Content-Length) and half
// of the body, then closes the connection.
func writeTruncated(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\n")
	w.Header().Write(buf)
	buf.WriteString("\r\n")
	buf.Write(body[:len(body)/2])
	buf.Flush()
}

// ParseFaults reads a fault specification, as `serve --faults` takes it: a
// comma-separated list of KIND=WHEN, where KIND is 429, 500, drop,
// truncate or slow and WHEN is a probability ("0.1") or "every:N"; plus
// seed=N and slow-delay=DURATION. Example: "429=0.1,drop=every:7,seed=3".
func ParseFaults(spec string) (FaultConfig, error) {
	var cfg FaultConfig
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, _ := strings.Cut(item, "=")
		if err := cfg.set(strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)); err != nil {
			return FaultConfig{}, fmt.Errorf("faults: %q: %w", item, err)
		}
	}
	return cfg, nil
}

func (cfg *FaultConfig) set(key, value string) error {
	var err error
	switch key {
	case "seed":
		cfg.Seed, err = strconv.ParseInt(value, 10, 64)
	case "slow-delay":
		cfg.SlowDelay, err = time.ParseDuration(value)
	default:
		f := cfg.kind(key)
		if f == nil {
			return fmt.Errorf("unknown fault (want 429, 500, drop, truncate, slow, seed or slow-delay)")
		}
		*f, err = parseFault(value)
	}
	return err
}

func (cfg *FaultConfig) kind(key string) *Fault {
	switch key {
	case "429", "rate-limited":
		return &cfg.RateLimited
	case "500", "server-error":
		return &cfg.ServerError
	case "drop":
		return &cfg.Drop
	case "truncate":
		return &cfg.Truncate
	case "slow":
		return &cfg.Slow
	}
	return nil
}

func parseFault(s string) (Fault, error) {
	if n, ok := strings.CutPrefix(s, "every:"); ok {
		every, err := strconv.Atoi(n)
		if err != nil || every < 1 {
			return Fault{}, fmt.Errorf("every:N needs a positive N")
		}
		return Fault{Every: every}, nil
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || p < 0 || p > 1 {
		return Fault{}, fmt.Errorf("want a probability between 0 and 1, or every:N")
	}
	return Fault{Probability: p}, nil
}
