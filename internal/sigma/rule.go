package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxRuleSize is the largest rule file Parse accepts, in bytes.
const MaxRuleSize = 1 << 20

// Rule is a parsed Sigma rule for Okta, with its detection compiled.
type Rule struct {
	File           string // the file it was loaded from; "" for Parse
	Title          string
	ID             string
	Status         string
	Description    string
	Author         string
	References     []string
	Date           string
	Modified       string
	Tags           []string
	LogSource      LogSource
	Level          string // informational, low, medium, high or critical
	FalsePositives []string
	Fields         []string
	Condition      string        // as written; conditions of a list are joined with " or "
	Timeframe      time.Duration // the detection's timeframe; 0 when absent
	Aggregation    *Aggregation  // the count condition after "|", or nil

	tree    node
	matcher *Matcher
}

// LogSource is a rule's logsource. Only product okta (service okta or none)
// is accepted.
type LogSource struct {
	Product  string
	Service  string
	Category string
}

// Matcher returns the evaluator of the rule's per-event detection, Go-side
// parts (|re, |cidr, inner wildcards) included. Rules with an Aggregation
// need an Aggregator on top of it.
func (r *Rule) Matcher() *Matcher { return r.matcher }

// name identifies the rule in messages: its file, else its title.
func (r *Rule) name() string {
	if r.File != "" {
		return r.File
	}
	return fmt.Sprintf("rule %q", r.Title)
}

// ruleYAML is the YAML shape of a Sigma rule.
type ruleYAML struct {
	Title          string     `yaml:"title"`
	ID             string     `yaml:"id"`
	Status         string     `yaml:"status"`
	Description    string     `yaml:"description"`
	Author         stringList `yaml:"author"`
	References     stringList `yaml:"references"`
	Date           string     `yaml:"date"`
	Modified       string     `yaml:"modified"`
	Tags           stringList `yaml:"tags"`
	LogSource      LogSource  `yaml:"logsource"`
	Level          string     `yaml:"level"`
	FalsePositives stringList `yaml:"falsepositives"`
	Fields         stringList `yaml:"fields"`
	Detection      yaml.Node  `yaml:"detection"`
	Correlation    yaml.Node  `yaml:"correlation"`
}

// stringList is a YAML list of strings that also accepts a single string.
type stringList []string

// UnmarshalYAML accepts a scalar or a list of scalars.
func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	n = deref(n)
	switch {
	case n == nil || n.Tag == "!!null":
		*l = nil
	case n.Kind == yaml.ScalarNode:
		*l = []string{n.Value}
	case n.Kind == yaml.SequenceNode:
		var out []string
		for _, item := range n.Content {
			if item = deref(item); item == nil || item.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a list of strings", n.Line)
			}
			out = append(out, item.Value)
		}
		*l = out
	default:
		return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
	}
	return nil
}

// Parse parses one Sigma rule. It fails, with a message saying why, when the
// YAML is invalid, the rule is not for Okta, or its detection uses what
// oktascope cannot evaluate (keywords, an unknown modifier, a bad
// condition).
func Parse(data []byte) (*Rule, error) {
	if len(data) > MaxRuleSize {
		return nil, fmt.Errorf("rule is %d bytes; the limit is %d", len(data), MaxRuleSize)
	}
	var y ruleYAML
	if err := decodeSingle(data, &y); err != nil {
		return nil, err
	}
	r := &Rule{
		Title: y.Title, ID: y.ID, Status: y.Status, Description: strings.TrimSpace(y.Description),
		Author: strings.Join(y.Author, ", "), References: y.References, Date: y.Date,
		Modified: y.Modified, Tags: y.Tags, LogSource: y.LogSource, Level: y.Level,
		FalsePositives: y.FalsePositives, Fields: y.Fields,
	}
	if y.Correlation.Kind != 0 {
		return nil, errors.New("correlation rules are not supported; write the count as a condition aggregation (sel | count() by field > N) with a timeframe")
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	if err := r.compileDetection(&y.Detection); err != nil {
		return nil, fmt.Errorf("detection: %w", err)
	}
	r.matcher = &Matcher{match: compileNode(r.tree)}
	return r, nil
}

// decodeSingle decodes the only YAML document in data.
func decodeSingle(data []byte, out *ruleYAML) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty file: no YAML document")
		}
		return err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return errors.New("more than one YAML document: Sigma rule collections are not supported, put one rule per file")
}

// check validates the rule's title and logsource.
func (r *Rule) check() error {
	if strings.TrimSpace(r.Title) == "" {
		return errors.New("missing title")
	}
	ls := r.LogSource
	if !strings.EqualFold(ls.Product, "okta") || (ls.Service != "" && !strings.EqualFold(ls.Service, "okta")) {
		return fmt.Errorf("logsource product %q, service %q is not Okta's System Log: only product okta (service okta or none) is supported", ls.Product, ls.Service)
	}
	return nil
}
