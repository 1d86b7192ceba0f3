package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes what the fuzz targets keep across executions.
func TestMain(m *testing.M) {
	code := m.Run()
	if excludeDir != "" {
		_ = os.RemoveAll(excludeDir)
	}
	if cliPath != "" {
		_ = os.RemoveAll(filepath.Dir(cliPath))
	}
	os.Exit(code)
}
