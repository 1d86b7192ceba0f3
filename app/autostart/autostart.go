package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const (
	// AppID is the application's ID (as in FyneApp.toml); it names the
	// autostart entry file.
	AppID = "com.jottacloudclient.tray"
	// AppName is the human-readable name shown by the desktop.
	AppName = "JottaCloud Backup"
	// MinimizedFlag is passed to the app so it starts hidden in the tray.
	MinimizedFlag = "--minimized"
)

// Enable makes exePath start (minimised) when the current user logs in.
// exePath must be absolute; it replaces any earlier entry.
func Enable(exePath string) error {
	if !filepath.IsAbs(exePath) {
		return fmt.Errorf("start at login needs an absolute program path, got %q", exePath)
	}
	return enable(exePath)
}

// Disable removes the entry. Removing an entry that does not exist is not an error.
func Disable() error { return disable() }

// Enabled reports whether an active entry exists for this app.
func Enabled() (bool, error) { return enabled() }

// writeFileAtomic writes data to path through a temporary file and a rename,
// so a crash never leaves a half-written entry behind.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".autostart-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
