package syncer_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

func TestRetryBackoff(t *testing.T) {
	var p syncer.RetryPolicy
	want := []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := p.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := (syncer.RetryPolicy{Min: time.Second, Max: 3 * time.Second}).Backoff(5); got != 3*time.Second {
		t.Errorf("capped backoff = %v", got)
	}
}

func TestTransient(t *testing.T) {
	cases := []struct {
		err       error
		transient bool
		waiting   bool
	}{
		{fmt.Errorf("pass x: list: %w: dial tcp: refused", syncer.ErrUnavailable), true, false},
		{context.DeadlineExceeded, true, false},
		{fmt.Errorf("stopping this pass: %w", syncer.ErrQuota), false, true},
		{fmt.Errorf("%w: %w", syncer.ErrUnauthorized, syncer.ErrUnavailable), false, true},
		{fmt.Errorf("pass x: %w", syncer.ErrPaused), false, false},
		{fmt.Errorf("local folder: %w", syncer.ErrSourceMissing), false, false},
		{&fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}, false, false},
		{nil, false, false},
	}
	for _, c := range cases {
		if got := syncer.Transient(c.err); got != c.transient {
			t.Errorf("Transient(%v) = %v", c.err, got)
		}
		if got := syncer.Waiting(c.err); got != c.waiting {
			t.Errorf("Waiting(%v) = %v", c.err, got)
		}
	}
}

// downRemote fails every call with err while it is set, the way the
// adapter reports an unreachable server.
type downRemote struct {
	*syncertest.MemRemote
	mu    sync.Mutex
	err   error
	calls atomic.Int64
}

func (d *downRemote) set(err error) {
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
}

// up is the probe's answer: does the server answer again? It is no call.
func (d *downRemote) up() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err == nil
}

func (d *downRemote) fail() error {
	d.calls.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *downRemote) List(ctx context.Context, root string, fn func(syncer.Entry) error) error {
	if err := d.fail(); err != nil {
		return err
	}
	return d.MemRemote.List(ctx, root, fn)
}

func (d *downRemote) EnsureFolder(ctx context.Context, path string) ([]string, error) {
	if err := d.fail(); err != nil {
		return nil, err
	}
	return d.MemRemote.EnsureFolder(ctx, path)
}

func (d *downRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	if err := d.fail(); err != nil {
		return syncer.UploadResult{}, err
	}
	return d.MemRemote.Upload(ctx, path, src, meta)
}

// retryRecorder keeps the retry events and counts passes.
type retryRecorder struct {
	mu      sync.Mutex
	passes  int
	retries []syncer.RetryEvent
}

func recordRetries(sub *syncer.Subscription) *retryRecorder {
	r := &retryRecorder{}
	go func() {
		for ev := range sub.C() {
			r.mu.Lock()
			switch ev := ev.(type) {
			case syncer.PassEvent:
				r.passes++
			case syncer.RetryEvent:
				r.retries = append(r.retries, ev)
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *retryRecorder) get() (int, []syncer.RetryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.passes, append([]syncer.RetryEvent(nil), r.retries...)
}

func TestRetryAfterServerReturns(t *testing.T) {
	local := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, local, "old.txt", []byte("old"))
	unavailable := fmt.Errorf("list: %w: connection refused", syncer.ErrUnavailable)

	synctest.Test(t, func(t *testing.T) {
		r := &downRemote{MemRemote: syncertest.NewMemRemote()}
		r.set(unavailable)
		fw := newFakeWatcher()
		e, err := syncer.New(r, syncer.Options{
			StateDir:   stateDir,
			Debounce:   time.Second,
			NewWatcher: func() (syncer.Watcher, error) { return fw, nil },
			Probe:      func(context.Context, error) bool { return r.up() },
		})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		sub := e.Subscribe()
		defer sub.Close()
		rec := recordRetries(sub)
		if err := e.SetPairs([]syncer.Pair{pairFor(local)}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- e.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		start := time.Now()

		synctest.Wait()
		passes, retries := rec.get()
		if passes != 1 || len(retries) != 1 || retries[0].Attempt != 1 {
			t.Fatalf("after the first failure: %d passes, retries %+v", passes, retries)
		}
		if d := retries[0].At.Sub(start); d < 12*time.Second || d > 18*time.Second {
			t.Errorf("first retry in %v, want about 15 s", d)
		}

		// A file saved while the server is down: the watcher sees it,
		// but the pass waits for the retry instead of hammering.
		writeFile(t, local, "saved.txt", []byte("saved while offline"))
		fw.events <- local + "/saved.txt"
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if passes, _ := rec.get(); passes != 1 {
			t.Errorf("%d passes after a change during backoff, want 1 (the change waits for the retry)", passes)
		}

		// Down for 100 s: retries at about 15 s, 45 s and 105 s (the
		// last one between 84 s and 126 s with jitter).
		time.Sleep(95 * time.Second)
		synctest.Wait()
		passes, retries = rec.get()
		if passes < 3 || passes > 4 || len(retries) != passes {
			t.Fatalf("after 100 s down: %d passes, %d retries; want 3 or 4 of each", passes, len(retries))
		}
		for i := 1; i < len(retries); i++ {
			gap := retries[i].At.Sub(retries[i-1].At)
			want := time.Duration(15<<i) * time.Second
			if gap < want*3/4 || gap > want*13/10 {
				t.Errorf("retry %d came %v after the one before, want about %v", i+1, gap, want)
			}
		}

		// Down for 10 min in all: the backoff grows, so passes stay few.
		time.Sleep(500 * time.Second)
		synctest.Wait()
		if passes, _ := rec.get(); passes > 6 {
			t.Errorf("%d passes in 10 min down, want at most 6", passes)
		}

		// The server returns: the probe notices within 15 s, although
		// the next retry by backoff is minutes away.
		back := time.Now()
		r.set(nil)
		for time.Since(back) < 60*time.Second {
			time.Sleep(time.Second)
			synctest.Wait()
			if _, ok := r.File(testRemote + "/saved.txt"); ok {
				break
			}
		}
		if _, ok := r.File(testRemote + "/saved.txt"); !ok {
			t.Fatalf("the saved file is not on the server 60 s after it returned")
		}
		if d := time.Since(back); d > 20*time.Second {
			t.Errorf("the saved file reached the server %v after it returned, want within the probe's 15 s", d)
		}
		t.Logf("saved file on the server %v after the server returned", time.Since(back))

		// Down again; the network coming back retries at once.
		r.set(unavailable)
		e.ScanNow("docs")
		synctest.Wait()
		passes, _ = rec.get()
		r.set(nil)
		writeFile(t, local, "second.txt", []byte("second"))
		e.NetworkUp()
		synctest.Wait()
		if _, ok := r.File(testRemote + "/second.txt"); !ok {
			t.Error("NetworkUp did not retry the failed pass at once")
		}
		if p, _ := rec.get(); p != passes+1 {
			t.Errorf("NetworkUp ran %d passes, want 1", p-passes)
		}
		// NetworkUp without a pending retry does nothing.
		e.NetworkUp()
		synctest.Wait()
		if p, _ := rec.get(); p != passes+1 {
			t.Errorf("NetworkUp with nothing to retry ran a pass")
		}

		// A full account waits for its interval, not the backoff.
		r.set(fmt.Errorf("upload: %w", syncer.ErrQuota))
		writeFile(t, local, "third.txt", []byte("third"))
		e.ScanNow("docs")
		synctest.Wait()
		before, retries := rec.get()
		time.Sleep(20 * time.Minute)
		synctest.Wait()
		if p, r2 := rec.get(); p != before || len(r2) != len(retries) {
			t.Errorf("a full account was retried %d times within 20 min", p-before)
		}
	})
}
