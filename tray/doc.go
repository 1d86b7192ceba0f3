// Package tray renders the system-tray icon and menu from the state its Host
// reports and turns clicks into commands for the Host. It holds no backup
// logic: the Host (the app controller, or a fake in tests) owns the engine.
// It decides which desktop notifications to show so that one problem is
// announced once, not on every pass. It must not import fyne.io/fyne/v2/app;
// only the main package creates the Fyne application.
package tray
