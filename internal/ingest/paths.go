package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/oktascope/oktascope/internal/render"
)

// inputFile is one file to import.
type inputFile struct {
	path     string
	size     int64 // 0 when unknown (a pipe)
	explicit bool  // named on the command line, not found by walking a directory
}

// Stdin is the path that names the standard input.
const Stdin = "-"

// expandPaths lists the files to import: each path that is a file (or a
// pipe, or Stdin), and every regular file below each path that is a
// directory, walked recursively in lexical order. Hidden files and directories (".name") met
// while walking are left out, and so is the rejects file. A file listed
// twice is read once.
func expandPaths(paths []string, exclude string) ([]inputFile, []error) {
	var (
		files []inputFile
		errs  []error
		seen  = map[string]bool{}
	)
	excluded, _ := os.Stat(exclude)
	add := func(path string, info fs.FileInfo, explicit bool) {
		key := absPath(path)
		if seen[key] || (excluded != nil && os.SameFile(info, excluded)) {
			return
		}
		seen[key] = true
		files = append(files, inputFile{path: path, size: info.Size(), explicit: explicit})
	}
	for _, p := range paths {
		if p == Stdin {
			files = append(files, inputFile{path: Stdin, explicit: true})
			continue
		}
		info, err := os.Stat(p)
		switch {
		case err != nil:
			errs = append(errs, inputErr(p, err))
		case info.IsDir():
			errs = append(errs, walkDir(p, add)...)
		case info.Mode().IsRegular():
			add(p, info, true)
		case info.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0: // /dev/stdin, <(gunzip -c …)
			files = append(files, inputFile{path: p, explicit: true})
		default:
			errs = append(errs, fmt.Errorf("import %s: not a regular file or directory", render.Terminal(p)))
		}
	}
	return files, errs
}

// walkDir calls add for every regular file below root.
func walkDir(root string, add func(string, fs.FileInfo, bool)) []error {
	var errs []error
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, inputErr(path, err))
			return nil
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(path) // follows a symbolic link
		if err == nil && info.Mode().IsRegular() {
			add(path, info, false)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}
