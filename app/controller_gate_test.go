package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
)

// fakePower is a ControllerOptions.PowerCheck that says the computer is
// on battery and records the options it was asked with.
type fakePower struct {
	mu    sync.Mutex
	calls int
	asked [2]bool // skipOnBattery, skipOnMetered of the last call
}

func (f *fakePower) check(ctx context.Context, skipOnBattery, skipOnMetered bool) (bool, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.asked = [2]bool{skipOnBattery, skipOnMetered}
	if skipOnBattery {
		return false, "on battery power"
	}
	return true, ""
}

func (f *fakePower) state() (int, [2]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.asked
}

func logCount(s app.Status, part string) int {
	n := 0
	for _, l := range s.Log {
		if strings.Contains(l, part) {
			n++
		}
	}
	return n
}

// TestControllerGatesScheduledBackups: with skip_on_battery on and the
// computer on battery, the demo's scheduled passes wait and say why once;
// turning the option off in the settings lets the waiting pass run without
// a restart; turning it on again holds back the pass a file change asks
// for; Back up now runs regardless.
func TestControllerGatesScheduledBackups(t *testing.T) {
	keyring.MockInit()
	paths := tempPaths(t)
	cfg := config.Default()
	cfg.Options.SkipOnBattery = true
	if err := config.Save(paths.Config, cfg); err != nil {
		t.Fatal(err)
	}
	fp := &fakePower{}
	c, err := app.NewController(context.Background(), app.ControllerOptions{
		Paths:      paths,
		Getenv:     func(string) string { return "" },
		NetrcPath:  filepath.Join(t.TempDir(), "no-netrc"),
		Autostart:  &fakeAutostart{},
		Debounce:   50 * time.Millisecond,
		PowerCheck: fp.check,
		GateRetry:  20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.StartDemo(ctx); err != nil {
		t.Fatalf("start demo: %v", err)
	}

	// The gate is asked again every retry; wait for a few retries so a
	// pass that slipped through would have been seen.
	waitFor(t, c, "the battery notice and retries", func(s app.Status) bool {
		n, _ := fp.state()
		return logCount(s, "on battery power") == 1 && n >= 3
	})
	s := c.Status()
	if s.Passes != 0 || len(s.Pairs) != 1 || !s.Pairs[0].LastComplete.IsZero() {
		t.Fatalf("a pass ran on battery: %d passes, pairs %+v", s.Passes, s.Pairs)
	}
	if _, asked := fp.state(); asked != [2]bool{true, false} {
		t.Errorf("power check asked with skip options %v, want battery only", asked)
	}

	o, endpoint, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	o.SkipOnBattery = false
	if err := c.SaveOptions(ctx, o, endpoint); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, c, "the held-back pass after the option was turned off", func(s app.Status) bool {
		return s.Passes == 1 && !s.Pairs[0].LastComplete.IsZero()
	})
	if n := logCount(s, "on battery power"); n != 1 {
		t.Errorf("%d battery notices, want 1", n)
	}

	o.SkipOnBattery = true
	if err := c.SaveOptions(ctx, o, endpoint); err != nil {
		t.Fatal(err)
	}
	local := s.Pairs[0].LocalPath()
	if err := os.WriteFile(filepath.Join(local, "new.txt"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "the file change held back, told again", func(s app.Status) bool {
		return logCount(s, "on battery power") == 2
	})
	if s := c.Status(); s.Passes != 1 {
		t.Errorf("%d passes after a change on battery, want still 1", s.Passes)
	}

	if err := c.BackupNow(ctx, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "back up now on battery", func(s app.Status) bool { return s.Passes == 2 })
}
