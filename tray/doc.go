// Package tray renders the system-tray item from the state its Host
// reports and turns clicks into commands for the Host. It holds no backup
// logic: the Host (the app controller, or a fake in tests) owns the engine.
//
// The menu is built once and its items change in place, so their ids stay
// valid while a panel shows them; new states are shown at most every
// DefaultMinInterval (a new phase at once), the icon only when the phase
// changes. The tray item is fyne.io/systray used directly (Systray), with
// its StatusNotifierItem properties served here so that the item can say
// NeedsAttention and carry a tooltip in words.
//
// It decides which desktop notifications to show so that one problem is
// announced once, not on every pass. It must not import fyne.io/fyne/v2/app;
// only the main package creates the Fyne application.
package tray
