package sigma

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Aggregation is a Sigma count condition ("| count() by client.ipAddress >
// 10", "| count(target.id) by actor.id >= 5") with the rule's timeframe. It
// is evaluated after the per-event detection, by an Aggregator.
type Aggregation struct {
	Func      string        // always "count"
	Field     string        // count(Field) counts distinct values of Field; "" counts events
	GroupBy   []string      // canonical paths; none: all events form one group
	Op        string        // ">" or ">="
	Threshold float64       // the number compared with
	Timeframe time.Duration // the sliding window; 0: the whole input is one window
}

// String prints the aggregation as Sigma writes it.
func (a *Aggregation) String() string {
	s := a.Func + "(" + a.Field + ")"
	if len(a.GroupBy) > 0 {
		s += " by " + strings.Join(a.GroupBy, ", ")
	}
	return s + " " + a.Op + " " + strconv.FormatFloat(a.Threshold, 'f', -1, 64)
}

// reason says why Okta's filter cannot express the aggregation.
func (a *Aggregation) reason() string {
	window := "over the whole log"
	if a.Timeframe > 0 {
		window = "within " + formatTimeframe(a.Timeframe)
	}
	return fmt.Sprintf("aggregation %q %s counts events across time, which Okta's filter language (one event at a time) cannot express", a.String(), window)
}

// holds reports whether value satisfies the aggregation's comparison.
func (a *Aggregation) holds(value int) bool {
	if a.Op == ">=" {
		return float64(value) >= a.Threshold
	}
	return float64(value) > a.Threshold
}

var aggregationSyntax = regexp.MustCompile(`^(?i)\s*([a-z_]+)\s*\(\s*([^()\s]*)\s*\)\s*(?:by\s+(.+?))?\s*(<=|>=|==|!=|=|<|>)\s*(\S+)\s*$`)

// parseAggregation parses the text after the "|" of a condition.
func parseAggregation(text string, timeframe time.Duration) (*Aggregation, error) {
	text = strings.TrimSpace(text)
	m := aggregationSyntax.FindStringSubmatch(text)
	if m == nil {
		if strings.HasPrefix(strings.ToLower(text), "near") {
			return nil, fmt.Errorf("aggregation %q: 'near' is not supported", text)
		}
		return nil, fmt.Errorf("aggregation %q: expected count([field]) [by field[, field]] > N", text)
	}
	a := &Aggregation{Func: strings.ToLower(m[1]), Op: m[4], Timeframe: timeframe}
	n, err := strconv.ParseFloat(m[5], 64)
	switch {
	case a.Func != "count":
		return nil, fmt.Errorf("aggregation %q: only count() is supported, not %s()", text, m[1])
	case a.Op != ">" && a.Op != ">=":
		return nil, fmt.Errorf("aggregation %q: only > and >= are supported (a count that must stay below a bound has no streaming meaning)", text)
	case err != nil || n < 0:
		return nil, fmt.Errorf("aggregation %q: %q is not a non-negative number", text, m[5])
	}
	a.Threshold = n
	if m[2] != "" {
		a.Field = canonicalPath(m[2])
	}
	if a.GroupBy, err = parseGroupBy(m[3]); err != nil {
		return nil, fmt.Errorf("aggregation %q: %w", text, err)
	}
	return a, nil
}

// parseGroupBy parses the comma-separated fields after "by".
func parseGroupBy(list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" || strings.ContainsAny(f, " \t") {
			return nil, fmt.Errorf("bad group-by field list %q", list)
		}
		out = append(out, canonicalPath(f))
	}
	return out, nil
}

var timeframeSyntax = regexp.MustCompile(`^\s*(\d+)\s*([smhdw])\s*$`)

var timeframeUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
}

// parseTimeframe parses a Sigma timeframe: a count and a unit s, m, h, d or w.
func parseTimeframe(s string) (time.Duration, error) {
	m := timeframeSyntax.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("timeframe %q: expected a number and a unit s, m, h, d or w (such as 5m or 1h)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := timeframeUnits[m[2]]
	if err != nil || n <= 0 || n > int64(365*24*time.Hour/unit) {
		return 0, fmt.Errorf("timeframe %q: the count must be between 1 and a year's worth", s)
	}
	return time.Duration(n) * unit, nil
}

// formatTimeframe prints a duration in the largest whole Sigma unit.
func formatTimeframe(d time.Duration) string {
	for _, u := range []string{"w", "d", "h", "m"} {
		if d%timeframeUnits[u] == 0 {
			return strconv.FormatInt(int64(d/timeframeUnits[u]), 10) + u
		}
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
