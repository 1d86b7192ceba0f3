package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

// TestSourceGone takes the pair's local folder away between passes (and
// during one): with pruning on, nothing on the server is trashed and the
// pass says the source is unavailable.
func TestSourceGone(t *testing.T) {
	cases := []struct {
		name string
		// mount puts the local folder on its own tmpfs for the first pass.
		mount bool
		// change acts on the local folder after the first pass.
		change func(t *testing.T, local string)
		// wantErr: the pass fails with syncer.ErrSourceMissing; otherwise
		// it completes and refuses to prune with a reason containing
		// refusal.
		wantErr bool
		refusal string
	}{
		{name: "folder renamed", wantErr: true, change: func(t *testing.T, local string) {
			mustRename(t, local, local+".old")
		}},
		{name: "folder deleted", wantErr: true, change: func(t *testing.T, local string) {
			if err := os.RemoveAll(local); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "folder replaced by a file", wantErr: true, change: func(t *testing.T, local string) {
			mustRename(t, local, local+".old")
			writeFile(t, filepath.Dir(local), filepath.Base(local), []byte("not a folder"))
		}},
		{name: "folder emptied", refusal: "empty", change: func(t *testing.T, local string) {
			entries, _ := os.ReadDir(local)
			for _, e := range entries {
				if err := os.RemoveAll(filepath.Join(local, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "drive unmounted", mount: true, refusal: "empty", change: func(t *testing.T, local string) {
			unmount(t, local)
		}},
		{name: "drive unmounted and a file written to the bare mount point", mount: true, refusal: "different filesystem",
			change: func(t *testing.T, local string) {
				unmount(t, local)
				writeFile(t, local, "stray.txt", []byte("written while the drive was away"))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("drive")
			if tc.mount {
				mountTmpfs(t, local)
			}
			const files = 30
			fillTree(t, local, files, 2_000)
			eng := e.engine(syncer.Options{})
			p := syncer.Pair{ID: "drive", Local: local, Remote: "/Laptop/Backup/drive", Prune: syncer.PruneAll, PruneLimit: -1}
			passUntilClean(t, ctx, eng, p, 1)

			tc.change(t, local)
			sub := eng.Subscribe()
			defer sub.Close()
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			if tc.wantErr {
				if !errors.Is(err, syncer.ErrSourceMissing) {
					t.Errorf("pass error %v; want one matching syncer.ErrSourceMissing", err)
				}
				if err != nil && !strings.Contains(err.Error(), "unavailable") {
					t.Errorf("pass error %q does not say the folder is unavailable", err)
				}
				if !sawState(sub, syncer.StateError, syncer.ErrSourceMissing) {
					t.Error("no error state saying the source is unavailable was published")
				}
			} else {
				if err != nil {
					t.Fatalf("pass: %v", err)
				}
				if !strings.Contains(res.Planned.PruneRefused, tc.refusal) {
					t.Errorf("prune refusal %q; want it to mention %q", res.Planned.PruneRefused, tc.refusal)
				}
			}
			if res.Counters.FilesTrashed != 0 || res.Counters.FoldersTrashed != 0 {
				t.Errorf("the pass trashed %d files and %d folders", res.Counters.FilesTrashed, res.Counters.FoldersTrashed)
			}
			if got := len(e.remoteFiles(p.Remote)); got < files {
				t.Errorf("the server holds %d of %d files after the source went away", got, files)
			}
		})
	}
}

// listHookRemote runs onList before each listing.
type listHookRemote struct {
	syncer.Remote
	onList func()
}

func (l *listHookRemote) List(ctx context.Context, root string, fn func(syncer.Entry) error) error {
	if l.onList != nil {
		l.onList()
	}
	return l.Remote.List(ctx, root, fn)
}

// TestSourceRenamedDuringPass renames the local folder in the middle of a
// pass over changed files: what could not be read is a problem, nothing is
// trashed, and the next pass says the source is unavailable.
func TestSourceRenamedDuringPass(t *testing.T) {
	cases := []struct {
		name         string
		whileHashing bool
	}{
		{name: "while hashing", whileHashing: true},
		{name: "while listing the server"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, emulator.Options{})
			ctx := ctxFor(t)
			local := e.localDir("moving")
			const files = 40
			fillTree(t, local, files, 2_000)
			var rename sync.Once
			doRename := func() { rename.Do(func() { _ = os.Rename(local, local+".elsewhere") }) }
			lr := &listHookRemote{Remote: app.NewRemote(e.client)}
			eng := e.engineOn(lr, syncer.Options{Hashers: 1})
			p := syncer.Pair{ID: "moving", Local: local, Remote: "/Laptop/Backup/moving", Prune: syncer.PruneAll, PruneLimit: -1}
			passUntilClean(t, ctx, eng, p, 1)
			// Change every file so the next pass hashes them all again.
			for i := range files {
				writeFile(t, local, fmt.Sprintf("d%02d/sub%d/file-%04d.bin", i%10, i%3, i), pattern(6<<20, byte('a'+i%20)))
			}
			done := make(chan struct{})
			if tc.whileHashing {
				sub := eng.Subscribe()
				defer sub.Close()
				go func() {
					defer close(done)
					for ev := range sub.C() {
						if pe, ok := ev.(syncer.ProgressEvent); ok && pe.Phase == syncer.StateScanning && pe.FilesDone > 0 {
							doRename()
							return
						}
						if _, ok := ev.(syncer.PassEvent); ok {
							return
						}
					}
				}()
			} else {
				lr.onList = doRename
				close(done)
			}
			res, err := eng.RunPass(ctx, p, syncer.PassOptions{})
			<-done
			lr.onList = nil
			t.Logf("pass: err=%v problems=%d hashed=%d", err, len(res.Problems), res.Counters.FilesHashed)
			if _, serr := os.Stat(local); !os.IsNotExist(serr) {
				t.Fatal("the folder was not renamed during the pass; the scenario did not happen")
			}
			if res.Counters.FilesTrashed != 0 || res.Counters.FoldersTrashed != 0 {
				t.Errorf("the pass trashed %d files and %d folders while its source moved away", res.Counters.FilesTrashed, res.Counters.FoldersTrashed)
			}
			if err == nil && len(res.Problems) == 0 {
				t.Error("the pass reported neither an error nor problems although its folder vanished")
			}
			if got := len(e.remoteFiles(p.Remote)); got != files {
				t.Errorf("the server holds %d of %d files", got, files)
			}
			res, err = eng.RunPass(ctx, p, syncer.PassOptions{})
			if !errors.Is(err, syncer.ErrSourceMissing) || res.Counters.FilesTrashed != 0 {
				t.Errorf("pass after the move: err=%v trashed=%d", err, res.Counters.FilesTrashed)
			}
			path := eng.IndexPath(p.ID)
			_ = eng.Close()
			e.checkIndex(path, p.Remote)
		})
	}
}

// sawState reads events up to the end of the pass and reports whether a
// state event with want and an error matching cause came by.
func sawState(sub *syncer.Subscription, want syncer.State, cause error) bool {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-sub.C():
			if se, ok := ev.(syncer.StateEvent); ok && se.State == want && errors.Is(se.Err, cause) {
				return true
			}
			if _, ok := ev.(syncer.PassEvent); ok {
				return false
			}
		case <-timeout:
			return false
		}
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// mountTmpfs mounts a small tmpfs on dir, or skips when mounting is not
// allowed (not root, no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	out, err := exec.CommandContext(context.Background(), "mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
}

func unmount(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.CommandContext(context.Background(), "umount", dir).CombinedOutput(); err != nil {
		t.Fatalf("umount %s: %v: %s", dir, err, out)
	}
}
