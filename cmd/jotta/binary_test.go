package main

import (
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
func buildJottaBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the jotta binary")
	}
	jottaBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jotta-test-bin-")
		if err != nil {
			jottaBinaryErr = err
			return
		}
		name := "jotta"
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		jottaBinaryPath = filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", jottaBinaryPath, "jottacloudclient/cmd/jotta")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		jottaBinaryOut, jottaBinaryErr = cmd.CombinedOutput()
	})
	if jottaBinaryErr != nil {
		t.Fatalf("build jotta: %v\n%s", jottaBinaryErr, jottaBinaryOut)
	}
	return jottaBinaryPath
}
