package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/jotta/emulator"
)

// TestDemoNeverReachesTheRealAccount plays the newcomer's path: the demo,
// a real folder added during it, sign-out, and a sign-in to a real account
// (a second emulator). Nothing of the demo may be configured or uploaded
// there, and the demo's files are gone from the disk.
func TestDemoNeverReachesTheRealAccount(t *testing.T) {
	keyring.MockInit()
	real, err := emulator.Start("127.0.0.1:0", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	paths := tempPaths(t)
	cfg := config.Default()
	cfg.Account.Endpoint = real.URL
	if err := config.Save(paths.Config, cfg); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(paths.Config)

	c := newController(t, paths)
	defer c.Close()
	ctx := context.Background()
	if err := c.StartDemo(ctx); err != nil {
		t.Fatal(err)
	}
	photos := filepath.Join(t.TempDir(), "Photos")
	if err := os.MkdirAll(photos, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(photos, "beach.jpg"), []byte("not really a photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SavePair(ctx, config.NewPair("", photos, "/"+app.DeviceName()+"/Photos")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "both demo folders backed up", func(s app.Status) bool {
		return s.Demo && len(s.Pairs) == 2 && !s.Pairs[0].LastComplete.IsZero() && !s.Pairs[1].LastComplete.IsZero()
	})
	if after, _ := os.ReadFile(paths.Config); string(after) != string(before) {
		t.Errorf("the demo wrote the real configuration file:\n%s", after)
	}

	if err := c.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if s := c.Status(); s.SignedIn || s.Demo || len(s.Pairs) != 0 {
		t.Errorf("after signing out of the demo: signed in %v, demo %v, %d folders; want none", s.SignedIn, s.Demo, len(s.Pairs))
	}
	if _, err := os.Stat(filepath.Join(paths.StateDir, "demo")); !os.IsNotExist(err) {
		t.Errorf("the demo's files are still on disk after it ended (stat: %v)", err)
	}

	tok, err := real.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignIn(ctx, tok); err != nil {
		t.Fatal(err)
	}
	s := c.Status()
	if !s.SignedIn || s.Demo || len(s.Pairs) != 0 {
		t.Errorf("signed in to the real account: signed in %v, demo %v, %d folders; want signed in with none", s.SignedIn, s.Demo, len(s.Pairs))
	}
	if err := c.BackupNow(ctx, ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // a pass of nothing, had anything been scheduled
	if n := real.Stats().UploadBytes; n != 0 {
		t.Errorf("%d bytes of the demo were uploaded to the real account", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// A restart stays out of the demo.
	c2 := newController(t, paths)
	defer c2.Close()
	if s := c2.Status(); !s.SignedIn || s.Demo || len(s.Pairs) != 0 {
		t.Errorf("after restart: signed in %v, demo %v, %d folders", s.SignedIn, s.Demo, len(s.Pairs))
	}
}

// TestBackupNowEndsAPause: asking for a backup while paused is not ignored.
func TestBackupNowEndsAPause(t *testing.T) {
	keyring.MockInit()
	c := newController(t, tempPaths(t))
	defer c.Close()
	ctx := context.Background()
	if err := c.StartDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Pause(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s := c.Status(); !s.Paused || s.Phase != app.PhasePaused {
		t.Fatalf("after Pause: paused %v phase %v", s.Paused, s.Phase)
	}
	if err := c.BackupNow(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if s := c.Status(); s.Paused {
		t.Error("Back up now left the backups paused")
	}
}
