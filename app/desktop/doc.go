// Package desktop adapts the app controller to what the GUI defines: the
// settings window's Backend and the tray's Host. It translates types and
// field names only; the logic stays in app. It must not import
// fyne.io/fyne/v2/app (only the GUI main may).
package desktop
