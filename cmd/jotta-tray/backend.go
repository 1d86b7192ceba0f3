//go:build cgo

package main

import (
	"context"
	"log/slog"

	"jottacloudclient/app"
	"jottacloudclient/app/desktop"
)

// backendOptions are the command-line choices that concern the backend.
type backendOptions struct {
	// Demo signs in to the built-in demo service at start.
	Demo bool
}

// newBackend builds the application behind the GUI: the app controller on
// the user's configuration, credentials and state directories.
func newBackend(ctx context.Context, log *slog.Logger, opts backendOptions) (desktop.Backend, error) {
	paths, err := app.DefaultPaths()
	if err != nil {
		return nil, err
	}
	c, err := app.NewController(ctx, app.ControllerOptions{Paths: paths, Logger: log})
	if err != nil {
		return nil, err
	}
	if opts.Demo && !c.Status().Demo {
		if err := c.StartDemo(ctx); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	return desktop.New(c), nil
}
