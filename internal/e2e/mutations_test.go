package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestMovesAndPruneUnderFaults renames a folder and deletes files locally,
// then lets the server fail moves and trash requests, sometimes after it
// acted: the passes end with the server holding exactly the local tree,
// nothing backed up lost, and the trash holding only what was deleted.
func TestMovesAndPruneUnderFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault emulator.Fault
	}{
		{"mutations answer 500 before acting", emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, Probability: 0.5}},
		{"mutations answer 500 after acting", emulator.Fault{Endpoint: emulator.EndpointJFSPost, Status: 500, Applied: true, Probability: 0.5}},
		{"listings and mutations answer 503", emulator.Fault{Endpoint: emulator.EndpointAny, Status: 503, Probability: 0.3}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("tree")
			fillTree(t, local, 60, 2_000)
			eng := e.engine(syncer.Options{})
			p := syncer.Pair{ID: "tree", Local: local, Remote: "/Laptop/Backup/tree", Prune: syncer.PruneAll, PruneLimit: -1}
			passUntilClean(t, ctx, eng, p, 1)

			// d03 becomes moved/d03; three files of d04 are deleted.
			if err := os.MkdirAll(filepath.Join(local, "moved"), 0o755); err != nil {
				t.Fatal(err)
			}
			mustRename(t, filepath.Join(local, "d03"), filepath.Join(local, "moved", "d03"))
			var deleted []string
			for _, n := range []int{4, 14, 24} {
				rel := fmt.Sprintf("d04/sub%d/file-%04d.bin", n%3, n)
				if err := removeLocal(local, rel); err != nil {
					t.Fatal(err)
				}
				deleted = append(deleted, rel)
			}
			e.emu.Faults().Seed(uint64(100 + i))
			e.emu.Faults().Add(tc.fault)
			before := e.emu.Stats()
			var last *syncer.PassResult
			var err error
			for range 6 {
				last, err = eng.RunPass(ctx, p, syncer.PassOptions{})
				if err == nil && len(last.Problems) == 0 {
					break
				}
				t.Logf("pass: err=%v\n%s", err, problemsText(last.Problems))
			}
			e.emu.Faults().Clear()
			if err != nil || len(last.Problems) != 0 {
				t.Errorf("no clean pass in 6 tries: %v\n%s", err, problemsText(last.Problems))
			}
			e.verify(local, p.Remote)
			if sent := e.emu.Stats().UploadBytes - before.UploadBytes; sent != 0 {
				t.Errorf("%d bytes uploaded for a rename and deletions; moves must not re-send content", sent)
			}
			trash, err := e.client.ListTrash(ctx)
			if err != nil {
				t.Fatal(err)
			}
			inTrash := map[string]bool{}
			for _, f := range trash.Files {
				inTrash[f.Name] = true
			}
			for _, rel := range deleted {
				if !inTrash[filepath.Base(rel)] {
					t.Errorf("%s was deleted locally but is not in the server's trash", rel)
				}
			}
			for _, f := range trash.Files {
				found := false
				for _, rel := range deleted {
					if filepath.Base(rel) == f.Name {
						found = true
					}
				}
				if !found {
					t.Errorf("%s is in the trash but was never deleted locally", f.Name)
				}
			}
			path := eng.IndexPath(p.ID)
			_ = eng.Close()
			if n := e.checkIndex(path, p.Remote); n != 57 {
				t.Errorf("%d files recorded as backed up, want 57", n)
			}
		})
	}
}
