package rulefiles

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestYAML(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"b.yml", "a/c.YAML", "a/notes.md", ".git/x.yml", "README"} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, errs := YAML(root)
	want := []string{filepath.Join(root, "a/c.YAML"), filepath.Join(root, "b.yml")}
	if !slices.Equal(files, want) || len(errs) != 0 {
		t.Errorf("YAML(dir) = %v, %v; want %v", files, errs, want)
	}
	one := filepath.Join(root, "README")
	if files, _ := YAML(one); !slices.Equal(files, []string{one}) {
		t.Errorf("YAML(file) = %v", files)
	}
	if _, errs := YAML(filepath.Join(root, "missing")); len(errs) == 0 {
		t.Error("a missing path gave no error")
	}
}
