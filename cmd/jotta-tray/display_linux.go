//go:build cgo && linux

package main

import (
	"errors"
	"os"
)

// checkDisplay refuses to start without a graphical session, where the
// windowing library would otherwise abort with a panic.
func checkDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no graphical desktop here (neither DISPLAY nor WAYLAND_DISPLAY is set): " +
			"start jotta-tray from your desktop session, or use 'jotta run' to back up without a window")
	}
	return nil
}
