//go:build cgo && !linux

package main

import "log/slog"

// trayAvailable reports whether a tray can be shown; outside Linux the
// system tray needs no session bus.
func trayAvailable(*slog.Logger) bool { return true }

// trayHostPresent reports whether the tray icon can be seen; outside Linux
// the desktop always shows it.
func trayHostPresent() bool { return true }
