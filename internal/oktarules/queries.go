package oktarules

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/oktascope/oktascope/internal/filter"
)

// queriesHeader is the header line of the TSV form of Okta's filters.
const queriesHeader = "source\tengine\ttitle\tfilter"

// ParseQueries reads the TSV form of Okta's published filters: a header
// line "source, engine, title, filter" (tab-separated), then one filter per
// line, as in testdata/okta-samples/okta-customer-detections/queries.tsv.
// Each line becomes a Rule whose Path is the upstream file (the source
// column) and whose ID is that file's base name. Lines that do not load are
// errors naming the line; the others still load.
func ParseQueries(name string, data []byte) ([]*Rule, []error) {
	lines := strings.Split(strings.TrimRight(string(data), "\r\n"), "\n")
	if strings.TrimRight(lines[0], "\r") != queriesHeader {
		return nil, []error{fmt.Errorf("%s: line 1: expected the header %q", name, queriesHeader)}
	}
	var (
		rules []*Rule
		errs  []error
	)
	for i, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := queryRule(strings.TrimRight(line, "\r"))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: line %d: %w", name, i+2, err))
			continue
		}
		rules = append(rules, r)
	}
	return rules, errs
}

// queryRule parses one "source, engine, title, filter" line.
func queryRule(line string) (*Rule, error) {
	cols := strings.Split(line, "\t")
	if len(cols) != 4 {
		return nil, fmt.Errorf("%d tab-separated columns, expected 4 (source, engine, title, filter)", len(cols))
	}
	expr, err := filter.Parse(cols[3])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cols[0], err)
	}
	if expr == nil {
		return nil, fmt.Errorf("%s: empty filter", cols[0])
	}
	id := strings.TrimSuffix(path.Base(cols[0]), path.Ext(cols[0]))
	return &Rule{ID: id, Path: cols[0], Title: cols[2], Engine: cols[1], Text: cols[3], Filter: expr}, nil
}

// LoadQueries reads a TSV file of Okta's filters (see ParseQueries).
func LoadQueries(name string) ([]*Rule, []error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, []error{&FileError{Path: name, Err: err}}
	}
	return ParseQueries(name, data)
}
