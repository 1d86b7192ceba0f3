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

// trayHostPresent reports whether a panel shows StatusNotifierItems: stock
// GNOME, for one, has no StatusNotifierWatcher, and the icon would be
// invisible there.
func trayHostPresent() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
