package main

import (
	"strings"

	"jottacloudclient/internal/names"
)

// remoteArg turns a remote path the user typed into the path the service
// holds: a segment below the mount point that the service could not store
// as typed ("Report%20final.pdf") is written the way the backup stored it.
// Segments that are fine as typed, such as a name copied from a listing,
// stay as they are.
func remoteArg(p string) string {
	segs := strings.Split(p, "/")
	named := 0
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		if named++; named <= 2 || names.Check(seg) == nil {
			continue
		}
		if r, err := names.ToRemote(seg); err == nil {
			segs[i] = r
		}
	}
	return strings.Join(segs, "/")
}

// shownName is how a listing shows a remote name or '/'-separated path: as
// the file is named on this computer, not in the form the service stores.
func shownName(remote string) string {
	local, _ := names.Here.LocalPath(remote)
	return local
}
