package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
)

// envLongCrash opts in to the full crash loop (2,000 files, 500 MiB, 10
// kills) besides running under a test binary without -short.
const envLongCrash = "E2E_LONG"

// TestCrashLoop kills 'jotta scan' with SIGKILL at random points of a
// backup (picked from the bytes the server has received), restarting it
// each time. After every kill the index claims nothing the server lacks;
// at the end 'jotta verify' and a listing find every file with the right
// md5, and the server received about the total size once: interrupted
// uploads resumed from what the server held.
func TestCrashLoop(t *testing.T) {
	cases := []struct {
		name  string
		files int
		bytes int64
		kills int
		bw    string
		long  bool
	}{
		{name: "200 files, 50 MiB, 3 kills", files: 200, bytes: 50 << 20, kills: 3, bw: "4MiB/s"},
		{name: "2000 files, 500 MiB, 10 kills", files: 2000, bytes: 500 << 20, kills: 10, bw: "16MiB/s", long: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && (testing.Short() || os.Getenv(envLongCrash) == "") {
				t.Skipf("set %s=1 (and no -short) to run the full crash loop", envLongCrash)
			}
			if testing.Short() {
				t.Skip("builds and kills the jotta binary; skipped with -short")
			}
			runCrashLoop(t, tc.files, tc.bytes, tc.kills, tc.bw)
		})
	}
}

func runCrashLoop(t *testing.T, files int, size int64, kills int, bw string) {
	// Short-lived access tokens make the runs refresh (and rotate the
	// refresh token) while they may be killed.
	c := newCLIEnv(t, emulator.Options{AccessTokenLifetime: 3 * time.Second})
	loginToken := c.login()
	local := filepath.Join(c.dir, "data")
	total := fillTree(t, local, files, int(size/int64(files)))
	const remote = "/Laptop/Backup/crash"
	client := c.client()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	targets := make([]int64, kills)
	for i := range targets {
		targets[i] = total/20 + rng.Int64N(total*9/10)
	}
	slices.Sort(targets)
	t.Logf("%d files, %d bytes; kill points (bytes arrived at the server): %v", files, total, targets)

	args := []string{"scan", "--no-progress", "--loglevel", "debug", "--transfers", "4", "--bwlimit", bw,
		"--errorfile", filepath.Join(c.dir, "errors.txt"), "--prune-all", local, remote}
	killed, midRotation := 0, 0
	var lastArrived int64
	// Every session that existed: refresh tokens rotate between runs.
	secrets := c.secrets(loginToken)
	for i, target := range targets {
		if target <= lastArrived {
			continue // the previous run got past this point
		}
		cmd, _ := c.command(t.Context(), fmt.Sprintf("scan-%d", i), args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if !waitArrived(t, c, target, exited) {
			t.Logf("run %d finished before reaching %d bytes", i, target)
			break
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := <-exited
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: want a SIGKILL death, got %v", i, err)
		}
		killed++
		lastArrived = c.arrived.Load()
		secrets = append(secrets, c.secrets(loginToken)...)
		if c.killedMidRotation() {
			// The server rotated the refresh token and the process died
			// before saving the new one: the session is gone, as it would
			// be for a user (the window is a few milliseconds every hour
			// with real tokens; with 3 s tokens a kill can land in it).
			// Signing in again is what that user would do. More than once
			// a run would mean the window is not a few milliseconds.
			if midRotation++; midRotation > 1 {
				t.Errorf("kill %d landed between a token rotation and its save, %d kills in this run did: the client saves the rotated token late", killed, midRotation)
			}
			t.Logf("kill %d landed between the server's token rotation and the save; signing in again", killed)
			loginToken = c.login()
			secrets = append(secrets, c.secrets(loginToken)...)
		}
		st := c.emu.Stats()
		n := checkCLIIndexes(t, c, client, remote)
		t.Logf("kill %d at %d bytes arrived (server counted %d): %d files recorded as backed up", killed, lastArrived, st.UploadBytes, n)
	}
	if killed < min(kills, 1) {
		t.Fatalf("no run was killed; the scenario did not happen")
	}

	out, code := c.run("scan-final", "", args...)
	if code != 0 {
		stderr, _ := os.ReadFile(filepath.Join(c.dir, "stderr-scan-final.log"))
		t.Fatalf("final scan: exit %d\n%s\n%s", code, out, tail(string(stderr), 4000))
	}
	if out, code := c.run("verify", "", "verify", local, remote); code != 0 {
		stderr, _ := os.ReadFile(filepath.Join(c.dir, "stderr-verify.log"))
		t.Errorf("jotta verify: exit %d\n%s\n%s", code, tail(out, 4000), tail(string(stderr), 4000))
	}
	localSums := localFiles(t, local)
	remoteList := listRemote(t, client, remote)
	if len(remoteList) != len(localSums) {
		t.Errorf("server holds %d files, want %d", len(remoteList), len(localSums))
	}
	for rel, sum := range localSums {
		if r, ok := remoteList[rel]; !ok || r.MD5 != sum {
			t.Errorf("%s: server has %+v, want md5 %s", rel, r, sum)
		}
	}
	if n := checkCLIIndexes(t, c, client, remote); n != files {
		t.Errorf("%d files recorded as backed up after the final scan, want %d", n, files)
	}

	st := c.emu.Stats()
	// Bytes in flight at a kill (sent, not yet stored) are the only ones a
	// restart may send again; allow a generous 4 MiB per kill.
	slack := int64(killed) * 4 << 20
	t.Logf("server received %d upload bytes for %d bytes of files (%+.2f%%) over %d kills; %d allocations, %d refreshes",
		st.UploadBytes, total, 100*float64(st.UploadBytes-total)/float64(total), killed, st.Requests[emulator.EndpointAllocate], st.Refreshes)
	if st.UploadBytes > total+slack {
		t.Errorf("the server received %d bytes for %d bytes of files: some uploads restarted from zero (allowed %d extra)", st.UploadBytes, total, slack)
	}
	if st.UploadBytes < total {
		t.Errorf("the server received %d bytes, less than the %d bytes of files", st.UploadBytes, total)
	}
	checkNoSecrets(t, c.dir, append(secrets, c.secrets(loginToken)...)...)
}

// waitArrived polls the bytes that reached the server until target, and
// reports false if the process ended first.
func waitArrived(t *testing.T, c *cliEnv, target int64, exited chan error) bool {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(3 * time.Minute)
	for c.arrived.Load() < target {
		select {
		case err := <-exited:
			exited <- err
			return false
		case <-deadline:
			t.Fatalf("the upload stalled at %d bytes", c.arrived.Load())
		case <-tick.C: // polling the server's counter, not synchronising with the CLI
		}
	}
	return true
}

// checkCLIIndexes checks every index the CLI left in its cache against the
// server and returns how many files they record as backed up.
func checkCLIIndexes(t *testing.T, c *cliEnv, client *jotta.Client, remote string) int {
	t.Helper()
	dbs, _ := filepath.Glob(filepath.Join(c.cacheDir(), "jottacloudclient", "*.db"))
	if len(dbs) == 0 {
		return 0
	}
	list := listRemote(t, client, remote)
	n := 0
	for _, db := range dbs {
		n += checkIndexAgainst(t, list, db)
	}
	return n
}

// client signs a separate session in to the emulator for checks.
// killedMidRotation reports whether the stored session holds a refresh
// token the server has already exchanged for a newer one.
func (c *cliEnv) killedMidRotation() bool {
	c.t.Helper()
	data := checkSessionFile(c.t, filepath.Join(c.configDir(), "jottacloudclient", "session.json"))
	for _, tok := range tokenStrings(data) {
		if c.emu.RefreshTokenRetired(tok) {
			return true
		}
	}
	return false
}

func (c *cliEnv) client() *jotta.Client {
	c.t.Helper()
	lt, err := c.emu.MintLoginToken()
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := jotta.Login(ctx, nil, lt)
	if err != nil {
		c.t.Fatal(err)
	}
	cl, err := jotta.New(jotta.Options{Endpoint: c.url, Store: jotta.NewMemoryTokenStore(tok), Retry: fastRetry})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestKilledMidRotationIsSeen: a session whose refresh token the server
// rotated without the CLI saving the new one (a kill in that window) is
// told apart from a good one, and signing in again brings the CLI back.
func TestKilledMidRotationIsSeen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the jotta binary; skipped with -short")
	}
	c := newCLIEnv(t, emulator.Options{})
	c.login()
	if c.killedMidRotation() {
		t.Fatal("a fresh session counts as killed mid-rotation")
	}
	var stored struct{ Token jotta.Token }
	data := checkSessionFile(t, filepath.Join(c.configDir(), "jottacloudclient", "session.json"))
	if err := json.Unmarshal(data, &stored); err != nil || stored.Token.RefreshToken == "" {
		t.Fatalf("session file: %v (refresh token set %v)", err, stored.Token.RefreshToken != "")
	}
	// What the killed process did: exchange the stored token, keep the answer in memory only.
	if _, err := jotta.RefreshToken(t.Context(), nil, stored.Token.TokenURL, stored.Token.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if !c.killedMidRotation() {
		t.Fatal("a session whose refresh token was rotated elsewhere is not seen")
	}
	c.login()
	if out, code := c.run("whoami", "", "whoami"); code != 0 {
		t.Errorf("whoami after signing in again: exit %d\n%s", code, out)
	}
}
