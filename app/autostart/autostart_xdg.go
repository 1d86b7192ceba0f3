//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// entryPath is $XDG_CONFIG_HOME/autostart/<AppID>.desktop (default
// ~/.config/autostart).
func entryPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the autostart folder: %w", err)
	}
	return filepath.Join(dir, "autostart", AppID+".desktop"), nil
}

func enable(exe string) error {
	p, err := entryPath()
	if err != nil {
		return err
	}
	return writeFileAtomic(p, desktopEntry(exe))
}

func disable() error {
	p, err := entryPath()
	if err != nil {
		return err
	}
	return removeIfExists(p)
}

func enabled() (bool, error) {
	p, err := entryPath()
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", p, err)
	}
	return desktopEntryActive(data), nil
}
