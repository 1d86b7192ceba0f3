package app_test

import (
	"context"
	"slices"
	"testing"

	"github.com/zalando/go-keyring"

	"jottacloudclient/jotta/emulator"
)

// TestControllerMountPointsLeaveOutViews: when the service lists the
// built-in device's views (Latest, Links) among its mount points, the
// places offered for a backup leave them out.
func TestControllerMountPointsLeaveOutViews(t *testing.T) {
	keyring.MockInit()
	srv, err := emulator.Start("", emulator.Options{Shapes: emulator.Shapes{VirtualMountPoints: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c := newController(t, tempPaths(t))
	defer c.Close()
	ctx := context.Background()
	opts, _, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SaveOptions(ctx, opts, srv.URL); err != nil {
		t.Fatal(err)
	}
	lt, err := srv.MintLoginToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignIn(ctx, lt); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	got, err := c.MountPoints(ctx, "Jotta")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"Archive", "Shared", "Sync"}) {
		t.Errorf("mount points offered: %v, want Archive, Shared and Sync", got)
	}
}
