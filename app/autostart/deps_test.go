package autostart

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the package pure Go: no GUI toolkit, no project packages.
func TestImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || (strings.HasPrefix(dep, "jottacloudclient/") && dep != "jottacloudclient/app/autostart") {
			t.Errorf("autostart depends on %s", dep)
		}
	}
}
