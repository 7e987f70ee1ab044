//go:build !unix

package privfile

import (
	"fmt"
	"io/fs"
	"os"
)

// openNoFollow opens path with flag, creating it with Mode, after checking
// that it is not a symbolic link (without O_NOFOLLOW, a race remains).
func openNoFollow(path string, flag int) (*os.File, error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	return os.OpenFile(path, flag, Mode)
}

func ownerAndLinks(fs.FileInfo) (int, uint64, bool) { return 0, 0, false }
