package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureGoPackagesAvoidFyne keeps the GUI toolkit out of the protocol
// client, the engine, the non-GUI app packages and the CLI, so that they
// build with CGO_ENABLED=0 on servers and NAS boxes.
func TestPureGoPackagesAvoidFyne(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}",
		"jottacloudclient/jotta/...", "jottacloudclient/syncer/...", "jottacloudclient/cmd/jotta")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") {
			t.Errorf("a pure-Go package depends on %s", dep)
		}
		if strings.HasPrefix(dep, "jottacloudclient/app/settings") || strings.HasPrefix(dep, "jottacloudclient/tray") {
			t.Errorf("a pure-Go package depends on GUI package %s", dep)
		}
	}
}

// TestLayersStayApart checks the dependency direction of design.md: the
// protocol client and the engine never see each other.
func TestLayersStayApart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cases := []struct {
		pkg       string
		forbidden []string
	}{
		{"jottacloudclient/jotta/...", []string{"jottacloudclient/syncer", "jottacloudclient/app", "jottacloudclient/tray"}},
		{"jottacloudclient/syncer/...", []string{"jottacloudclient/jotta", "jottacloudclient/app", "jottacloudclient/tray"}},
		// The emulator is an independent implementation of the server side.
		{"jottacloudclient/jotta/emulator", []string{"jottacloudclient/jotta/api"}},
	}
	for _, tc := range cases {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", tc.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				if tc.pkg == "jottacloudclient/jotta/emulator" && dep == "jottacloudclient/jotta" {
					t.Errorf("the emulator depends on the client package")
				}
				for _, f := range tc.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", tc.pkg, dep)
					}
				}
			}
		})
	}
}
