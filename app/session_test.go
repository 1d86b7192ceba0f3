package app_test

import (
	"context"
	"errors"
	"path/filepath"
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
	cfg.Pairs = []config.Pair{a, b}
	got := app.EnginePairs(cfg)
	if len(got) != 1 {
		t.Fatalf("got %d pairs, want only the enabled one", len(got))
	}
	p := got[0]
	if p.ID != "docs" || p.Local != "/home/u/Documents" || p.Remote != "/Laptop/Documents/docs" ||
		p.Prune != syncer.PruneFiles || !p.SkipHidden || len(p.Excludes) != 1 || p.Interval != time.Hour {
		t.Errorf("unexpected engine pair %+v", p)
	}
}
