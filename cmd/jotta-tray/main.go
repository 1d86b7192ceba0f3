//go:build cgo

// Command jotta-tray is the desktop app: a system-tray icon and a settings
// window over the same backup engine as the jotta CLI. One instance runs per
// user; starting it again shows the running instance's settings window.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"jottacloudclient/app/autostart"
	"jottacloudclient/app/instance"
	"jottacloudclient/app/settings"
	"jottacloudclient/assets"
	"jottacloudclient/tray"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("jotta-tray", flag.ContinueOnError)
	minimized := fs.Bool("minimized", false, "start hidden in the system tray (used when starting at login)")
	demo := fs.Bool("demo", false, "start signed in to the built-in demo service")
	logLevel := fs.String("loglevel", "info", "log detail: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "jotta-tray:", err)
		return 2
	}

	if err := checkDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, "jotta-tray:", err)
		return 2
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	dir, err := instance.DefaultDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jotta-tray:", err)
		return 1
	}
	inst, err := instance.Acquire(dir, instance.RoleTray)
	var busy *instance.BusyError
	switch {
	case errors.As(err, &busy) && busy.Role == instance.RoleTray:
		if err := instance.AskShow(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "jotta-tray: the app is already running but did not answer:", err)
			return 1
		}
		log.Info("jotta-tray: already running; asked it to show its window")
		return 0
	case err != nil:
		fmt.Fprintln(os.Stderr, "jotta-tray:", err)
		return 1
	}
	defer func() {
		if err := inst.Release(); err != nil {
			log.Warn("jotta-tray: release instance lock", "err", err)
		}
	}()

	be, err := newBackend(ctx, log, backendOptions{Demo: *demo})
	if err != nil {
		fmt.Fprintln(os.Stderr, "jotta-tray:", err)
		return 1
	}
	defer func() {
		if err := be.Close(); err != nil {
			log.Warn("jotta-tray: stop backend", "err", err)
		}
	}()

	a := fyneapp.NewWithID(autostart.AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.AppIcon))
	a.Settings().SetTheme(settings.Theme())
	win := settings.New(a, be, settings.Config{Log: log})

	hasTray := trayAvailable(log)
	var shell *tray.Systray
	if hasTray {
		show := func() { fyne.Do(win.Show) }
		tr := tray.New(be, tray.Options{
			ShowSettings: show,
			Quit:         func() { fyne.Do(a.Quit) },
			Notifier:     a,
			Notify:       be.WantNotifications,
			Log:          log,
		})
		// fyne.io/systray is used directly, not through Fyne's tray menu,
		// which rebuilds the menu with new ids on every change.
		a.Lifecycle().SetOnStarted(func() {
			var err error
			if shell, err = tray.StartSystray(show); err != nil {
				log.Warn("jotta-tray: the tray item lacks its status", "err", err)
			}
			tr.Attach(shell)
			go tr.Run(ctx)
			go func() {
				// The icon's "Automatic" look follows the desktop's light or dark style.
				if err := tray.WatchColorScheme(ctx, tr.SetColorScheme); err != nil {
					log.Debug("jotta-tray: no colour scheme from the desktop; the automatic tray icon is in colour", "err", err)
				}
			}()
		})
	}
	visibleTray := func() bool { return hasTray && trayHostPresent() }
	if hasTray && !visibleTray() {
		log.Warn("jotta-tray: no tray host (StatusNotifierWatcher) on this desktop; the window stays the way to the app")
	}
	// Closing the window leaves the app running in the tray; without a
	// tray icon to see there would be no way back, so then closing quits.
	win.SetTrayVisible(visibleTray())
	win.Window().SetCloseIntercept(func() {
		if visibleTray() {
			win.Hide()
		} else {
			a.Quit()
		}
	})
	go func() {
		if err := inst.Serve(ctx, func() { fyne.Do(win.Show) }); err != nil {
			log.Warn("jotta-tray: show requests stopped", "err", err)
		}
	}()
	minimize := *minimized && visibleTray()
	if !minimize {
		win.Show()
	}
	log.Info("jotta-tray: started", "tray", hasTray, "minimized", minimize)
	a.Run()
	cancel()
	if shell != nil {
		shell.Stop()
	}
	win.Stop()
	log.Info("jotta-tray: stopped")
	return 0
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("unknown --loglevel %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
