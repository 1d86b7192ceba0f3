package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	jottaBinaryOnce sync.Once
	jottaBinaryPath string
	jottaBinaryErr  error
	jottaBinaryOut  []byte
)

// buildJottaBinary builds cmd/jotta once per test binary (CGO_ENABLED=0,
// as it ships) and returns the executable's path. Tests that need a real
// process (signals, SIGKILL, exit codes) run it.
//
// The executable lives in one directory per user and working tree and is replaced by
// rename, so test runs leave no binaries behind and a process already
// running keeps its own file.
func buildJottaBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the jotta binary")
	}
	jottaBinaryOnce.Do(func() {
		// One directory per user and working tree: test runs of two
		// checkouts side by side must not exec each other's build.
		wd, _ := os.Getwd()
		tree := sha256.Sum256([]byte(wd))
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("jotta-test-bin-%d-%x", os.Getuid(), tree[:4]))
		if jottaBinaryErr = os.MkdirAll(dir, 0o700); jottaBinaryErr != nil {
			return
		}
		name := "jotta"
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		tmp, err := os.CreateTemp(dir, name+".tmp-*")
		if err != nil {
			jottaBinaryErr = err
			return
		}
		tmp.Close()
		cmd := exec.Command("go", "build", "-o", tmp.Name(), "jottacloudclient/cmd/jotta")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		jottaBinaryOut, jottaBinaryErr = cmd.CombinedOutput()
		if jottaBinaryErr != nil {
			os.Remove(tmp.Name())
			return
		}
		// Renaming over the previous build is atomic: a concurrent run
		// (of the same working tree) execs either file whole.
		jottaBinaryPath = filepath.Join(dir, name)
		if jottaBinaryErr = os.Rename(tmp.Name(), jottaBinaryPath); jottaBinaryErr != nil {
			os.Remove(tmp.Name())
		}
	})
	if jottaBinaryErr != nil {
		t.Fatalf("build jotta: %v\n%s", jottaBinaryErr, jottaBinaryOut)
	}
	return jottaBinaryPath
}
