package syncer_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// fakeGate is an Options.Gate whose answer the test sets.
type fakeGate struct {
	mu     sync.Mutex
	reason string // "" lets passes run
	calls  int
}

func (g *fakeGate) set(reason string) {
	g.mu.Lock()
	g.reason = reason
	g.mu.Unlock()
}

func (g *fakeGate) check(ctx context.Context) (bool, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	return g.reason == "", g.reason
}

func (g *fakeGate) callCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

func (r *recorder) noticeCount(part string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.notices {
		if strings.Contains(m, part) {
			n++
		}
	}
	return n
}

// TestGateHoldsBackScheduledPasses walks one pair through every kind of
// pass while the gate opens and closes: only ScanNow gets through a
// closed gate, the reason is told once per change, and a held-back pass
// runs once the gate opens.
func TestGateHoldsBackScheduledPasses(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "a.txt", []byte("a"))

	synctest.Test(t, func(t *testing.T) {
		gate := &fakeGate{reason: "on battery power"}
		fw := newFakeWatcher()
		e, err := syncer.New(syncertest.NewMemRemote(), syncer.Options{
			StateDir:   stateDir,
			Debounce:   5 * time.Second,
			NewWatcher: func() (syncer.Watcher, error) { return fw, nil },
			Gate:       gate.check,
			GateRetry:  5 * time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		var jump time.Duration
		var jumpMu sync.Mutex
		syncer.SetWallClock(e, func() time.Time {
			jumpMu.Lock()
			defer jumpMu.Unlock()
			return time.Now().Round(0).Add(jump)
		})
		sub := e.Subscribe()
		defer sub.Close()
		rec := record(sub)
		if err := e.SetPairs([]syncer.Pair{pairFor(local)}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // a failed check ends the test with Run stopped
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()

		type want struct {
			passes, battery, metered, again int
			heldBack                        string
		}
		step := func(name string, w want) {
			t.Helper()
			synctest.Wait()
			if got := rec.count("docs"); got != w.passes {
				t.Errorf("%s: %d passes, want %d", name, got, w.passes)
			}
			if got := rec.noticeCount("on battery power"); got != w.battery {
				t.Errorf("%s: %d notices about the battery, want %d", name, got, w.battery)
			}
			if got := rec.noticeCount("on a metered network"); got != w.metered {
				t.Errorf("%s: %d notices about the network, want %d", name, got, w.metered)
			}
			if got := rec.noticeCount("run again"); got != w.again {
				t.Errorf("%s: %d notices that backups run again, want %d", name, got, w.again)
			}
			if got := e.HeldBack(); got != w.heldBack {
				t.Errorf("%s: HeldBack() = %q, want %q", name, got, w.heldBack)
			}
		}

		step("start on battery", want{0, 1, 0, 0, "on battery power"})
		calls := gate.callCount()
		time.Sleep(5*time.Minute + time.Second)
		step("retry still on battery", want{0, 1, 0, 0, "on battery power"})
		if gate.callCount() <= calls {
			t.Errorf("gate not asked again after the retry delay (%d calls)", gate.callCount())
		}

		gate.set("on a metered network")
		time.Sleep(5 * time.Minute)
		step("reason changed", want{0, 1, 1, 0, "on a metered network"})

		e.ScanNow("docs")
		step("back up now overrides the gate", want{1, 1, 1, 0, "on a metered network"})

		// No watches exist before the first gated pass ran; now they do.
		fw.events <- local + "/a.txt"
		time.Sleep(6 * time.Second)
		step("file change held back", want{1, 1, 1, 0, "on a metered network"})

		jumpMu.Lock()
		jump = 3 * time.Hour
		jumpMu.Unlock()
		time.Sleep(time.Minute)
		step("wake catch-up held back", want{1, 1, 1, 0, "on a metered network"})

		gate.set("")
		time.Sleep(5 * time.Minute)
		step("gate opened: the held-back pass runs", want{2, 1, 1, 1, ""})
		time.Sleep(30 * time.Minute)
		step("no extra retries once open", want{2, 1, 1, 1, ""})

		gate.set("on battery power")
		time.Sleep(40 * time.Minute)
		step("interval pass held back, told again", want{2, 2, 1, 1, "on battery power"})

		// A pass asked for during a pause keeps its kind after the pause.
		e.Pause(0)
		e.ScanNow("docs")
		synctest.Wait()
		e.Resume()
		step("back up now during a pause", want{3, 2, 1, 1, "on battery power"})

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	})
}

func TestRunPassIsNeverGated(t *testing.T) {
	local := t.TempDir()
	writeFile(t, local, "a.txt", []byte("a"))
	mem := syncertest.NewMemRemote()
	gate := &fakeGate{reason: "on battery power"}
	e := newEngine(t, mem, syncer.Options{Gate: gate.check})
	res := pass(t, e, pairFor(local), syncer.PassOptions{})
	if res.Counters.FilesUploaded != 1 {
		t.Errorf("uploaded %d files, want 1", res.Counters.FilesUploaded)
	}
	if n := gate.callCount(); n != 0 {
		t.Errorf("RunPass asked the gate %d times", n)
	}
	if _, ok := mem.File(testRemote + "/a.txt"); !ok {
		t.Error("file not on the remote")
	}
}
