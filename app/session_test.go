package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/creds"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
)

func tempPaths(t *testing.T) app.Paths {
	d := t.TempDir()
	return app.Paths{
		Config:   filepath.Join(d, "config", "config.toml"),
		CredsDir: filepath.Join(d, "config"),
		StateDir: filepath.Join(d, "state"),
		LockDir:  filepath.Join(d, "config"),
	}
}

// TestOpenAccountExchangesEnvTokenOnce checks the credentials chain end to
// end: a login token in JOTTACLOUD_TOKEN is exchanged once, the session is
// stored, and the next open is served from the store although the
// environment still holds the spent login token.
func TestOpenAccountExchangesEnvTokenOnce(t *testing.T) {
	keyring.MockInit()
	srv, err := emulator.Start("", emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	lt, err := srv.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := app.AccountOptions{
		Paths:     tempPaths(t),
		Endpoint:  srv.URL,
		Getenv:    func(k string) string { return map[string]string{"JOTTACLOUD_TOKEN": lt}[k] },
		NetrcPath: filepath.Join(t.TempDir(), "no-netrc"),
	}
	for i := range 2 {
		acc, err := app.OpenAccount(ctx, o)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		user, err := acc.Client.Username(ctx)
		if err != nil {
			t.Fatalf("open %d: username: %v", i, err)
		}
		if user != srv.User() {
			t.Errorf("open %d: username %q, want %q", i, user, srv.User())
		}
		if i == 0 && acc.Info.Origin != creds.SourceEnv {
			t.Errorf("first open: origin %q, want env", acc.Info.Origin)
		}
	}
	if n := srv.Stats().LoginExchanges; n != 1 {
		t.Errorf("login token exchanged %d times, want once", n)
	}
}

func TestOpenAccountWithoutCredentialsAsksToSignIn(t *testing.T) {
	keyring.MockInit()
	o := app.AccountOptions{
		Paths:     tempPaths(t),
		Endpoint:  "http://127.0.0.1:1",
		Getenv:    func(string) string { return "" },
		NetrcPath: filepath.Join(t.TempDir(), "no-netrc"),
	}
	_, err := app.OpenAccount(context.Background(), o)
	if !errors.Is(err, jotta.ErrSignInRequired) || !app.IsSignInRequired(err) {
		t.Fatalf("err = %v, want sign-in required", err)
	}
}

func TestEnginePairs(t *testing.T) {
	cfg := config.Default()
	a := config.NewPair("docs", "/home/u/Documents", "/Laptop/Documents/docs")
	a.Prune = config.PruneFiles
	a.IncludeHidden = false
	a.Excludes = []string{"*.tmp"}
	b := config.NewPair("off", "/home/u/Other", "/Laptop/Other/x")
	b.Enabled = false
	c := config.NewPair("quiet", "/home/u/Music", "/Laptop/Music/m")
	c.Watch = false
	c.Interval = config.Duration(6 * time.Hour)
	cfg.Pairs = []config.Pair{a, b, c}
	got := app.EnginePairs(cfg)
	want := []syncer.Pair{
		{ID: "docs", Local: "/home/u/Documents", Remote: "/Laptop/Documents/docs", Excludes: []string{"*.tmp"},
			SkipHidden: true, Prune: syncer.PruneFiles, Interval: time.Hour},
		{ID: "quiet", Local: "/home/u/Music", Remote: "/Laptop/Music/m",
			Interval: 6 * time.Hour, NoWatch: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EnginePairs:\n got %+v\nwant %+v (only the enabled pairs)", got, want)
	}
}

func TestEngineOptionsGate(t *testing.T) {
	// No system bus: a gate that exists must allow backups.
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	tests := []struct {
		name               string
		onBattery, metered bool
		wantGate           bool
	}{
		{name: "no skip options", wantGate: false},
		{name: "skip on battery", onBattery: true, wantGate: true},
		{name: "skip on metered", metered: true, wantGate: true},
		{name: "both", onBattery: true, metered: true, wantGate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Options.SkipOnBattery, cfg.Options.SkipOnMetered = tt.onBattery, tt.metered
			cfg.Options.Transfers = 3
			o := app.EngineOptions(cfg, tempPaths(t), nil)
			if (o.Gate != nil) != tt.wantGate {
				t.Fatalf("gate set = %v, want %v", o.Gate != nil, tt.wantGate)
			}
			if o.Transfers != 3 {
				t.Errorf("transfers %d, want 3", o.Transfers)
			}
			if o.Gate == nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if ok, reason := o.Gate(ctx); !ok || reason != "" {
				t.Errorf("gate without a system bus = %v, %q; want allowed", ok, reason)
			}
		})
	}
}
