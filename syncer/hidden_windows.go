//go:build windows

package syncer

import (
	"io/fs"
	"syscall"
)

// hiddenAttr reports the Windows hidden attribute.
func hiddenAttr(e fs.DirEntry) bool {
	fi, err := e.Info()
	if err != nil {
		return false
	}
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	return ok && d.FileAttributes&syscall.FILE_ATTRIBUTE_HIDDEN != 0
}
