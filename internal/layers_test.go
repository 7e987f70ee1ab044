// Package internal_test checks how oktascope's packages depend on each other.
package internal_test

import (
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/oktascope/oktascope/internal/"

// domain are the packages of the analysis: they know nothing of storage,
// the command line, HTTP or output formats.
var domain = []string{"logevent", "filter", "indicator", "catalog", "timeline", "scope", "detect", "sigma", "oktarules", "timewindow"}

// edges are the packages at the edge: storage, commands, the web server,
// the Okta API, the output layer and the watch of a live org.
var edges = []string{"store", "clickhouse", "backend", "pushdown", "sqlfrag", "histogram", "cli", "web", "oktaapi", "render", "ingest", "watch"}

// TestDomainImportsNoEdge walks the imports of every domain package (not
// its tests), directly and through other packages of the module, and
// fails on any edge package among them.
func TestDomainImportsNoEdge(t *testing.T) {
	if len(domain) == 0 || len(edges) == 0 {
		t.Fatal("no packages to check")
	}
	for _, pkg := range domain {
		seen := map[string]bool{}
		var walk func(path string, via []string)
		walk = func(path string, via []string) {
			if seen[path] {
				return
			}
			seen[path] = true
			p, err := build.Default.Import(module+path, ".", 0)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, imp := range p.Imports {
				name, ok := strings.CutPrefix(imp, module)
				if !ok {
					continue
				}
				chain := append(slices.Clone(via), name)
				if slices.Contains(edges, name) {
					t.Errorf("domain package %s imports %s (%s)", pkg, name, strings.Join(chain, " → "))
				}
				walk(name, chain)
			}
		}
		walk(pkg, []string{pkg})
		if len(seen) == 0 {
			t.Errorf("%s: not walked", pkg)
		}
	}
}

// implementations are the packages that implement the storage contract
// (internal/backend).
var implementations = []string{"store", "clickhouse"}

// TestStorageOnlyThroughTheFactory checks that no package outside the
// implementations imports one (tests apart), and that in cli only the
// factory's file does: commands, the web UI, collect and watch reach
// storage through internal/backend.
func TestStorageOnlyThroughTheFactory(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil || len(entries) < 10 {
		t.Fatalf("packages under internal/: %v, %v", entries, err)
	}
	files := 0
	for _, e := range entries {
		dir := e.Name()
		if !e.IsDir() || slices.Contains(implementations, dir) {
			continue
		}
		p, err := build.Default.ImportDir(dir, 0)
		if err != nil {
			continue // a folder with no Go package (testdata)
		}
		fset := token.NewFileSet()
		for _, name := range p.GoFiles {
			files++
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				impl, ok := strings.CutPrefix(strings.Trim(imp.Path.Value, `"`), module)
				if !ok || !slices.Contains(implementations, impl) {
					continue
				}
				if dir != "cli" || name != "backend.go" {
					t.Errorf("%s/%s imports %s: only cli/backend.go (the factory) may", dir, name, impl)
				}
			}
		}
	}
	if files < 50 {
		t.Fatalf("only %d files read", files)
	}
}
