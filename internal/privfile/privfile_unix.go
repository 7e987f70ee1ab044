//go:build unix

package privfile

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens path with flag, O_NOFOLLOW and O_NONBLOCK (so that
// opening a FIFO does not wait for a reader; the file is checked before any
// write), creating it with Mode.
func openNoFollow(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, Mode)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ownerAndLinks returns the owner and the number of names of a file.
func ownerAndLinks(info fs.FileInfo) (owner int, links uint64, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), uint64(st.Nlink), true
}
