package jotta

import "jottacloudclient/jotta/api"

// The classification of mount points lives with the wire types, so that
// the config validation can use it without the client; these names make
// it part of the client's API.

// MountPointInfo is what a mount point is good for as a backup target.
type MountPointInfo = api.MountPointInfo

// MountPointUse is a mount point's use: folder, virtual view or caution.
type MountPointUse = api.MountPointUse

// Uses of a mount point (see api.MountPointUse).
const (
	MountPointFolder  = api.MountPointFolder
	MountPointVirtual = api.MountPointVirtual
	MountPointCaution = api.MountPointCaution
)

// ClassifyMountPoint says whether the mount point of the device is a real
// backup folder, a virtual view that lists of places leave out (Latest,
// Links, Trash on the built-in device), or storage to warn about (Sync
// spreads files to every computer, Shared to other people). Info.Note is
// one sentence for the user.
func ClassifyMountPoint(device, mountPoint string) MountPointInfo {
	return api.ClassifyMountPoint(device, mountPoint)
}
