//go:build windows

package restore

import "syscall"

// hideDir sets the hidden attribute, as a leading dot means nothing here.
func hideDir(p string) {
	name, err := syscall.UTF16PtrFromString(p)
	if err != nil {
		return
	}
	attrs, err := syscall.GetFileAttributes(name)
	if err != nil {
		return
	}
	_ = syscall.SetFileAttributes(name, attrs|syscall.FILE_ATTRIBUTE_HIDDEN)
}
