//go:build darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// entryPath is ~/Library/LaunchAgents/<AppID>.plist.
func entryPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", AppID+".plist"), nil
}

func enable(exe string) error {
	p, err := entryPath()
	if err != nil {
		return err
	}
	return writeFileAtomic(p, launchAgentPlist(exe))
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
	_, err = os.Stat(p)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("check %s: %w", p, err)
	}
}
