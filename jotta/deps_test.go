package jotta_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the protocol client free of the GUI toolkit and
// of the packages that sit above it, and pure Go.
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "jottacloudclient/jotta", "jottacloudclient/jotta/api")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"fyne.io/", "jottacloudclient/syncer", "jottacloudclient/app", "jottacloudclient/tray", "jottacloudclient/jotta/emulator"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("jotta depends on %s", dep)
			}
		}
	}
}
