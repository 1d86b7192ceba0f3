package e2e

import (
	"context"
	"fmt"
	"io"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// refusingRemote rejects every upload's name, a per-file failure that
// never stops a pass.
type refusingRemote struct{ syncer.Remote }

func (refusingRemote) Upload(context.Context, string, io.ReaderAt, syncer.FileMeta) (syncer.UploadResult, error) {
	return syncer.UploadResult{}, fmt.Errorf("upload refused: %w", syncer.ErrNameRejected)
}

// TestConcurrentUploadFailuresAllReported fails many uploads at once on
// parallel transfers: every file is listed as a problem exactly once (run
// with -race: the problem list is shared by the transfer goroutines).
func TestConcurrentUploadFailuresAllReported(t *testing.T) {
	cases := []struct {
		name      string
		files     int
		transfers int
	}{
		{"8 transfers, 300 files", 300, 8},
		{"2 transfers, 50 files", 50, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			local := e.localDir("refused")
			fillTree(t, local, tc.files, 100)
			eng := e.engineOn(refusingRemote{e.remoteOf()}, syncer.Options{Transfers: tc.transfers})
			p := syncer.Pair{ID: "refused", Local: local, Remote: "/Laptop/Backup/refused"}
			res, err := eng.RunPass(ctxFor(t), p, syncer.PassOptions{})
			if err != nil {
				t.Fatalf("pass: %v", err)
			}
			seen := map[string]int{}
			for _, pr := range res.Problems {
				seen[pr.Path]++
			}
			if len(res.Problems) != tc.files || len(seen) != tc.files {
				t.Errorf("%d problems for %d distinct files; want one for each of %d files", len(res.Problems), len(seen), tc.files)
			}
		})
	}
}
