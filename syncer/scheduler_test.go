package syncer_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// fakeWatcher is a Watcher whose events the test sends.
type fakeWatcher struct {
	events chan string
	errs   chan error
	mu     sync.Mutex
	dirs   map[string]bool
	limit  int // refuse Add beyond this many dirs (0: no limit)
}

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{events: make(chan string), errs: make(chan error), dirs: map[string]bool{}}
}

func (f *fakeWatcher) Add(dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limit > 0 && len(f.dirs) >= f.limit {
		return syncer.ErrWatchLimit
	}
	f.dirs[dir] = true
	return nil
}

func (f *fakeWatcher) Remove(dir string) error {
	f.mu.Lock()
	delete(f.dirs, dir)
	f.mu.Unlock()
	return nil
}

func (f *fakeWatcher) watched() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.dirs)
}

func (f *fakeWatcher) Events() <-chan string { return f.events }
func (f *fakeWatcher) Errors() <-chan error  { return f.errs }
func (f *fakeWatcher) Close() error          { return nil }

// recorder counts what a subscription delivered.
type recorder struct {
	mu      sync.Mutex
	passes  map[string]int
	notices []string
	states  []syncer.State
}

func record(sub *syncer.Subscription) *recorder {
	r := &recorder{passes: map[string]int{}}
	go func() {
		for ev := range sub.C() {
			r.mu.Lock()
			switch ev := ev.(type) {
			case syncer.PassEvent:
				r.passes[ev.Result.Pair]++
			case syncer.NoticeEvent:
				r.notices = append(r.notices, ev.Message)
			case syncer.StateEvent:
				if ev.Pair == "" {
					r.states = append(r.states, ev.State)
				}
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *recorder) count(pair string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passes[pair]
}

func (r *recorder) noticed(part string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.notices {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

func TestSchedulerLifecycle(t *testing.T) {
	local := t.TempDir()
	other := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "a/b.txt", []byte("b"))
	writeFile(t, other, "x.txt", []byte("x"))

	synctest.Test(t, func(t *testing.T) {
		fw := newFakeWatcher()
		e, err := syncer.New(syncertest.NewMemRemote(), syncer.Options{
			StateDir:   stateDir,
			Debounce:   5 * time.Second,
			NewWatcher: func() (syncer.Watcher, error) { return fw, nil },
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
		p := pairFor(local)
		if err := e.SetPairs([]syncer.Pair{p}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()

		step := func(name string, want int) {
			t.Helper()
			synctest.Wait()
			if got := rec.count("docs"); got != want {
				t.Fatalf("%s: %d passes, want %d", name, got, want)
			}
		}
		step("start", 1)
		if n := fw.watched(); n != 2 {
			t.Errorf("watching %d folders, want the root and a/ (2)", n)
		}

		time.Sleep(53 * time.Minute)
		step("before the interval", 1)
		time.Sleep(14 * time.Minute)
		step("after the jittered interval", 2)

		e.ScanNow("docs")
		step("scan now", 3)

		e.Pause(0)
		e.ScanNow("")
		step("scan while paused", 3)
		if paused, until := e.Paused(); !paused || !until.IsZero() {
			t.Errorf("Paused() = %v, %v; want paused until Resume", paused, until)
		}
		e.Resume()
		step("resume runs the pending scan", 4)

		e.Pause(10 * time.Minute)
		e.ScanNow("")
		time.Sleep(9 * time.Minute)
		step("timed pause", 4)
		time.Sleep(2 * time.Minute)
		step("timed pause ended", 5)

		for range 3 {
			fw.events <- local + "/a/b.txt"
			time.Sleep(time.Second)
		}
		step("changes not yet settled", 5)
		time.Sleep(5 * time.Second)
		step("debounced changes give one pass", 6)

		jumpMu.Lock()
		jump = 3 * time.Hour
		jumpMu.Unlock()
		time.Sleep(time.Minute)
		step("catch-up after sleep", 7)
		if !rec.noticed("asleep") {
			t.Error("no notice about the catch-up after sleep")
		}

		p2 := syncer.Pair{ID: "other", Local: other, Remote: "/TestBox/Backup/other"}
		if err := e.SetPairs([]syncer.Pair{p, p2}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := rec.count("other"); got != 1 {
			t.Fatalf("added pair ran %d passes, want 1", got)
		}
		if err := e.SetPairs([]syncer.Pair{p2}); err != nil {
			t.Fatal(err)
		}
		e.ScanNow("")
		synctest.Wait()
		if got := rec.count("docs"); got != 7 {
			t.Errorf("removed pair ran again: %d passes", got)
		}
		if got := rec.count("other"); got != 2 {
			t.Errorf("remaining pair: %d passes, want 2", got)
		}

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	})
}

// blockingRemote holds uploads until their context ends.
type blockingRemote struct {
	*syncertest.MemRemote
	block bool
	mu    sync.Mutex
}

func (b *blockingRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	b.mu.Lock()
	block := b.block
	b.mu.Unlock()
	if block {
		<-ctx.Done()
		return syncer.UploadResult{}, ctx.Err()
	}
	return b.MemRemote.Upload(ctx, path, src, meta)
}

func TestPauseInterruptsARunningPass(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "f.txt", []byte("f"))
	synctest.Test(t, func(t *testing.T) {
		r := &blockingRemote{MemRemote: syncertest.NewMemRemote(), block: true}
		e, err := syncer.New(r, syncer.Options{StateDir: stateDir, NoWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		sub := e.Subscribe()
		defer sub.Close()
		rec := record(sub)
		e.SetPairs([]syncer.Pair{pairFor(local)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		synctest.Wait() // the first pass is stuck in its upload
		if got := rec.count("docs"); got != 0 {
			t.Fatalf("%d passes finished while the upload hangs", got)
		}
		e.Pause(0)
		synctest.Wait()
		if got := rec.count("docs"); got != 1 {
			t.Fatalf("pause did not end the running pass (%d results)", got)
		}
		r.mu.Lock()
		r.block = false
		r.mu.Unlock()
		e.Resume()
		synctest.Wait()
		if got := rec.count("docs"); got != 2 {
			t.Fatalf("the interrupted pass did not run again after resume (%d results)", got)
		}
		if _, ok := r.File(testRemote + "/f.txt"); !ok {
			t.Error("file not uploaded after resume")
		}
		cancel()
		<-done
	})
}

func TestWatchLimitFallsBackToInterval(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "a/1", []byte("1"))
	writeFile(t, local, "b/2", []byte("2"))
	synctest.Test(t, func(t *testing.T) {
		fw := newFakeWatcher()
		fw.limit = 1
		e, err := syncer.New(syncertest.NewMemRemote(), syncer.Options{StateDir: stateDir, NewWatcher: func() (syncer.Watcher, error) { return fw, nil }})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		sub := e.Subscribe()
		defer sub.Close()
		rec := record(sub)
		e.SetPairs([]syncer.Pair{pairFor(local)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		synctest.Wait()
		if !rec.noticed("too many folders to watch") {
			t.Error("no notice about the watch limit")
		}
		time.Sleep(67 * time.Minute)
		synctest.Wait()
		if got := rec.count("docs"); got != 2 {
			t.Errorf("%d passes, want the start pass and one interval pass", got)
		}
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	})
}

func TestUpdatedIntervalAppliesWhileRunning(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "f", []byte("f"))
	synctest.Test(t, func(t *testing.T) {
		e, err := syncer.New(syncertest.NewMemRemote(), syncer.Options{StateDir: stateDir, NoWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		sub := e.Subscribe()
		defer sub.Close()
		rec := record(sub)
		p := pairFor(local)
		e.SetPairs([]syncer.Pair{p})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		synctest.Wait()
		if err := e.Run(ctx); err == nil {
			t.Error("a second Run on a running engine was accepted")
		}
		p.Interval = 10 * time.Minute
		if err := e.SetPairs([]syncer.Pair{p}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(12 * time.Minute)
		synctest.Wait()
		if got := rec.count("docs"); got != 2 {
			t.Errorf("%d passes after 12 minutes with a 10-minute interval, want 2", got)
		}
		if got := e.Pairs(); len(got) != 1 || got[0].Interval != 10*time.Minute {
			t.Errorf("Pairs() = %+v", got)
		}
		cancel()
		<-done
	})
}
