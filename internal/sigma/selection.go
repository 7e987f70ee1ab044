package sigma

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/oktascope/oktascope/internal/filter"
)

// errKeywords is the error for field-less (keyword) selections.
var errKeywords = errors.New("keywords are not supported: a value without a field name would be a full-text search, which Okta's filter language has no form for (search --q does keyword search)")

// deref follows YAML aliases.
func deref(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode && depth < 16; depth++ {
		n = n.Alias
	}
	return n
}

// compileSelection compiles one named search of the detection: a map of
// fields (AND-ed) or a list of such maps (OR-ed).
func compileSelection(name string, n *yaml.Node) (node, error) {
	n = deref(n)
	var (
		out node
		err error
	)
	switch {
	case n == nil:
		err = errors.New("is empty")
	case n.Kind == yaml.MappingNode:
		out, err = compileMap(n)
	case n.Kind == yaml.SequenceNode:
		out, err = compileMapList(n)
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		err = errors.New("is empty")
	default:
		err = errKeywords
	}
	if err != nil {
		return nil, fmt.Errorf("selection %q: %w", name, err)
	}
	return out, nil
}

// compileMapList compiles a list of field maps: any of them matches.
func compileMapList(n *yaml.Node) (node, error) {
	if len(n.Content) == 0 {
		return nil, errors.New("is an empty list")
	}
	terms := make([]node, 0, len(n.Content))
	for _, item := range n.Content {
		item = deref(item)
		if item == nil || item.Kind != yaml.MappingNode {
			return nil, errKeywords
		}
		t, err := compileMap(item)
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	return anyOf(terms), nil
}

// compileMap compiles a map of field conditions: all of them must match.
func compileMap(n *yaml.Node) (node, error) {
	if len(n.Content) == 0 {
		return nil, errors.New("is an empty map")
	}
	terms := make([]node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		t, err := compileField(deref(n.Content[i]), deref(n.Content[i+1]))
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	return allOf(terms), nil
}

// compileField compiles "field|modifiers: value(s)".
func compileField(key, val *yaml.Node) (node, error) {
	if key == nil || key.Kind != yaml.ScalarNode {
		return nil, errors.New("a key is not a field name")
	}
	field, mods, err := parseKey(key.Value)
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, errKeywords
	}
	values, err := scalarValues(val)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", key.Value, err)
	}
	c := fieldCompiler{path: canonicalPath(field), mods: mods}
	terms := make([]node, len(values))
	for i, v := range values {
		if terms[i], err = c.value(v); err != nil {
			return nil, fmt.Errorf("field %q: %w", key.Value, err)
		}
	}
	if mods.all {
		return allOf(terms), nil
	}
	return anyOf(terms), nil
}

// scalarValues returns the value of a field, or each value of its list.
func scalarValues(n *yaml.Node) ([]filter.Literal, error) {
	if n == nil {
		return []filter.Literal{{Kind: filter.LitNull}}, nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return []filter.Literal{literal(n)}, nil
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, errors.New("empty list of values")
		}
		out := make([]filter.Literal, len(n.Content))
		for i, item := range n.Content {
			item = deref(item)
			if item == nil || item.Kind != yaml.ScalarNode {
				return nil, errors.New("a value is a list or map; values must be strings, numbers, booleans or null")
			}
			out[i] = literal(item)
		}
		return out, nil
	}
	return nil, errors.New("the value is a map; values must be strings, numbers, booleans or null")
}

// literal converts a YAML scalar to a filter literal by its resolved tag.
func literal(n *yaml.Node) filter.Literal {
	switch n.Tag {
	case "!!null":
		return filter.Literal{Kind: filter.LitNull}
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return filter.Literal{Kind: filter.LitBool, Bool: b}
		}
	case "!!int", "!!float":
		if s, ok := jsonNumber(n.Value); ok {
			return filter.Literal{Kind: filter.LitNumber, Str: s}
		}
	}
	return filter.StringLiteral(n.Value)
}

// jsonNumber rewrites a YAML number (0x1F, 1_000, .5) in JSON's number
// grammar, which Okta's filter uses.
func jsonNumber(s string) (string, bool) {
	clean := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(clean, 0, 64); err == nil {
		return strconv.FormatInt(i, 10), true
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// literalText is the text of a literal for string modifiers.
func literalText(l filter.Literal) string {
	if l.Kind == filter.LitBool {
		return strconv.FormatBool(l.Bool)
	}
	return l.Str
}
