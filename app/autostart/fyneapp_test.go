package autostart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestFyneAppMetadata keeps FyneApp.toml (used when packaging) in step with
// the names the autostart entry and the running app use.
func TestFyneAppMetadata(t *testing.T) {
	root := filepath.Join("..", "..")
	var meta struct {
		Details struct {
			ID, Name, Icon, Version string
		}
	}
	if _, err := toml.DecodeFile(filepath.Join(root, "FyneApp.toml"), &meta); err != nil {
		t.Fatalf("read FyneApp.toml: %v", err)
	}
	cases := []struct{ field, got, want string }{
		{"ID", meta.Details.ID, AppID},
		{"Name", meta.Details.Name, AppName},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("FyneApp.toml %s = %q, want %q", tc.field, tc.got, tc.want)
		}
	}
	if meta.Details.Version == "" {
		t.Error("FyneApp.toml has no Version")
	}
	if _, err := os.Stat(filepath.Join(root, meta.Details.Icon)); err != nil {
		t.Errorf("FyneApp.toml Icon: %v", err)
	}
}
