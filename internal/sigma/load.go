package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	walkErr := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			errs = append(errs, &FileError{Path: p, Err: err})
			return nil
		case d.IsDir():
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		case p != path && !isYAMLName(d.Name()):
			return nil
		}
		r, err := LoadFile(p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rules = append(rules, r)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, &FileError{Path: path, Err: walkErr})
	}
	return rules, errs
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yml" || ext == ".yaml"
}
