//go:build unix

package syncer

import (
	"io/fs"
	"syscall"
)

// fileIdentity extracts what change detection needs beyond size and mtime:
// the inode, the ctime (ns) and the device id.
func fileIdentity(fi fs.FileInfo) (inode uint64, ctime int64, dev uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	sec, nsec := ctimeOf(st)
	return uint64(st.Ino), sec*1e9 + nsec, uint64(st.Dev)
}
