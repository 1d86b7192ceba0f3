package syncer

import (
	"os"
	"time"
)

// Test seams, visible to the black-box tests of package syncer_test.

// SetAfterFirstRead runs fn after the first block of each hashed file.
func SetAfterFirstRead(e *Engine, fn func(rel string)) { e.afterFirstRead = fn }

// SetOpenFile replaces how the engine opens files for hashing and upload.
func SetOpenFile(e *Engine, fn func(string) (*os.File, error)) { e.openFile = fn }

// SetWallClock replaces the wall clock the sleep detector reads.
func SetWallClock(e *Engine, fn func() time.Time) { e.wallNow = fn }

// SetRootDevice overwrites the device id remembered for a pair's root.
func SetRootDevice(e *Engine, id string, dev uint64) error {
	ix, err := e.index(id)
	if err != nil {
		return err
	}
	b := make([]byte, 8)
	for i := range 8 {
		b[i] = byte(dev >> (8 * i))
	}
	return ix.SetMeta(metaRootDev, b)
}

// SetShowUploadsFor changes how long the uploads stay shown after one
// ended while the walk goes on, until the test ends.
func SetShowUploadsFor(t interface{ Cleanup(func()) }, d time.Duration) {
	old := showUploadsFor
	showUploadsFor = d
	t.Cleanup(func() { showUploadsFor = old })
}
