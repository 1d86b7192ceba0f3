//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// fakePortal serves the colour scheme as the XDG desktop portal does
// before version 2: a variant inside the reply's variant.
type fakePortal struct{ scheme uint32 }

func (p *fakePortal) Read(ns, key string) (dbus.Variant, *dbus.Error) {
	if ns != appearanceSpace || key != colorSchemeKey {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.portal.Error.NotFound", []any{"no such setting"})
	}
	return dbus.MakeVariant(dbus.MakeVariant(p.scheme)), nil
}

// TestColorSchemePortalE2E plays the desktop portal on the session bus:
// WatchColorScheme reports the scheme it reads, then each change the
// portal signals, and stops when its context ends.
func TestColorSchemePortalE2E(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs a D-Bus session bus (run under dbus-run-session)")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Export(&fakePortal{scheme: 1}, portalPath, portalSettings); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", r, err)
	}
	defer func() { _, _ = conn.ReleaseName(portalName) }()

	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan Scheme, 4)
	done := make(chan error, 1)
	go func() { done <- WatchColorScheme(ctx, func(s Scheme) { got <- s }) }()
	next := func(what string) Scheme {
		t.Helper()
		select {
		case s := <-got:
			return s
		case <-time.After(10 * time.Second):
			t.Fatalf("no colour scheme %s", what)
		}
		return SchemeNone
	}
	if s := next("read at the start"); s != SchemeDark {
		t.Fatalf("read %d, want dark", s)
	}
	emit := func(ns string, v uint32) {
		if err := conn.Emit(portalPath, portalSettings+".SettingChanged", ns, colorSchemeKey, dbus.MakeVariant(v)); err != nil {
			t.Fatal(err)
		}
	}
	emit("org.example.other", 1) // another namespace: not the colour scheme
	emit(appearanceSpace, 2)
	if s := next("after the desktop turned light"); s != SchemeLight {
		t.Fatalf("after a change to light: %d", s)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WatchColorScheme ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchColorScheme did not stop with its context")
	}
}
