package sigma

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// compileDetection compiles the detection map: its named selections, its
// condition and timeframe.
func (r *Rule) compileDetection(d *yaml.Node) error {
	d = deref(d)
	if d == nil || d.Kind != yaml.MappingNode {
		return errors.New("missing, or not a map of selections and a condition")
	}
	sels := &selections{nodes: map[string]node{}}
	var cond, timeframe *yaml.Node
	for i := 0; i+1 < len(d.Content); i += 2 {
		key, val := deref(d.Content[i]), d.Content[i+1]
		if key == nil || key.Kind != yaml.ScalarNode {
			return errors.New("a key is not a name")
		}
		switch name := key.Value; name {
		case "condition":
			cond = deref(val)
		case "timeframe":
			timeframe = deref(val)
		default:
			if err := sels.add(name, val); err != nil {
				return err
			}
		}
	}
	if err := r.setTimeframe(timeframe); err != nil {
		return err
	}
	return r.compileCondition(cond, sels)
}

// add compiles and records one named selection.
func (s *selections) add(name string, val *yaml.Node) error {
	if _, dup := s.nodes[name]; dup {
		return fmt.Errorf("selection %q is defined twice", name)
	}
	n, err := compileSelection(name, val)
	if err != nil {
		return err
	}
	s.names = append(s.names, name)
	s.nodes[name] = n
	return nil
}

func (r *Rule) setTimeframe(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return errors.New("timeframe is not a string such as 5m")
	}
	d, err := parseTimeframe(n.Value)
	r.Timeframe = d
	return err
}

// compileCondition compiles a condition string, or a list of them (any of
// which matches).
func (r *Rule) compileCondition(n *yaml.Node, sels *selections) error {
	texts, err := conditionTexts(n)
	if err != nil {
		return err
	}
	terms := make([]node, len(texts))
	for i, text := range texts {
		expr, agg, found := strings.Cut(text, "|")
		if terms[i], err = parseCondition(expr, sels); err != nil {
			return err
		}
		if !found {
			continue
		}
		if len(texts) > 1 {
			return fmt.Errorf("condition %q: an aggregation is only supported in a single condition, not in a list", text)
		}
		if r.Aggregation, err = parseAggregation(agg, r.Timeframe); err != nil {
			return fmt.Errorf("condition %q: %w", text, err)
		}
	}
	r.Condition = strings.Join(texts, " or ")
	r.tree = anyOf(terms)
	return nil
}

// conditionTexts returns the condition, or each condition of a list.
func conditionTexts(n *yaml.Node) ([]string, error) {
	switch {
	case n == nil || n.Tag == "!!null":
		return nil, errors.New("missing condition")
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, nil
	case n.Kind == yaml.SequenceNode && len(n.Content) > 0:
		out := make([]string, len(n.Content))
		for i, item := range n.Content {
			if item = deref(item); item == nil || item.Kind != yaml.ScalarNode {
				return nil, errors.New("condition list holds something other than a string")
			}
			out[i] = item.Value
		}
		return out, nil
	}
	return nil, errors.New("condition is not a string or a list of strings")
}
