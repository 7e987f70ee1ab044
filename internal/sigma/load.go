package sigma

import (
	"os"

	"github.com/oktascope/oktascope/internal/rulefiles"
)

// FileError is a rule file that could not be loaded, and why.
type FileError struct {
	Path string
	Err  error
}

// Error names the file and the reason.
func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// LoadFile parses the rule in one file. Errors are *FileError.
func LoadFile(path string) (*Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	r, err := Parse(data)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	r.File = path
	return r, nil
}

// LoadDir loads every .yml and .yaml file under path (recursively, in
// lexical order, skipping hidden directories), or the one file path names.
// It never skips a rule file silently: each that does not load, for any
// reason (invalid YAML, not an Okta rule, an unsupported construct), is a
// *FileError in the second result, and the other rules still load.
func LoadDir(path string) ([]*Rule, []error) {
	var (
		rules []*Rule
		errs  []error
	)
	files, walkErrs := rulefiles.YAML(path)
	for _, we := range walkErrs {
		errs = append(errs, &FileError{Path: we.Path, Err: we.Err})
	}
	for _, f := range files {
		r, err := LoadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errs
}
