//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// The XDG desktop portal's settings, where desktops publish whether they
// prefer a light or a dark look (GNOME 42+, KDE Plasma 5.24+, …).
const (
	portalName      = "org.freedesktop.portal.Desktop"
	portalPath      = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalSettings  = "org.freedesktop.portal.Settings"
	appearanceSpace = "org.freedesktop.appearance"
	colorSchemeKey  = "color-scheme"
)

// WatchColorScheme reads the desktop's colour scheme from the XDG desktop
// portal, calls f with it, and calls f again whenever it changes, until
// ctx ends. Without a session bus or a portal it calls f(SchemeNone) once
// and returns why.
func WatchColorScheme(ctx context.Context, f func(Scheme)) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		f(SchemeNone)
		return err
	}
	match := []dbus.MatchOption{
		dbus.WithMatchObjectPath(portalPath),
		dbus.WithMatchInterface(portalSettings),
		dbus.WithMatchMember("SettingChanged"),
		dbus.WithMatchArg(0, appearanceSpace),
	}
	// Listen first, so that no change between the read and the listening is lost.
	if err := conn.AddMatchSignalContext(ctx, match...); err != nil {
		f(SchemeNone)
		return fmt.Errorf("listen to the desktop portal: %w", err)
	}
	defer func() { _ = conn.RemoveMatchSignal(match...) }()
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	var v dbus.Variant
	call := conn.Object(portalName, portalPath).CallWithContext(ctx, portalSettings+".Read", 0, appearanceSpace, colorSchemeKey)
	if err := call.Store(&v); err != nil {
		f(SchemeNone)
		return fmt.Errorf("read the desktop's colour scheme: %w", err)
	}
	f(schemeOf(v))
	for {
		select {
		case <-ctx.Done():
			return nil
		case sig := <-signals:
			if sig.Name != portalSettings+".SettingChanged" || len(sig.Body) != 3 {
				continue
			}
			ns, _ := sig.Body[0].(string)
			key, _ := sig.Body[1].(string)
			v, _ := sig.Body[2].(dbus.Variant)
			if ns == appearanceSpace && key == colorSchemeKey {
				f(schemeOf(v))
			}
		}
	}
}

// schemeOf decodes the color-scheme value: 1 prefers dark, 2 prefers
// light, anything else no preference. Portals before version 2 wrap the
// value in a second variant.
func schemeOf(v dbus.Variant) Scheme {
	val := v.Value()
	for {
		inner, ok := val.(dbus.Variant)
		if !ok {
			break
		}
		val = inner.Value()
	}
	switch n, _ := val.(uint32); n {
	case 1:
		return SchemeDark
	case 2:
		return SchemeLight
	}
	return SchemeNone
}
