package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jottacloudclient/app"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/emulator"
	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// startEmulator serves an in-memory emulator on loopback and returns a
// client signed in to it.
func startEmulator(t *testing.T, opts jotta.Options) (*emulator.Running, *jotta.Client) {
	t.Helper()
	return startShapedEmulator(t, emulator.Shapes{}, opts)
}

// startShapedEmulator is startEmulator with replies in the given shapes.
func startShapedEmulator(t *testing.T, sh emulator.Shapes, opts jotta.Options) (*emulator.Running, *jotta.Client) {
	t.Helper()
	srv, err := emulator.Start("", emulator.Options{Shapes: sh})
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
	tok, err := jotta.Login(ctx, nil, lt)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	st := jotta.NewMemoryTokenStore(tok)
	opts.Endpoint = srv.URL
	opts.Store = st
	c, err := jotta.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestRemoteConformance runs the engine's Remote contract against the
// jotta client talking to the emulator over loopback HTTP, once for every
// variant of the real service's reply shapes.
func TestRemoteConformance(t *testing.T) {
	for _, v := range emulator.ShapeVariants() {
		t.Run(v.Name, func(t *testing.T) { remoteConformance(t, v.Shapes) })
	}
}

func remoteConformance(t *testing.T, sh emulator.Shapes) {
	var n atomic.Int64
	syncertest.RunRemoteTests(t, func(t *testing.T) syncertest.Harness {
		// One upload round per call, so an interrupted upload surfaces
		// and the next call shows the resume.
		srv, c := startShapedEmulator(t, sh, jotta.Options{UploadAttempts: 1})
		r := app.NewRemote(c)
		return syncertest.Harness{
			Remote: r,
			Base:   fmt.Sprintf("/Laptop%d/Documents", n.Add(1)),
			CutNextUpload: func(after int64) {
				srv.Faults().Add(emulator.Fault{Endpoint: emulator.EndpointUpload, DropAfterBytes: after, Times: 1})
			},
			Trashed: func(path string) bool {
				e, err := c.Stat(context.Background(), path, jotta.ListOptions{IncludeDeleted: true})
				if errors.Is(err, jotta.ErrNotExist) {
					return false
				}
				if err != nil {
					t.Fatalf("stat %s: %v", path, err)
				}
				return e.IsDeleted()
			},
		}
	})
}

// TestRemoteRefusesVirtualMountPoints checks that the adapter never lists
// or creates a backup below a view the service computes.
func TestRemoteRefusesVirtualMountPoints(t *testing.T) {
	_, c := startEmulator(t, jotta.Options{})
	r := app.NewRemote(c)
	ctx := context.Background()
	if _, err := r.EnsureFolder(ctx, "/Jotta/Latest/Photos"); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("EnsureFolder on Latest: %v, want a refusal that says it is not a folder", err)
	}
	err := r.List(ctx, "/jotta/links", func(syncer.Entry) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("List of Links: %v, want a refusal that says it is not a folder", err)
	}
	if _, err := r.EnsureFolder(ctx, "/Jotta/Sync/Photos"); err != nil {
		t.Errorf("EnsureFolder on Sync: %v", err)
	}
}
