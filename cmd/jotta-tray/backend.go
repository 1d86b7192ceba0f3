//go:build cgo

package main

import (
	"context"
	"log/slog"

	"jottacloudclient/app/settings"
	"jottacloudclient/tray"
)

// Backend is what the GUI needs from the application: the settings
// window's backend, the tray's host, and a few extras.
type Backend interface {
	settings.Backend
	tray.Host
	// WantNotifications reports the user's notification option; it must not block.
	WantNotifications() bool
	// Close stops the engine and releases what the backend holds.
	Close() error
}

// backendOptions are the command-line choices that concern the backend.
type backendOptions struct {
	// Demo signs in to the built-in demo service at start.
	Demo bool
}

// newBackend builds the application behind the GUI. This is the one place
// that chooses the implementation.
func newBackend(ctx context.Context, log *slog.Logger, opts backendOptions) (Backend, error) {
	return newDevBackend(ctx, log, opts)
}
