package syncer_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"jottacloudclient/syncer"
	"jottacloudclient/syncer/syncertest"
)

// watcherLog hands out fake watchers and remembers every one, with every
// directory it was asked to watch and whether it was closed.
type watcherLog struct {
	mu       sync.Mutex
	watchers []*loggedWatcher
}

type loggedWatcher struct {
	*fakeWatcher
	mu     sync.Mutex
	added  []string
	closed bool
}

func (l *watcherLog) new() (syncer.Watcher, error) {
	w := &loggedWatcher{fakeWatcher: newFakeWatcher()}
	l.mu.Lock()
	l.watchers = append(l.watchers, w)
	l.mu.Unlock()
	return w, nil
}

func (w *loggedWatcher) Add(dir string) error {
	w.mu.Lock()
	w.added = append(w.added, dir)
	w.mu.Unlock()
	return w.fakeWatcher.Add(dir)
}

func (w *loggedWatcher) Close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return nil
}

// summary lists, per watcher, whether it is open and the directories it
// was asked to watch relative to root ("." for root itself).
func (l *watcherLog) summary(root string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, w := range l.watchers {
		w.mu.Lock()
		var rels []string
		for _, d := range w.added {
			rel, err := filepath.Rel(root, d)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = "outside:" + d
			}
			rels = append(rels, filepath.ToSlash(rel))
		}
		state := "open"
		if w.closed {
			state = "closed"
		}
		out = append(out, state+" "+strings.Join(rels, ","))
		w.mu.Unlock()
	}
	return out
}

// TestPairNoWatch runs a watched and an unwatched pair side by side: only
// the watched one gets a watcher; switching watching on later watches the
// folders of the last pass without another pass, and switching it off
// closes the watcher.
func TestPairNoWatch(t *testing.T) {
	watchedDir := t.TempDir()
	quietDir := t.TempDir()
	stateDir := t.TempDir()
	writeFile(t, watchedDir, "w/1.txt", []byte("1"))
	writeFile(t, quietDir, "q/2.txt", []byte("2"))

	synctest.Test(t, func(t *testing.T) {
		wl := &watcherLog{}
		e, err := syncer.New(syncertest.NewMemRemote(), syncer.Options{
			StateDir:   stateDir,
			NewWatcher: wl.new,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		sub := e.Subscribe()
		defer sub.Close()
		rec := record(sub)
		watched := syncer.Pair{ID: "watched", Local: watchedDir, Remote: "/TestBox/Backup/watched"}
		quiet := syncer.Pair{ID: "quiet", Local: quietDir, Remote: "/TestBox/Backup/quiet", NoWatch: true}
		if err := e.SetPairs([]syncer.Pair{watched, quiet}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // a failed check ends the test with Run stopped
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()

		type want struct {
			watchers []string // summary relative to quietDir
			quiet    int      // passes of the quiet pair
		}
		check := func(name string, w want) {
			t.Helper()
			synctest.Wait()
			got := wl.summary(quietDir)
			if strings.Join(got, " | ") != strings.Join(w.watchers, " | ") {
				t.Errorf("%s: watchers %q, want %q", name, got, w.watchers)
			}
			if n := rec.count("quiet"); n != w.quiet {
				t.Errorf("%s: quiet pair ran %d passes, want %d", name, n, w.quiet)
			}
		}

		synctest.Wait()
		if n := rec.count("watched"); n != 1 {
			t.Fatalf("watched pair ran %d passes, want 1", n)
		}
		wl.mu.Lock()
		if len(wl.watchers) != 1 {
			t.Fatalf("%d watchers created, want one for the watched pair", len(wl.watchers))
		}
		first := wl.watchers[0]
		wl.mu.Unlock()
		first.mu.Lock()
		for _, d := range first.added {
			if !strings.HasPrefix(d, watchedDir) {
				t.Errorf("watcher asked to watch %s, outside the watched pair", d)
			}
		}
		if len(first.added) != 2 {
			t.Errorf("watched pair watches %v, want its root and w/", first.added)
		}
		first.mu.Unlock()
		check("start", want{[]string{"open outside:" + watchedDir + ",outside:" + filepath.Join(watchedDir, "w")}, 1})

		quiet.NoWatch = false
		if err := e.SetPairs([]syncer.Pair{watched, quiet}); err != nil {
			t.Fatal(err)
		}
		check("watching switched on", want{[]string{
			"open outside:" + watchedDir + ",outside:" + filepath.Join(watchedDir, "w"),
			"open .,q",
		}, 1})

		quiet.NoWatch = true
		if err := e.SetPairs([]syncer.Pair{watched, quiet}); err != nil {
			t.Fatal(err)
		}
		check("watching switched off", want{[]string{
			"open outside:" + watchedDir + ",outside:" + filepath.Join(watchedDir, "w"),
			"closed .,q",
		}, 1})

		time.Sleep(67 * time.Minute)
		check("unwatched pair still runs on its interval", want{[]string{
			"open outside:" + watchedDir + ",outside:" + filepath.Join(watchedDir, "w"),
			"closed .,q",
		}, 2})

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	})
}
