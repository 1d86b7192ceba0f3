//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnableDisableXDG runs the real code path in a temporary config home:
// enable writes the entry, Enabled reads it back, disable removes it.
func TestEnableDisableXDG(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	exe := "/opt/Jotta Cloud/jotta-tray"
	path := filepath.Join(cfg, "autostart", AppID+".desktop")

	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"initially off", func() error { return nil }, false},
		{"disable when off", Disable, false},
		{"enable", func() error { return Enable(exe) }, true},
		{"enable again", func() error { return Enable(exe) }, true},
		{"disable", Disable, false},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := Enabled()
		if err != nil {
			t.Fatalf("%s: Enabled: %v", s.name, err)
		}
		if got != s.want {
			t.Fatalf("%s: Enabled = %v, want %v", s.name, got, s.want)
		}
		if s.name == "enable" {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("entry not at %s: %v", path, err)
			}
			exec := desktopEntryExec(data)
			if exec != `"/opt/Jotta Cloud/jotta-tray" --minimized` {
				t.Errorf("Exec = %s", exec)
			}
			if !strings.HasSuffix(exec, " "+MinimizedFlag) {
				t.Errorf("Exec line does not start minimised: %s", exec)
			}
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("entry still present after Disable: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(cfg, "autostart", ".autostart-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestEnabledHonoursUserSwitchOff(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	if err := Enable("/usr/bin/jotta-tray"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg, "autostart", AppID+".desktop")
	data, _ := os.ReadFile(path)
	off := strings.Replace(string(data), "X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false", 1)
	if err := os.WriteFile(path, []byte(off), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, err := Enabled(); err != nil || on {
		t.Errorf("Enabled = %v, %v after the desktop switched it off", on, err)
	}
}

func TestEnableRejectsRelativePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if err := Enable("jotta-tray"); err == nil {
		t.Fatal("Enable accepted a relative path")
	}
	if on, _ := Enabled(); on {
		t.Error("a rejected Enable left an entry")
	}
}
