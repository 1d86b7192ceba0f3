package syncertest_test

import (
	"testing"

	"jottacloudclient/syncer/syncertest"
)

func TestMemRemoteConformance(t *testing.T) {
	syncertest.RunRemoteTests(t, func(t *testing.T) syncertest.Harness {
		m := syncertest.NewMemRemote()
		return syncertest.Harness{
			Remote:        m,
			Base:          "/SuiteDevice/Backup",
			CutNextUpload: m.CutNextUpload,
			Trashed:       m.Trashed,
		}
	})
}
