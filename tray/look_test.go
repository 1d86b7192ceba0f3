package tray

import (
	"testing"

	"jottacloudclient/assets"
)

// TestIconLookSwitches: the tray shows the icon look the user chose, at
// once when the choice changes, follows the desktop's colour scheme when
// the choice is automatic, and sets the icon only when it changes.
func TestIconLookSwitches(t *testing.T) {
	h := newTestTray(t)
	want := func(what string, phase Phase, variant string, sets int) {
		t.Helper()
		sizes, err := assets.TrayIconVariant(map[Phase]string{Idle: "idle", Problem: "problem"}[phase], variant)
		if err != nil {
			t.Fatal(err)
		}
		h.shell.mu.Lock()
		defer h.shell.mu.Unlock()
		if string(h.shell.icon) != string(sizes[len(sizes)-1]) {
			t.Errorf("%s: the tray does not show the %s icon in the %q look", what, phase, variant)
		}
		if h.shell.icons != sets {
			t.Errorf("%s: the icon was set %d times in all, want %d", what, h.shell.icons, sets)
		}
	}
	idle := State{Phase: Idle, Pairs: 1, LastBackup: testNow}
	h.send(idle)
	want("colour by default", Idle, assets.TrayColour, 1)

	h.tr.SetColorScheme(SchemeDark)
	want("colour ignores the desktop's scheme", Idle, assets.TrayColour, 1)

	idle.Icon = IconLight
	h.send(idle)
	want("light panel chosen", Idle, assets.TrayLight, 2)
	h.send(idle)
	want("the same state again", Idle, assets.TrayLight, 2)

	idle.Icon = IconAuto
	h.send(idle)
	want("automatic on a dark desktop", Idle, assets.TrayDark, 3)
	h.tr.SetColorScheme(SchemeLight)
	want("the desktop turned light", Idle, assets.TrayLight, 4)
	h.tr.SetColorScheme(SchemeNone)
	want("the desktop has no preference", Idle, assets.TrayColour, 5)

	h.tr.SetColorScheme(SchemeDark)
	idle.Phase = Problem
	h.send(idle)
	want("a new phase in the chosen look", Problem, assets.TrayDark, 7)

	idle.Icon = IconDark
	h.send(idle)
	want("dark panel chosen, already shown", Problem, assets.TrayDark, 7)
}

func TestIconVariant(t *testing.T) {
	cases := []struct {
		look   string
		scheme Scheme
		want   string
	}{
		{"", SchemeDark, assets.TrayColour},
		{IconColour, SchemeLight, assets.TrayColour},
		{IconLight, SchemeDark, assets.TrayLight},
		{IconDark, SchemeNone, assets.TrayDark},
		{IconAuto, SchemeNone, assets.TrayColour},
		{IconAuto, SchemeDark, assets.TrayDark},
		{IconAuto, SchemeLight, assets.TrayLight},
		{"sepia", SchemeDark, assets.TrayColour},
	}
	for _, tc := range cases {
		if got := iconVariant(tc.look, tc.scheme); got != tc.want {
			t.Errorf("iconVariant(%q, %d) = %q, want %q", tc.look, tc.scheme, got, tc.want)
		}
	}
}
