//go:build !unix

package syncer

import "io/fs"

// fileIdentity has no inode or ctime to offer on this platform; change
// detection relies on size and mtime.
func fileIdentity(fi fs.FileInfo) (inode uint64, ctime int64, dev uint64) {
	return 0, 0, 0
}
