package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"jottacloudclient/syncer/index"
)

// DefaultDebounce is how long a folder must be quiet after a change before
// a pass starts: long enough to let an editor finish saving, short enough
// that a saved file is on the server within a few seconds. A file still
// being written when the pass reads it is caught by the re-stat after
// hashing and backed up by the next pass.
const DefaultDebounce = time.Second

// Options configure an Engine. The zero value of every field is usable
// except StateDir.
type Options struct {
	// StateDir holds one index file per pair (the OS state or cache dir
	// in production).
	StateDir string
	// GlobalExcludes are gitignore patterns applied to every pair.
	GlobalExcludes []string
	// Transfers bounds concurrent uploads (default 4).
	Transfers int
	// SmallTransfers bounds concurrent uploads of files under
	// SmallFileSize, which cost round trips rather than bandwidth; they
	// run beside the others (default 16, and never fewer than Transfers).
	SmallTransfers int
	// Hashers is the number of hashing workers (default: one per CPU).
	Hashers int
	// BandwidthLimit caps upload speed in bytes per second (0: none).
	BandwidthLimit int64
	// Debounce is the quiet time after a file-system change before a
	// pass starts (default DefaultDebounce).
	Debounce time.Duration
	// NewWatcher creates a file-system watcher per pair (default: the
	// fsnotify one). Returning an error falls back to interval scans.
	NewWatcher func() (Watcher, error)
	// NoWatch disables file-system watching for every pair (see also
	// Pair.NoWatch).
	NoWatch bool
	// Gate, when set, is asked before each pass the engine starts on its
	// own: the first one, interval passes, passes after file changes and
	// catch-up passes after a wake. ok=false skips the pass, reason says
	// why (a NoticeEvent carries it once per change), and the gate is asked
	// again after GateRetry until it opens. ScanNow and RunPass are never
	// gated. It should return within a few seconds.
	Gate func(ctx context.Context) (ok bool, reason string)
	// GateRetry is how long a pass held back by Gate waits before the gate
	// is asked again (default 5 min).
	GateRetry time.Duration
	// Retry is when a pass that failed for a transient reason is tried
	// again (default: 15 s doubling to 10 min).
	Retry RetryPolicy
	// Probe, when set, is asked every Retry.Min while a pass waits for its
	// retry, with the error the pass failed with; true runs the pass at
	// once. It should be cheap (a connection attempt, no request) and
	// return false for failures it cannot judge, such as a server
	// answering with errors, so those keep the backoff.
	Probe func(ctx context.Context, lastErr error) bool
	// Logger receives diagnostics (nil: discard). Secrets never reach it.
	Logger *slog.Logger
}

func (o *Options) applyDefaults() {
	if o.Transfers <= 0 {
		o.Transfers = 4
	}
	if o.SmallTransfers <= 0 {
		o.SmallTransfers = 16
	}
	o.SmallTransfers = max(o.SmallTransfers, o.Transfers)
	if o.Hashers <= 0 {
		o.Hashers = runtime.NumCPU()
	}
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.GateRetry <= 0 {
		o.GateRetry = 5 * time.Minute
	}
	o.Retry = o.Retry.withDefaults()
	if o.NewWatcher == nil {
		o.NewWatcher = NewFSWatcher
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Engine backs folder pairs up to a Remote, one pass at a time per pair,
// either on demand (RunPass) or on a schedule (Run).
type Engine struct {
	remote  Remote
	opts    Options
	log     *slog.Logger
	bus     bus
	limiter *rate.Limiter

	mu       sync.Mutex
	indexes  map[string]*index.Index
	pairLock map[string]*sync.Mutex
	sched    *scheduler

	// test hooks
	afterFirstRead func(rel string)
	wallNow        func() time.Time
	openFile       func(string) (*os.File, error)
}

// New creates an engine. It does no I/O.
func New(remote Remote, opts Options) (*Engine, error) {
	if remote == nil {
		return nil, errors.New("syncer: no remote")
	}
	if opts.StateDir == "" {
		return nil, errors.New("syncer: no state directory for the index")
	}
	opts.applyDefaults()
	e := &Engine{
		remote:   remote,
		opts:     opts,
		log:      opts.Logger,
		indexes:  map[string]*index.Index{},
		pairLock: map[string]*sync.Mutex{},
		wallNow:  func() time.Time { return time.Now().Round(0) },
		openFile: os.Open,
	}
	if opts.BandwidthLimit > 0 {
		burst := int(opts.BandwidthLimit)
		if burst < 64<<10 {
			burst = 64 << 10
		}
		e.limiter = rate.NewLimiter(rate.Limit(opts.BandwidthLimit), burst)
	}
	e.sched = newScheduler(e)
	return e, nil
}

// Subscribe returns a stream of events; call Close on it when done.
func (e *Engine) Subscribe() *Subscription { return e.bus.subscribe() }

func (e *Engine) emit(ev Event) { e.bus.publish(ev) }

// Close releases the indexes. Call it after Run returned.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for id, ix := range e.indexes {
		errs = append(errs, ix.Close())
		delete(e.indexes, id)
	}
	return errors.Join(errs...)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// IndexPath is where the index of the pair with this id lives.
func (e *Engine) IndexPath(id string) string {
	sum := sha256.Sum256([]byte(id))
	name := unsafeName.ReplaceAllString(id, "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return filepath.Join(e.opts.StateDir, name+"-"+hex.EncodeToString(sum[:4])+".db")
}

func (e *Engine) index(id string) (*index.Index, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ix := e.indexes[id]; ix != nil {
		return ix, nil
	}
	ix, err := index.Open(e.IndexPath(id))
	if err != nil {
		return nil, fmt.Errorf("open index of pair %s: %w", id, err)
	}
	e.indexes[id] = ix
	return ix, nil
}

func (e *Engine) lockPair(id string) *sync.Mutex {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.pairLock[id]
	if m == nil {
		m = &sync.Mutex{}
		e.pairLock[id] = m
	}
	return m
}

// countingRemote counts listing requests for the pass counters.
func (e *Engine) list(ctx context.Context, c *counters, root string, fn func(Entry) error) error {
	c.listRequests.Add(1)
	return e.remote.List(ctx, root, fn)
}
