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
	"jottacloudclient/syncer/index"
)

// Markers the engine logs at debug level between the stages of a pass.
const (
	markListing = "listing the remote folder"
	markSpooled = "listing spooled"
	markMerged  = "walk merged"
)

// TestCrashWhileSpoolingAndMerging kills 'jotta scan' at random moments
// inside the two stages of a streaming pass: while the remote listing is
// spooled to disk, and while the walk is merged with the index and the
// spooled listing (hashing, writing the new index generation, uploading
// new files at once). The pass has everything at once: a folder renamed
// to a name the walk reaches before its old one, edited files, new files
// and deleted ones. After every kill the index opens, and every record
// that says "backed up" for a file that exists is true on the server; a
// final scan ends with a backup that 'jotta verify' and a listing confirm.
func TestCrashWhileSpoolingAndMerging(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the jotta binary; skipped with -short")
	}
	// A slow link makes the listing take a moment, so a kill can land
	// inside it.
	c := newCLIEnv(t, emulator.Options{Link: emulator.Link{Latency: 20 * time.Millisecond, Bandwidth: 3 << 20}})
	c.login()
	local := filepath.Join(c.dir, "data")
	fillTree(t, local, 1500, 2<<10)
	const remote = "/Laptop/Backup/streamed"
	args := []string{"scan", "--no-progress", "--loglevel", "debug", "--transfers", "4", "--bwlimit", "2MiB/s",
		"--prune-all", local, remote}
	if out, code := c.run("scan-first", "", args...); code != 0 {
		t.Fatalf("first scan: exit %d\n%s", code, out)
	}

	// "d03" becomes "a03": the walk finds the new name before the old
	// records, so the files wait for the end of the walk to borrow them.
	mustRename(t, filepath.Join(local, "d03"), filepath.Join(local, "a03"))
	if err := os.RemoveAll(filepath.Join(local, "d04", "sub1")); err != nil { // 50 files: within the prune limit
		t.Fatal(err)
	}
	edited := 0
	_ = filepath.WalkDir(filepath.Join(local, "d01"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && edited < 60 {
			edited++
			return os.WriteFile(p, []byte(strings.Repeat("edited "+p, 500)), 0o644)
		}
		return nil
	})
	for i := range 150 {
		writeFile(t, local, fmt.Sprintf("new/n%d/file-%03d.bin", i%3, i), []byte(strings.Repeat(fmt.Sprintf("fresh %d ", i), 3000)))
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	stages := map[string]int{}
	for i := 0; i < 6 || (i < 12 && (stages[markListing] == 0 || stages[markSpooled] == 0)); i++ {
		// Alternate the stage aimed at; a kill is counted by the stage
		// its log shows it reached.
		aim := markListing
		if i%2 == 1 {
			aim = markSpooled
		}
		stage, done := c.killAt(t, fmt.Sprintf("scan-kill-%d", i), aim, time.Duration(rng.IntN(250))*time.Millisecond, args...)
		if done {
			t.Logf("run %d ended before the kill", i)
			continue
		}
		stages[stage]++
		t.Logf("killed run %d during %q", i, stage)
		ix, err := index.Open(indexOf(t, c))
		if err != nil {
			t.Fatalf("after a kill during %q the index does not open: %v", stage, err)
		}
		ix.Close()
		checkLiveRecords(t, c, local, listRemote(t, c.client(), remote))
	}
	if stages[markListing] == 0 || stages[markSpooled] == 0 {
		t.Fatalf("kills by stage %v: want at least one while spooling and one while merging", stages)
	}

	localSums, _ := c.finalScan(t, local, remote, args)
	// A pass that ends normally writes the whole index: exactly the
	// local files, each backed up.
	n := 0
	ix, err := index.Open(indexOf(t, c))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_ = ix.View(func(r *index.Reader) error {
		return r.ForEach(func(p string, rec index.Record) error {
			n++
			if _, ok := localSums[p]; !ok {
				t.Errorf("index still holds %s, which is gone", p)
			} else if !rec.Uploaded {
				t.Errorf("index does not record %s as backed up after a complete pass", p)
			}
			return nil
		})
	})
	if n != len(localSums) {
		t.Errorf("index holds %d records for %d local files", n, len(localSums))
	}
}

// killAt starts the CLI, waits until its log shows marker, sleeps delay
// and kills it. It returns the last stage marker the log shows at the
// kill, or done when the run ended first.
func (c *cliEnv) killAt(t *testing.T, name, marker string, delay time.Duration, args ...string) (stage string, done bool) {
	t.Helper()
	cmd, _ := c.command(t.Context(), name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	logPath := filepath.Join(c.dir, "stderr-"+name+".log")
	deadline := time.After(60 * time.Second)
wait:
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), marker) {
			break wait
		}
		select {
		case <-exited:
			return "", true
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("%s: the log never showed %q", name, marker)
		case <-time.After(2 * time.Millisecond):
		}
	}
	select {
	case <-exited:
		return "", true
	case <-time.After(delay):
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	b, _ := os.ReadFile(logPath)
	log := string(b)
	switch {
	case strings.Contains(log, markMerged):
		return markMerged, false
	case strings.Contains(log, markSpooled):
		return markSpooled, false
	}
	return markListing, false
}

// indexOf returns the path of the CLI's one index file.
func indexOf(t *testing.T, c *cliEnv) string {
	t.Helper()
	dbs, _ := filepath.Glob(filepath.Join(c.cacheDir(), "jottacloudclient", "*.db"))
	if len(dbs) != 1 {
		t.Fatalf("want one index file, found %q", dbs)
	}
	return dbs[0]
}
