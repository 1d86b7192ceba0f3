package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
	"jottacloudclient/syncer/index"
)

// TestCrashDuringReorganisedPass kills 'jotta scan' at random moments of a
// pass that has everything at once after a backup: a renamed folder and a
// folder moved elsewhere (found by inode, not read again), new files
// (uploaded while the rest is still hashed), deleted files (pruned). After
// every kill the index claims nothing the server lacks for a file that
// exists; a final scan ends with a backup that 'jotta verify' and a
// listing confirm, and nothing left at the old paths.
func TestCrashDuringReorganisedPass(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the jotta binary; skipped with -short")
	}
	c := newCLIEnv(t, emulator.Options{})
	c.login()
	local := filepath.Join(c.dir, "data")
	fillTree(t, local, 240, 8<<10)
	const remote = "/Laptop/Backup/reorganised"
	args := []string{"scan", "--no-progress", "--loglevel", "debug", "--transfers", "4", "--bwlimit", "4MiB/s",
		"--errorfile", filepath.Join(c.dir, "errors.txt"), "--prune-all", local, remote}
	if out, code := c.run("scan-first", "", args...); code != 0 {
		t.Fatalf("first scan: exit %d\n%s", code, out)
	}

	mustRename(t, filepath.Join(local, "d00"), filepath.Join(local, "renamed00"))
	if err := os.MkdirAll(filepath.Join(local, "moved"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustRename(t, filepath.Join(local, "d01", "sub1"), filepath.Join(local, "moved", "sub1"))
	if err := os.RemoveAll(filepath.Join(local, "d02", "sub2")); err != nil {
		t.Fatal(err)
	}
	for i := range 120 {
		writeFile(t, local, fmt.Sprintf("new/n%d/file-%03d.bin", i%4, i), []byte(strings.Repeat(fmt.Sprintf("new %d ", i), 20000)))
	}

	client := c.client()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	killed := 0
	for i := range 4 {
		delay := time.Duration(20+rng.IntN(1200)) * time.Millisecond
		cmd, _ := c.command(t.Context(), fmt.Sprintf("scan-kill-%d", i), args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
			t.Logf("run %d finished within %s", i, delay)
			continue
		case <-time.After(delay):
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		killed++
		t.Logf("killed run %d after %s", i, delay)
		checkLiveRecords(t, c, local, listRemote(t, client, remote))
	}
	if killed == 0 {
		t.Fatal("no run was killed; the scenario did not happen")
	}

	_, remoteList := c.finalScan(t, local, remote, args)
	checkLiveRecords(t, c, local, remoteList)
}

// checkLiveRecords checks the CLI's index records of files that exist
// locally against the server: one that says "backed up" must be true.
// Records left at the old path of a moved file vouch for nothing (no walk
// finds that path) until the pass that swept them completes.
func checkLiveRecords(t *testing.T, c *cliEnv, local string, remote map[string]syncer.Entry) {
	t.Helper()
	dbs, _ := filepath.Glob(filepath.Join(c.cacheDir(), "jottacloudclient", "*.db"))
	for _, db := range dbs {
		ix, err := index.Open(db)
		if err != nil {
			t.Fatalf("open index: %v", err)
		}
		err = ix.View(func(r *index.Reader) error {
			return r.ForEach(func(p string, rec index.Record) error {
				if !rec.Uploaded {
					return nil
				}
				if _, err := os.Lstat(filepath.Join(local, filepath.FromSlash(p))); err != nil {
					return nil
				}
				if got, ok := remote[p]; !ok || got.Size != rec.Size || got.MD5 != fmt.Sprintf("%x", rec.MD5) {
					t.Errorf("index: %s is recorded as backed up (%x, %d bytes); the server has %+v", p, rec.MD5, rec.Size, got)
				}
				return nil
			})
		})
		ix.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// finalScan runs a last scan to its end, then 'jotta verify', and checks
// that the server holds exactly the local files with their md5s. It
// returns both sides.
func (c *cliEnv) finalScan(t *testing.T, local, remote string, args []string) (localSums map[string]string, remoteList map[string]syncer.Entry) {
	t.Helper()
	if out, code := c.run("scan-final", "", args...); code != 0 {
		stderr, _ := os.ReadFile(filepath.Join(c.dir, "stderr-scan-final.log"))
		t.Fatalf("final scan: exit %d\n%s\n%s", code, out, tail(string(stderr), 4000))
	}
	if out, code := c.run("verify", "", "verify", local, remote); code != 0 {
		t.Errorf("jotta verify: exit %d\n%s", code, tail(out, 4000))
	}
	localSums = localFiles(t, local)
	remoteList = listRemote(t, c.client(), remote)
	for rel, sum := range localSums {
		if r, ok := remoteList[rel]; !ok || r.MD5 != sum {
			t.Errorf("%s: server has %+v, want md5 %s", rel, r, sum)
		}
	}
	for rel := range remoteList {
		if _, ok := localSums[rel]; !ok {
			t.Errorf("%s is still on the server (old path or deleted file)", rel)
		}
	}
	return localSums, remoteList
}
