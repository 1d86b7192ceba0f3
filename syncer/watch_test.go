package syncer_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// waitFor reads watcher events until one names want. The timeout only
// guards against a hang; the test proceeds on the event itself.
func waitFor(t *testing.T, w syncer.Watcher, want string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case got, ok := <-w.Events():
			if !ok {
				t.Fatalf("watcher closed before an event for %s", want)
			}
			if got == want {
				return
			}
		case err := <-w.Errors():
			t.Fatalf("watch error: %v", err)
		case <-timeout:
			t.Fatalf("no event for %s", want)
		}
	}
}

func TestFSWatcherFollowsNewFolders(t *testing.T) {
	dir := t.TempDir()
	w, err := syncer.NewFSWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "new.txt")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, f)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, sub)
	inner := filepath.Join(sub, "inner.txt")
	if err := os.WriteFile(inner, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, inner)
}

// TestEngineBacksUpAChangeItWatched runs the real watcher end to end: a
// file written after the first pass reaches the remote without ScanNow.
func TestEngineBacksUpAChangeItWatched(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "first.txt", []byte("1"))
	mem := syncertest.NewMemRemote()
	e, err := syncer.New(mem, syncer.Options{StateDir: t.TempDir(), Debounce: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sub := e.Subscribe()
	defer sub.Close()
	e.SetPairs([]syncer.Pair{pairFor(local)})
	ctx := t.Context()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	timeout := time.After(30 * time.Second)
	passes := 0
	for {
		select {
		case ev := <-sub.C():
			pe, ok := ev.(syncer.PassEvent)
			if !ok {
				continue
			}
			passes++
			if passes == 1 {
				writeFile(t, local, "second.txt", []byte("2"))
				continue
			}
			if _, ok := mem.File(testRemote + "/second.txt"); ok {
				if pe.Result.Err != nil {
					t.Fatal(pe.Result.Err)
				}
				return
			}
		case <-timeout:
			t.Fatalf("the watched change was not backed up (%d passes)", passes)
		}
	}
}
