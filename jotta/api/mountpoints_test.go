package api

import (
	"strings"
	"testing"
)

func TestClassifyMountPoint(t *testing.T) {
	for _, tc := range []struct {
		device, mp string
		use        MountPointUse
		note       string // a word the note must contain; "" = no note
	}{
		{"Jotta", "Archive", MountPointFolder, "cloud only"},
		{"jotta", "ARCHIVE", MountPointFolder, "cloud only"},
		{"Jotta", "Sync", MountPointCaution, "every computer"},
		{"JOTTA", "sync", MountPointCaution, "every computer"},
		{"Jotta", "Shared", MountPointCaution, "shared with other people"},
		{"Jotta", "Latest", MountPointVirtual, "not a folder"},
		{"Jotta", "Links", MountPointVirtual, "not a folder"},
		{"Jotta", "Trash", MountPointVirtual, "recycle bin"},
		{"Jotta", "Projects", MountPointCaution, "does not show"},
		{"Laptop", "Photos", MountPointFolder, ""},
		// Only the built-in device has special mount points.
		{"Laptop", "Sync", MountPointFolder, ""},
		{"Laptop", "Latest", MountPointFolder, ""},
	} {
		got := ClassifyMountPoint(tc.device, tc.mp)
		if got.Use != tc.use {
			t.Errorf("%s/%s: use %d, want %d", tc.device, tc.mp, got.Use, tc.use)
		}
		if got.Target() != (tc.use != MountPointVirtual) {
			t.Errorf("%s/%s: Target() = %v", tc.device, tc.mp, got.Target())
		}
		switch {
		case tc.note == "" && got.Note != "":
			t.Errorf("%s/%s: unexpected note %q", tc.device, tc.mp, got.Note)
		case !strings.Contains(got.Note, tc.note):
			t.Errorf("%s/%s: note %q lacks %q", tc.device, tc.mp, got.Note, tc.note)
		}
	}
}
