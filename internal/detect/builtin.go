package detect

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"text/template"
	"time"

	"github.com/oktascope/oktascope/internal/sigma"
	"github.com/oktascope/oktascope/internal/timeline"
)

//go:embed rules/*.yml
var builtinFS embed.FS

// Thresholds are the adjustable numbers of the built-in detections
// (docs/detect.md lists them with their defaults).
type Thresholds struct {
	SprayUsers    int           // distinct users failing from one IP
	SprayIPs      int           // distinct IPs failing for one user
	SprayWindow   time.Duration // window of both spray counts
	BruteFailures int           // failures for one user
	BruteWindow   time.Duration // window of the brute-force count
	// Timeline holds the thresholds of MFA fatigue, session hijack,
	// recovery takeover and impossible travel, which the timeline finds.
	Timeline timeline.Options
}

// DefaultThresholds returns the documented defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{
		SprayUsers: 5, SprayIPs: 5, SprayWindow: 30 * time.Minute,
		BruteFailures: 10, BruteWindow: 10 * time.Minute,
		Timeline: timeline.DefaultOptions(),
	}
}

// Validate rejects thresholds that would fire on every event.
func (t Thresholds) Validate() error {
	switch {
	case t.SprayUsers < 2 || t.SprayIPs < 2 || t.BruteFailures < 2:
		return fmt.Errorf("detect: counts must be at least 2")
	case t.SprayWindow <= 0 || t.BruteWindow <= 0:
		return fmt.Errorf("detect: windows must be positive")
	}
	return t.Timeline.Validate()
}

// BuiltinRules returns the embedded Sigma rules with the thresholds filled in.
func BuiltinRules(t Thresholds) ([]*sigma.Rule, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	vars := map[string]any{
		"SprayUsers": t.SprayUsers, "SprayIPs": t.SprayIPs, "SprayWindow": sigmaDuration(t.SprayWindow),
		"BruteFailures": t.BruteFailures, "BruteWindow": sigmaDuration(t.BruteWindow),
	}
	names, err := fs.Glob(builtinFS, "rules/*.yml")
	if err != nil {
		return nil, err
	}
	var rules []*sigma.Rule
	for _, name := range names {
		r, err := builtinRule(name, vars)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func builtinRule(name string, vars map[string]any) (*sigma.Rule, error) {
	text, err := fs.ReadFile(builtinFS, name)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("detect: built-in rule %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, vars); err != nil {
		return nil, fmt.Errorf("detect: built-in rule %s: %w", name, err)
	}
	r, err := sigma.Parse(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("detect: built-in rule %s: %w", name, err)
	}
	r.File = "builtin:" + strings.TrimPrefix(name, "rules/")
	return r, nil
}

// sigmaDuration writes a duration as Sigma's timeframe (30m, 2h, 45s).
func sigmaDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", (d+time.Second-1)/time.Second)
}
