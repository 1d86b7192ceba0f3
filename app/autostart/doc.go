// Package autostart turns "start at login" on and off for the current user:
// an XDG autostart .desktop file on Linux and other freedesktop systems, a
// LaunchAgent plist on macOS, the per-user Run key on Windows. The state it
// reports is always read back from the system, never remembered. It is pure
// Go and must not import fyne or any other project package.
package autostart
