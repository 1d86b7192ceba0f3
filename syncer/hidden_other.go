//go:build !windows

package syncer

import "io/fs"

// hiddenAttr is false where hidden means only a leading dot.
func hiddenAttr(fs.DirEntry) bool { return false }
