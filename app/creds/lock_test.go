package creds

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary act as a second process holding the token
// lock: with CREDS_LOCK_HELPER_DIR set it takes the lock, says "locked",
// waits for stdin to close, writes a marker file and releases the lock.
func TestMain(m *testing.M) {
	if dir := os.Getenv("CREDS_LOCK_HELPER_DIR"); dir != "" {
		os.Exit(lockHelper(dir))
	}
	os.Exit(m.Run())
}

func lockHelper(dir string) int {
	s, err := NewStore(StoreOptions{Dir: dir, Keyring: newFakeKeyring()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	unlock, err := s.LockToken(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := os.WriteFile(filepath.Join(dir, "released"), nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	unlock()
	return 0
}

// notWithin reports whether ch stays silent for a short while. It can only
// make a broken lock pass by luck, never make a working lock fail.
func notWithin[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return false
	case <-time.After(300 * time.Millisecond):
		return true
	}
}

type lockResult struct {
	unlock func()
	err    error
}

func TestLockTokenWaitsForAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CREDS_LOCK_HELPER_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}

	s, err := NewStore(StoreOptions{Dir: dir, Keyring: newFakeKeyring()})
	if err != nil {
		t.Fatal(err)
	}

	// A caller that gives up while the other process holds the lock gets
	// its context error.
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan lockResult, 1)
	go func() { u, err := s.LockToken(ctx); got <- lockResult{u, err} }()
	if !notWithin(got) {
		t.Fatal("LockToken returned while another process held the lock")
	}
	cancel()
	if r := <-got; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("cancelled LockToken: err = %v", r.err)
	}

	// A patient caller gets the lock once the other process lets go.
	go func() { u, err := s.LockToken(context.Background()); got <- lockResult{u, err} }()
	if !notWithin(got) {
		t.Fatal("LockToken returned while another process held the lock")
	}
	if err := stdin.Close(); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.unlock()
	if _, err := os.Stat(filepath.Join(dir, "released")); err != nil {
		t.Fatalf("got the lock before the other process released it: %v", err)
	}
}

func TestLockTokenTwoStoresSameDir(t *testing.T) {
	dir := t.TempDir()
	a, err := NewStore(StoreOptions{Dir: dir, Keyring: newFakeKeyring()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewStore(StoreOptions{Dir: dir, Keyring: newFakeKeyring()})
	if err != nil {
		t.Fatal(err)
	}
	unlockA, err := a.LockToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan lockResult, 1)
	go func() { u, err := b.LockToken(context.Background()); got <- lockResult{u, err} }()
	if !notWithin(got) {
		t.Fatal("second holder got the lock while the first held it")
	}
	unlockA()
	unlockA() // harmless
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.unlock()
	// The first store can lock again afterwards.
	u, err := a.LockToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u()
}
