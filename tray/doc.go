// Package tray renders the system-tray icon and menu from the state it is
// given and turns clicks into commands for its host. It holds no backup
// logic and must not import fyne.io/fyne/v2/app.
package tray
