package oktaapi

import (
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	cfg, err := ParseFaults("429=0.1, 500=every:7,drop=0.05,truncate=every:3,slow=0.2,slow-delay=250ms,seed=42")
	if err != nil {
		t.Fatal(err)
	}
	want := FaultConfig{
		Seed: 42, RateLimited: Fault{Probability: 0.1}, ServerError: Fault{Every: 7},
		Drop: Fault{Probability: 0.05}, Truncate: Fault{Every: 3}, Slow: Fault{Probability: 0.2},
		SlowDelay: 250 * time.Millisecond,
	}
	if cfg != want {
		t.Fatalf("got %+v\nwant %+v", cfg, want)
	}
	for _, bad := range []string{"explode=0.1", "429=2", "500=every:0", "seed=x", "slow-delay=fast"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted", bad)
		}
	}
}

func TestFaultsDeterministic(t *testing.T) {
	cfg := FaultConfig{Seed: 7, Drop: Fault{Probability: 0.2}, ServerError: Fault{Every: 5}, RateLimited: Fault{Probability: 0.3}}
	a, b := newFaultInjector(cfg), newFaultInjector(cfg)
	hits := 0
	for i := 1; i <= 200; i++ {
		fa, fb := a.decide(), b.decide()
		if fa != fb {
			t.Fatalf("request %d: %+v vs %+v", i, fa, fb)
		}
		if i%5 == 0 && !fa.serverError && !fa.drop {
			t.Fatalf("request %d: every:5 did not fire", i)
		}
		if fa.drop || fa.rateLimited {
			hits++
		}
	}
	if hits < 40 || hits > 140 {
		t.Errorf("%d probabilistic faults in 200 requests", hits)
	}
}
