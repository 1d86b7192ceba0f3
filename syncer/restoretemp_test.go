package syncer_test

import (
	"testing"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// TestRestoreTempFolderIsNeverBackedUp: partial downloads a restore left in
// the folder are not uploaded, even with hidden files backed up.
func TestRestoreTempFolderIsNeverBackedUp(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "kept.txt", []byte("kept"))
	writeFile(t, local, syncer.RestoreTempDirName+"/0123456789abcdef.part", []byte("partial"))
	writeFile(t, local, ".hidden", []byte("h"))
	mem := syncertest.NewMemRemote()
	e := newEngine(t, mem, syncer.Options{})
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	got := remoteFiles(t, mem)
	if len(got) != 2 || got["kept.txt"] == "" || got[".hidden"] == "" {
		t.Errorf("remote holds %v, want kept.txt and .hidden only", got)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %+v", res.Problems)
	}
}
