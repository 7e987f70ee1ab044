// Package privfile creates the files oktascope writes (the store, the
// rejects file) private to their owner, and never through a link someone
// planted where the file is to be: a file is opened without following a
// symbolic link at its path (O_NOFOLLOW), created with mode 0600, and an
// existing one is written only when it is a regular file of the user's own
// with no other name (hard link). It imports nothing of oktascope's, so
// that the store can use it; its errors name the path as it is (the
// command line escapes the error line it prints).
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Mode is the permission of every file oktascope creates: read and write
// for its owner, nothing for anyone else.
const Mode fs.FileMode = 0o600

// ErrSymlink is wrapped by the error for a path that is a symbolic link.
var ErrSymlink = errors.New("is a symbolic link, which oktascope does not follow when it writes a file")

// ErrNotPrivate is wrapped by the error for an existing file that
// oktascope will not write: not a regular file, another user's, or with
// other names (hard links).
var ErrNotPrivate = errors.New("not a file oktascope writes")

// Create opens path for writing, empty: it creates the file with Mode, or
// truncates an existing regular file (whose mode it then sets to Mode, its
// content being new). It fails, writing nothing, when path is a symbolic
// link (ErrSymlink), or an existing file that is not a regular file of the
// user's own with one name (ErrNotPrivate); a character device (such as
// /dev/null) is opened as it is.
func Create(path string) (*os.File, error) {
	f, err := openNoFollow(path, os.O_WRONLY|os.O_CREATE)
	if err != nil {
		return nil, describe(path, err)
	}
	info, err := f.Stat()
	if err == nil && info.Mode()&fs.ModeCharDevice != 0 {
		return f, nil
	}
	if err == nil {
		err = checkOwn(path, info)
	}
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		err = f.Chmod(Mode)
	}
	if err != nil {
		f.Close()
		return nil, describe(path, err)
	}
	return f, nil
}

// CreateNew creates path, which must not exist (not even as a symbolic
// link: fs.ErrExist), with Mode.
func CreateNew(path string) (*os.File, error) {
	f, err := openNoFollow(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return nil, describe(path, err)
	}
	return f, nil
}

// Check reports whether path, if it exists, is a file oktascope may write:
// not a symbolic link (ErrSymlink), and a regular file of the user's own
// with one name (ErrNotPrivate). It returns the file's information, nil
// when there is no file.
func Check(path string) (fs.FileInfo, error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, describe(path, err)
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	if err := checkOwn(path, info); err != nil {
		return nil, err
	}
	return info, nil
}

// checkOwn reports whether info is of a regular file of the user's own
// with one name.
func checkOwn(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w: not a regular file (%v)", path, ErrNotPrivate, info.Mode().Type())
	}
	if owner, links, ok := ownerAndLinks(info); ok {
		if owner != os.Geteuid() {
			return fmt.Errorf("%s: %w: it belongs to another user (uid %d)", path, ErrNotPrivate, owner)
		}
		if links > 1 {
			return fmt.Errorf("%s: %w: it has %d names (hard links)", path, ErrNotPrivate, links)
		}
	}
	return nil
}

// describe names the path in an error of opening it, saying so plainly
// when it is a symbolic link.
func describe(path string, err error) error {
	if errors.Is(err, ErrSymlink) {
		return err
	}
	if info, lerr := os.Lstat(path); lerr == nil {
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s %w", path, ErrSymlink) // O_NOFOLLOW's error: ELOOP, EMLINK or EFTYPE
		case !info.Mode().IsRegular() && info.Mode()&fs.ModeCharDevice == 0:
			return checkOwn(path, info) // a FIFO without a reader: ENXIO
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}
