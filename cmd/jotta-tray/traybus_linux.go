//go:build cgo

package main

import (
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// trayAvailable reports whether a tray can be shown. On Linux the tray is a
// StatusNotifierItem on the D-Bus session bus; without a bus fyne.io/systray
// panics when the app quits (fyne-io/fyne#6403), so the tray is skipped. The
// shared connection is left open: closing it would break other users.
func trayAvailable(log *slog.Logger) bool {
	if _, err := dbus.SessionBus(); err != nil {
		log.Warn("jotta-tray: no D-Bus session bus, tray disabled", "err", err)
		return false
	}
	return true
}
