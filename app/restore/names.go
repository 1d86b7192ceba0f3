package restore

import (
	"errors"
	"strings"

	"jottacloudclient/internal/names"
)

// maxNameBytes is the longest file name most local file systems hold.
const maxNameBytes = 255

// LocalName is the name a remote file or folder gets on this computer: the
// backup's name encoding undone (package names owns it), and on Windows
// the characters it forbids mapped to look-alikes; mapped reports that
// second kind of change, which the restore lists. An error says why a name
// cannot be restored here.
func LocalName(remote string) (local string, mapped bool, err error) {
	return localName(remote, names.Here)
}

func localName(remote string, sys names.System) (string, bool, error) {
	local, mapped := sys.ToLocal(remote)
	switch {
	case local == "" || local == "." || local == "..":
		return "", false, errors.New("the name is empty or reserved")
	case strings.ContainsAny(local, "/\x00") || (sys.Windows && strings.ContainsRune(local, '\\')):
		return "", false, errors.New("the name contains a path separator or a NUL character, which a local file name cannot hold")
	case len(local) > maxNameBytes:
		return "", false, errors.New("the name is longer than the 255 bytes a local file name can hold")
	}
	return local, mapped, nil
}
