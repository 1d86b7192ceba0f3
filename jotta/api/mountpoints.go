package api

import "strings"

// BuiltinDevice is the device every account has. Its mount points are
// JottaCloud's own areas (Archive, Sync, Shared) and virtual views the
// service computes (Latest, Links, Trash); every other device is a backup
// device whose mount points are ordinary backup sets.
const BuiltinDevice = "Jotta"

// MountPointUse says what a mount point is good for as a backup target.
type MountPointUse int

const (
	// MountPointFolder is ordinary storage: a backup set on a backup
	// device, or the Archive of the built-in device.
	MountPointFolder MountPointUse = iota
	// MountPointVirtual is a view the service computes (recent files,
	// shared links, the trash). It holds nothing of its own, does not
	// answer like a folder and is never a backup target: lists of places
	// leave it out.
	MountPointVirtual
	// MountPointCaution is real storage with a side effect the user must
	// hear about before choosing it, such as files spreading to other
	// computers or other people.
	MountPointCaution
)

// MountPointInfo is the classification of one mount point.
type MountPointInfo struct {
	Use MountPointUse
	// Note is one sentence for the user about what the place is; empty
	// for an ordinary backup set.
	Note string
}

// Target reports whether the mount point can hold a backup.
func (i MountPointInfo) Target() bool { return i.Use != MountPointVirtual }

// builtinMountPoints describes the built-in device's known mount points,
// keyed by lower-case name (names are case-insensitive).
var builtinMountPoints = map[string]MountPointInfo{
	"archive": {MountPointFolder, "Archive is JottaCloud's general storage (“Archive” in the web app); files kept here stay in the cloud only and are not synced to any computer."},
	"sync":    {MountPointCaution, "Sync is JottaCloud's sync folder: whatever you back up here is copied to every computer where the Jottacloud app syncs, and deleting it there deletes it here."},
	"shared":  {MountPointCaution, "Shared holds folders shared with other people: whoever a folder is shared with can see, change and delete the files backed up into it."},
	"latest":  {MountPointVirtual, "Latest is a list of recently changed files that JottaCloud computes; it is not a folder and cannot hold a backup."},
	"links":   {MountPointVirtual, "Links lists the files shared by public link; it is not a folder and cannot hold a backup."},
	"trash":   {MountPointVirtual, "Trash is the recycle bin; it is not a folder and cannot hold a backup."},
}

// ClassifyMountPoint says whether the mount point of the device is a real
// backup folder, a virtual view to leave out, or storage to warn about.
// Matching is case-insensitive, as on the server. Mount points of backup
// devices are always plain folders.
func ClassifyMountPoint(device, mountPoint string) MountPointInfo {
	if !strings.EqualFold(device, BuiltinDevice) {
		return MountPointInfo{Use: MountPointFolder}
	}
	if info, ok := builtinMountPoints[strings.ToLower(mountPoint)]; ok {
		return info
	}
	return MountPointInfo{Use: MountPointCaution, Note: mountPoint + " is an extra mount point on the built-in Jotta device, which JottaCloud's web app does not show; keep backups in /" +
		BuiltinDevice + "/Archive or on a device of their own."}
}
