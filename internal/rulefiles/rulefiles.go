// Package rulefiles finds the rule files (YAML) under a directory, for the
// loaders of Sigma rules and of Okta's customer-detections.
package rulefiles

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// WalkError is a file or directory that could not be read.
type WalkError struct {
	Path string
	Err  error
}

// YAML returns the .yml and .yaml files under root, recursively, in lexical
// order, skipping hidden directories; or root itself when it names a file,
// whatever its extension. Paths that cannot be read are returned as errors
// beside the files found.
func YAML(root string) ([]string, []WalkError) {
	var (
		files []string
		errs  []WalkError
	)
	walkErr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			errs = append(errs, WalkError{Path: p, Err: err})
		case d.IsDir():
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
		case p == root || isYAMLName(d.Name()):
			files = append(files, p)
		}
		return nil
	})
	if walkErr != nil {
		errs = append(errs, WalkError{Path: root, Err: walkErr})
	}
	return files, errs
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yml" || ext == ".yaml"
}
