package app_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"jottacloudclient/app"
	"jottacloudclient/app/config"
	"jottacloudclient/app/message"
)

// fakeClock is a settable clock for the controller.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// demoWithPair starts the demo and adds a pair over a fresh folder holding
// files, waiting for its first complete pass.
func demoWithPair(t *testing.T, clock *fakeClock, files int, prune config.Prune) (*app.Controller, config.Pair, app.Paths) {
	t.Helper()
	keyring.MockInit()
	o := app.ControllerOptions{
		Paths:     tempPaths(t),
		Getenv:    func(string) string { return "" },
		NetrcPath: filepath.Join(t.TempDir(), "no-netrc"),
		Autostart: &fakeAutostart{},
		Debounce:  50 * time.Millisecond,
	}
	if clock != nil {
		o.Now = clock.now
	}
	c, err := app.NewController(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.StartDemo(ctx); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	for i := range files {
		if err := os.WriteFile(filepath.Join(local, fmt.Sprintf("f%03d.txt", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := c.SavePair(ctx, config.Pair{Local: local, Remote: "/Laptop/Archive/" + filepath.Base(local), Enabled: true, Watch: false, Prune: prune, IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	// Every folder, the demo's own too, has finished its first pass: a
	// pass still running would change the state the tests read.
	waitFor(t, c, "the first pass of every folder", func(s app.Status) bool {
		if _, ok := pairState(s, p.ID); !ok {
			return false
		}
		for _, ps := range s.Pairs {
			if ps.LastComplete.IsZero() || ps.Running {
				return false
			}
		}
		return true
	})
	return c, p, o.Paths
}

// backUpOnce starts a pass of the pair and waits for it to end.
func backUpOnce(t *testing.T, c *app.Controller, id string) app.Status {
	t.Helper()
	ps, _ := pairState(c.Status(), id)
	if err := c.BackupNow(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	return waitFor(t, c, "a pass of "+id, func(s app.Status) bool {
		now, _ := pairState(s, id)
		return now.Passes > ps.Passes && !now.Running
	})
}

// backUpUntil runs passes of the pair (at most three: one queued before the
// test changed the folder may still be on its way) until ok holds.
func backUpUntil(t *testing.T, c *app.Controller, id string, ok func(app.Status) bool) app.Status {
	t.Helper()
	var s app.Status
	for range 3 {
		if s = backUpOnce(t, c, id); ok(s) {
			break
		}
	}
	return s
}

func pairState(s app.Status, id string) (app.PairState, bool) {
	for _, ps := range s.Pairs {
		if ps.ID == id {
			return ps, true
		}
	}
	return app.PairState{}, false
}

// TestHeldDeletionsWaitForADecision: a mass delete is held back, the
// state says "needs your decision" with the list, and only confirming
// moves the files to the trash; keeping them stops the asking.
func TestHeldDeletionsWaitForADecision(t *testing.T) {
	c, p, paths := demoWithPair(t, nil, 40, config.PruneFiles)
	ctx := context.Background()
	for i := range 20 {
		os.Remove(filepath.Join(p.Local, fmt.Sprintf("f%03d.txt", i)))
	}
	s := backUpUntil(t, c, p.ID, func(s app.Status) bool { ps, _ := pairState(s, p.ID); return len(ps.Held) == 20 })
	ps, _ := pairState(s, p.ID)
	if (s.Phase != app.PhaseDecision && s.Phase != app.PhaseSyncing) || s.Decisions != 1 || len(ps.Held) != 20 {
		t.Fatalf("phase %v, %d decisions, %d held; want needs-your-decision with 20 files", s.Phase, s.Decisions, len(ps.Held))
	}
	if !strings.Contains(ps.HeldWhy, "20 files are gone") || message.Internals(ps.HeldWhy) != "" {
		t.Errorf("why: %q", ps.HeldWhy)
	}
	remote := listRemote(t, s.Endpoint, paths, p.Remote)
	if len(remote) != 40 {
		t.Fatalf("server holds %d files before the decision, want 40", len(remote))
	}
	if err := c.ConfirmDeletions(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, c, "the confirmed pass", func(s app.Status) bool { return s.Decisions == 0 })
	if s.Phase != app.PhaseIdle && s.Phase != app.PhaseSyncing {
		t.Errorf("after confirming: phase %v", s.Phase)
	}
	if remote := listRemote(t, s.Endpoint, paths, p.Remote); len(remote) != 20 {
		t.Errorf("server holds %d files after confirming, want 20", len(remote))
	}

	// Keep: a second mass delete is kept and not asked about again.
	for i := 20; i < 35; i++ {
		os.Remove(filepath.Join(p.Local, fmt.Sprintf("f%03d.txt", i)))
	}
	os.WriteFile(filepath.Join(p.Local, "new.txt"), []byte("new"), 0o644)
	s = backUpUntil(t, c, p.ID, func(s app.Status) bool { ps, _ := pairState(s, p.ID); return len(ps.Held) == 15 })
	if s.Decisions != 1 {
		t.Fatalf("deleting 15 of 20 files: %d decisions", s.Decisions)
	}
	if err := c.KeepDeletions(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	s = backUpOnce(t, c, p.ID)
	if s.Decisions != 0 || (s.Phase != app.PhaseIdle && s.Phase != app.PhaseSyncing) {
		t.Errorf("after keeping: %d decisions, phase %v", s.Decisions, s.Phase)
	}
	if remote := listRemote(t, s.Endpoint, paths, p.Remote); len(remote) != 21 {
		t.Errorf("server holds %d files after keeping, want the 20 and new.txt", len(remote))
	}
}

// TestSkippedItemsStayGreen: special files and symbolic links are listed
// as skipped, and the state stays backed up.
func TestSkippedItemsStayGreen(t *testing.T) {
	c, p, _ := demoWithPair(t, nil, 2, config.PruneNone)
	os.Symlink("f000.txt", filepath.Join(p.Local, "link.txt"))
	l, err := net.Listen("unix", filepath.Join(p.Local, "app.sock"))
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	s := backUpUntil(t, c, p.ID, func(s app.Status) bool { return len(s.Skipped) > 0 })
	if (s.Phase != app.PhaseIdle && s.Phase != app.PhaseSyncing) || len(s.Problems) != 0 || s.PassError != "" {
		t.Fatalf("phase %v, problems %v, error %q; want backed up", s.Phase, s.Problems, s.PassError)
	}
	got := map[string]string{}
	for _, k := range s.Skipped {
		got[filepath.Base(k.Path)] = k.Reason
	}
	if got["link.txt"] != "symbolic link (not followed)" || !strings.HasPrefix(got["app.sock"], "special file") {
		t.Errorf("skipped %v", got)
	}
	if ps, _ := pairState(s, p.ID); ps.Skipped != 2 {
		t.Errorf("pair counts %d skipped, want 2", ps.Skipped)
	}
}

// TestNotBackedUpSinceWarning: a folder whose passes keep failing past
// the threshold gets one "not backed up since" warning, which clears with
// the next complete pass.
func TestNotBackedUpSinceWarning(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	c, p, _ := demoWithPair(t, clock, 1, config.PruneNone)
	s := c.Status()
	if len(s.Warnings) != 0 || s.Phase == app.PhaseStale {
		t.Fatalf("fresh: warnings %v phase %v", s.Warnings, s.Phase)
	}
	// The folder disappears (an unplugged drive): passes fail.
	moved := p.Local + ".away"
	if err := os.Rename(p.Local, moved); err != nil {
		t.Fatal(err)
	}
	backUpUntil(t, c, p.ID, func(s app.Status) bool { ps, _ := pairState(s, p.ID); return ps.Error != "" })
	clock.add(2 * 24 * time.Hour)
	if s := c.Status(); len(s.Warnings) != 0 {
		t.Errorf("warned after 2 days: %v", s.Warnings)
	}
	clock.add(25 * time.Hour) // more than 3 days after the last complete pass
	s = c.Status()
	ps, _ := pairState(s, p.ID)
	w := ps.Stale
	if w == "" || !slices.Contains(s.Warnings, w) || s.Phase != app.PhaseProblem && s.Phase != app.PhaseStale {
		t.Fatalf("after 3 days: warnings %v phase %v", s.Warnings, s.Phase)
	}
	day := message.Day(ps.LastComplete, clock.now())
	if !strings.HasPrefix(w, filepath.Base(p.Local)+": not backed up since "+day+" — the last attempts failed: The folder is not available.") {
		t.Errorf("warning %q", w)
	}
	if bad := message.Internals(w); bad != "" {
		t.Errorf("warning %q carries %q", w, bad)
	}
	if err := os.Rename(moved, p.Local); err != nil {
		t.Fatal(err)
	}
	s = backUpUntil(t, c, p.ID, func(s app.Status) bool { ps, _ := pairState(s, p.ID); return ps.Error == "" })
	if ps, _ := pairState(s, p.ID); ps.Stale != "" {
		t.Errorf("warning kept after a complete pass: %v", ps.Stale)
	}
}

// TestControllerRefusesWhatRunRefuses: a hand-edited file with a value
// 'jotta run' refuses schedules nothing in the app either, and says why.
func TestControllerRefusesWhatRunRefuses(t *testing.T) {
	keyring.MockInit()
	paths := tempPaths(t)
	local := t.TempDir()
	bad := "[[pair]]\nid = \"docs\"\nlocal = \"" + local + "\"\nremote = \"/A/B/docs\"\nprune = \"sometimes\"\n"
	if err := os.MkdirAll(filepath.Dir(paths.Config), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths.Config, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newController(t, paths)
	defer c.Close()
	s := c.Status()
	if !strings.Contains(s.ConfigError, "prune") || !strings.Contains(s.ConfigError, paths.Config) {
		t.Errorf("config error %q; want the file and the prune value named; log %q", s.ConfigError, s.Log)
	}
	if s.Passes != 0 || s.Progress != nil {
		t.Errorf("a refused file was scheduled: %d passes", s.Passes)
	}
}
