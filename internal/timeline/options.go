package timeline

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Options are the thresholds of the deviation rules. A zero field takes its
// default; the CLI exposes them as --fatigue-count, --fatigue-window,
// --recovery-window and --join-window.
type Options struct {
	// FatigueCount is how many MFA push, SMS or voice challenges sent to one
	// user within FatigueWindow make an mfa_fatigue deviation (default 5).
	FatigueCount int
	// FatigueWindow is the sliding window of FatigueCount (default 10m).
	FatigueWindow time.Duration
	// RecoveryWindow is how long after a password reset or unlock an MFA
	// factor change or a sign-in from a new network makes a
	// recovery_takeover deviation (default 24h).
	RecoveryWindow time.Duration
	// JoinWindow is how close in time an event must be to a flow's last
	// event to join it when no session id ties them: recovery steps, factor
	// changes, events without a session (default 30m).
	JoinWindow time.Duration
	// TravelSpeed is the speed, in km/h, above which two successive
	// sign-ins of one user make an impossible_travel deviation (default
	// 805, Okta's default for its velocity behaviour).
	TravelSpeed float64
}

// The default thresholds.
const (
	DefaultFatigueCount   = 5
	DefaultFatigueWindow  = 10 * time.Minute
	DefaultRecoveryWindow = 24 * time.Hour
	DefaultJoinWindow     = 30 * time.Minute
	// DefaultTravelSpeed is Okta's default velocity behaviour, 805 km/h
	// (500 mph): the velocityKph default of Okta's behavior detection
	// rules (Management API); docs/timeline.md gives the reasoning.
	DefaultTravelSpeed = 805.0
)

// DefaultOptions returns the default thresholds.
func DefaultOptions() Options {
	return Options{
		FatigueCount:   DefaultFatigueCount,
		FatigueWindow:  DefaultFatigueWindow,
		RecoveryWindow: DefaultRecoveryWindow,
		JoinWindow:     DefaultJoinWindow,
		TravelSpeed:    DefaultTravelSpeed,
	}
}

// Validate reports a threshold that makes no sense: a negative duration, or
// a fatigue count of 1 (every challenge would be fatigue). Zero fields are
// valid: they take their defaults.
func (o Options) Validate() error {
	var errs []error
	if o.FatigueCount < 0 || o.FatigueCount == 1 {
		errs = append(errs, fmt.Errorf("fatigue count %d: must be at least 2", o.FatigueCount))
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"fatigue window", o.FatigueWindow}, {"recovery window", o.RecoveryWindow}, {"join window", o.JoinWindow}} {
		if d.value < 0 {
			errs = append(errs, fmt.Errorf("%s %v: must not be negative", d.name, d.value))
		}
	}
	if o.TravelSpeed < 0 || math.IsNaN(o.TravelSpeed) || math.IsInf(o.TravelSpeed, 0) {
		errs = append(errs, fmt.Errorf("travel speed %v km/h: must be a positive number", o.TravelSpeed))
	}
	return errors.Join(errs...)
}

// WithDefaults returns o with every zero field set to its default.
func (o Options) WithDefaults() Options {
	d := DefaultOptions()
	if o.FatigueCount <= 0 {
		o.FatigueCount = d.FatigueCount
	}
	if o.FatigueWindow <= 0 {
		o.FatigueWindow = d.FatigueWindow
	}
	if o.RecoveryWindow <= 0 {
		o.RecoveryWindow = d.RecoveryWindow
	}
	if o.JoinWindow <= 0 {
		o.JoinWindow = d.JoinWindow
	}
	if !(o.TravelSpeed > 0) {
		o.TravelSpeed = d.TravelSpeed
	}
	return o
}
