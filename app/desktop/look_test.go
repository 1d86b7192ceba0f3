package desktop_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"jottacloudclient/app/desktop"
	"jottacloudclient/tray"
)

// TestTrayIconLookIsSavedAndShown: choosing the tray icon's look in the
// options stores it in the configuration file and sends the tray a state
// in that look at once.
func TestTrayIconLookIsSavedAndShown(t *testing.T) {
	_, paths, ctl := newController(t)
	b := desktop.New(ctl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	states := b.States(ctx)
	next := func() tray.State {
		t.Helper()
		select {
		case s := <-states:
			return s
		case <-ctx.Done():
			t.Fatal("no tray state")
		}
		return tray.State{}
	}
	if s := next(); s.Icon != tray.IconColour {
		t.Fatalf("the tray starts with the look %q, want colour", s.Icon)
	}
	o, err := b.Options(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.TrayIcon != tray.IconColour {
		t.Errorf("the options show the look %q, want colour", o.TrayIcon)
	}
	o.TrayIcon = tray.IconDark
	if err := b.SaveOptions(ctx, o); err != nil {
		t.Fatal(err)
	}
	for s := next(); s.Icon != tray.IconDark; s = next() {
	}
	data, err := os.ReadFile(paths.Config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `tray_icon = "dark"`) {
		t.Errorf("the configuration file does not hold the look:\n%s", data)
	}
	if o, _ := b.Options(ctx); o.TrayIcon != tray.IconDark {
		t.Errorf("the options read back the look %q", o.TrayIcon)
	}
}
