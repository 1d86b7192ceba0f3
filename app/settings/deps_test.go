package settings

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the application constructor out of the settings window: only the
// main package may create the Fyne app (and pull in the GL driver).
func TestImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "fyne.io/fyne/v2/app" || strings.HasPrefix(dep, "fyne.io/fyne/v2/internal/driver/glfw") ||
			strings.HasPrefix(dep, "jottacloudclient/cmd/") {
			t.Errorf("app/settings depends on %s", dep)
		}
	}
}
