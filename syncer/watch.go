package syncer

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// ErrWatchLimit means the operating system refused more watches; the
// engine falls back to interval scans for the pair.
var ErrWatchLimit = errors.New("file watch limit reached")

// Watcher reports changes below the directories it watches (not
// recursively: the engine adds every directory it backs up).
type Watcher interface {
	// Add watches one directory. The OS limit gives an error wrapping
	// ErrWatchLimit.
	Add(dir string) error
	// Remove stops watching a directory.
	Remove(dir string) error
	// Events delivers the paths that changed.
	Events() <-chan string
	// Errors delivers asynchronous watch errors.
	Errors() <-chan error
	// Close stops the watcher and closes both channels.
	Close() error
}

// fsWatcher is the fsnotify-backed Watcher. It also watches directories
// created below a watched one.
type fsWatcher struct {
	w      *fsnotify.Watcher
	events chan string
	errs   chan error
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// NewFSWatcher returns a Watcher on the operating system's notification API.
func NewFSWatcher() (Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("start file watcher: %w", mapWatchErr(err))
	}
	fw := &fsWatcher{w: w, events: make(chan string, 64), errs: make(chan error, 4), done: make(chan struct{})}
	fw.wg.Add(1)
	go fw.loop()
	return fw, nil
}

func mapWatchErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		return fmt.Errorf("%w: %v", ErrWatchLimit, err)
	}
	return err
}

func (fw *fsWatcher) Add(dir string) error {
	if err := fw.w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, mapWatchErr(err))
	}
	return nil
}

func (fw *fsWatcher) Remove(dir string) error { return fw.w.Remove(dir) }

func (fw *fsWatcher) Events() <-chan string { return fw.events }
func (fw *fsWatcher) Errors() <-chan error  { return fw.errs }

func (fw *fsWatcher) Close() error {
	var err error
	fw.once.Do(func() {
		close(fw.done)
		err = fw.w.Close()
		fw.wg.Wait()
		close(fw.events)
		close(fw.errs)
	})
	return err
}

func (fw *fsWatcher) loop() {
	defer fw.wg.Done()
	for {
		select {
		case <-fw.done:
			return
		case ev, ok := <-fw.w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := fw.Add(ev.Name); err != nil {
						fw.sendErr(err)
					}
				}
			}
			select {
			case fw.events <- ev.Name:
			case <-fw.done:
				return
			}
		case err, ok := <-fw.w.Errors:
			if !ok {
				return
			}
			fw.sendErr(mapWatchErr(err))
		}
	}
}

func (fw *fsWatcher) sendErr(err error) {
	select {
	case fw.errs <- err:
	default:
	}
}
