package names_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeaf keeps the name rules a leaf every layer may import.
func TestLeaf(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "jottacloudclient/internal/names").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "jottacloudclient/") && dep != "jottacloudclient/internal/names" || strings.HasPrefix(dep, "fyne.io/") {
			t.Errorf("names depends on %s", dep)
		}
	}
}
