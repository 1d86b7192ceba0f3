// Package power answers whether a scheduled backup should wait because the
// computer runs on battery or sits on a metered network. On Linux and the
// BSDs it asks UPower and NetworkManager over the system D-Bus (one cached
// connection, every question bounded by a short timeout); wherever a
// service, the bus or the whole mechanism is missing the answer is
// "allowed", so a backup is never held back by guesswork. It must not
// import fyne, tray, syncer or any network client of JottaCloud.
package power
