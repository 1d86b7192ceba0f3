//go:build linux || freebsd || openbsd || netbsd || dragonfly

package power

import "github.com/godbus/dbus/v5"

// dialSystemBus opens a private connection to the system bus
// (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket).
func dialSystemBus() (*dbus.Conn, error) { return dbus.ConnectSystemBus() }
