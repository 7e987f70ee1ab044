// Package oktarules loads Okta's published System Log detections and hunts
// (the YAML files of okta/customer-detections): each file whose
// detection.okta_systemlog holds a filter for an engine (OIE or OCE) becomes
// a Rule whose filter is parsed by oktascope's own filter package.
//
// Files without such a filter (Splunk-only detections, osquery checks) are
// skipped with a reason; files that do not load (invalid YAML, a filter that
// does not parse) are errors. Nothing is skipped silently.
package oktarules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/oktascope/oktascope/internal/filter"
	"github.com/oktascope/oktascope/internal/rulefiles"
)

// MaxFileSize is the largest rule file Parse accepts, in bytes.
const MaxFileSize = 1 << 20

// Rule is one System Log filter of an Okta detection or hunt file. A file
// with filters for several engines (OIE and OCE) gives one Rule per engine,
// with the same ID.
type Rule struct {
	ID             string // the file's id, or its base name when it has none
	Path           string // the file it was loaded from
	Title          string
	Description    string
	Author         string // authors, joined with ", "
	Severity       string // the file's severity (or level); Okta's files have none
	Engine         string // the key under okta_systemlog: "OIE" or "OCE" ("" for a bare filter)
	Text           string // the filter as written, trimmed
	Filter         filter.Expr
	References     []string
	FalsePositives []string
}

// SkipError says why a file holds no System Log filter to run.
type SkipError struct {
	Path   string
	Reason string
}

// Error names the file and why it was skipped.
func (e *SkipError) Error() string { return e.Path + ": skipped: " + e.Reason }

// FileError is a file that could not be loaded, and why.
type FileError struct {
	Path string
	Err  error
}

// Error names the file and the reason.
func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// fileYAML is the YAML shape of a customer-detections file.
type fileYAML struct {
	Title          string     `yaml:"title"`
	ID             string     `yaml:"id"`
	Description    string     `yaml:"description"`
	Author         stringList `yaml:"author"`
	Severity       string     `yaml:"severity"`
	Level          string     `yaml:"level"`
	References     stringList `yaml:"references"`
	FalsePositives stringList `yaml:"false_positives"`
	Detection      yaml.Node  `yaml:"detection"`
}

// Parse reads one file's rules. path names the file in rules and errors.
// The error is a *SkipError when the file has no okta_systemlog filter, and
// a *FileError when it does not load.
func Parse(path string, data []byte) ([]*Rule, error) {
	if len(data) > MaxFileSize {
		return nil, &FileError{Path: path, Err: fmt.Errorf("file is %d bytes; the limit is %d", len(data), MaxFileSize)}
	}
	var y fileYAML
	if err := decodeFirst(data, &y); err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	filters, reason, err := systemLogFilters(&y.Detection)
	switch {
	case err != nil:
		return nil, &FileError{Path: path, Err: err}
	case len(filters) == 0:
		return nil, &SkipError{Path: path, Reason: reason}
	}
	return y.rules(path, filters)
}

// decodeFirst decodes the first YAML document of data.
func decodeFirst(data []byte, out *fileYAML) error {
	err := yaml.NewDecoder(bytes.NewReader(data)).Decode(out)
	if errors.Is(err, io.EOF) {
		return errors.New("empty file: no YAML document")
	}
	return err
}

// engineFilter is one engine's filter text.
type engineFilter struct{ engine, text string }

// systemLogFilters reads detection.okta_systemlog. With no filter it
// returns the reason instead.
func systemLogFilters(d *yaml.Node) ([]engineFilter, string, error) {
	if d.Kind == 0 || d.Tag == "!!null" {
		return nil, "no detection section", nil
	}
	if d.Kind != yaml.MappingNode {
		return nil, "", errors.New("detection is not a map")
	}
	var others []string
	for i := 0; i+1 < len(d.Content); i += 2 {
		if d.Content[i].Value == "okta_systemlog" {
			return readFilters(d.Content[i+1])
		}
		others = append(others, d.Content[i].Value)
	}
	return nil, fmt.Sprintf("detection has no okta_systemlog filter (it has: %s)", strings.Join(others, ", ")), nil
}

// readFilters reads okta_systemlog: a map of engine to filter, or a filter.
func readFilters(n *yaml.Node) ([]engineFilter, string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if text := strings.TrimSpace(n.Value); text != "" && n.Tag != "!!null" {
			return []engineFilter{{text: text}}, "", nil
		}
	case yaml.MappingNode:
		var out []engineFilter
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return nil, "", fmt.Errorf("detection.okta_systemlog.%s is not a filter string", k.Value)
			}
			if text := strings.TrimSpace(v.Value); text != "" && v.Tag != "!!null" {
				out = append(out, engineFilter{engine: k.Value, text: text})
			}
		}
		if len(out) > 0 {
			return out, "", nil
		}
	default:
		return nil, "", errors.New("detection.okta_systemlog is neither a filter nor a map of engine to filter")
	}
	return nil, "detection.okta_systemlog holds no filter (it is empty)", nil
}

// rules builds one Rule per engine filter, parsing each filter.
func (y *fileYAML) rules(path string, filters []engineFilter) ([]*Rule, error) {
	id := y.ID
	if id == "" {
		id = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	severity := y.Severity
	if severity == "" {
		severity = y.Level
	}
	var out []*Rule
	for _, f := range filters {
		expr, err := filter.Parse(f.text)
		if err != nil {
			return nil, &FileError{Path: path, Err: fmt.Errorf("detection.okta_systemlog.%s: %w", f.engine, err)}
		}
		out = append(out, &Rule{
			ID: id, Path: path, Title: y.Title, Description: strings.TrimSpace(y.Description),
			Author: strings.Join(y.Author, ", "), Severity: severity, Engine: f.engine,
			Text: f.text, Filter: expr, References: y.References, FalsePositives: y.FalsePositives,
		})
	}
	return out, nil
}

// LoadFile reads one file's rules (see Parse).
func LoadFile(path string) ([]*Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return Parse(path, data)
}

// LoadDir loads every .yml and .yaml file under path (recursively, in
// lexical order, skipping hidden directories), or the one file path names.
// Files with no okta_systemlog filter are reported in skipped, files that do
// not load in errs (as *FileError); the rest load.
func LoadDir(path string) (rules []*Rule, skipped []*SkipError, errs []error) {
	files, walkErrs := rulefiles.YAML(path)
	for _, we := range walkErrs {
		errs = append(errs, &FileError{Path: we.Path, Err: we.Err})
	}
	for _, f := range files {
		rs, err := LoadFile(f)
		var skip *SkipError
		switch {
		case errors.As(err, &skip):
			skipped = append(skipped, skip)
		case err != nil:
			errs = append(errs, err)
		}
		rules = append(rules, rs...)
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].Path < rules[j].Path })
	return rules, skipped, errs
}

// stringList is a YAML list of strings that also accepts a single string.
type stringList []string

// UnmarshalYAML accepts a scalar or a list of scalars (nulls are dropped).
func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = nil
		if n.Tag != "!!null" {
			*l = []string{n.Value}
		}
		return nil
	case yaml.SequenceNode:
		var out []string
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a list of strings", n.Line)
			}
			if item.Tag != "!!null" {
				out = append(out, item.Value)
			}
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
}
