// Package app holds what the tray app and the CLI share beyond the engine:
// the configuration file, the credentials chain (OS keyring, ~/.netrc,
// environment), the adapter from the jotta client to syncer.Remote and the
// controller that owns the engine. It has no widgets and must not import
// tray or fyne GUI packages.
package app
