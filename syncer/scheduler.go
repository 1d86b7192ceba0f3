package syncer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// wakeCheckEvery is how often the engine compares wall-clock and monotonic
// time to notice that the machine slept.
const wakeCheckEvery = time.Minute

// wakeThreshold is how far the wall clock must run ahead of the monotonic
// clock before a catch-up pass starts.
const wakeThreshold = 2 * time.Minute

type scheduler struct {
	e *Engine

	mu          sync.Mutex
	pairs       map[string]Pair
	order       []string
	loops       map[string]*pairLoop
	ctx         context.Context // set while Run runs
	wg          sync.WaitGroup
	paused      bool
	pausedUntil time.Time
	resumeTimer *time.Timer
	resumed     chan struct{} // closed and replaced on Resume

	gateMu     sync.Mutex
	gateReason string // why the gate last held passes back ("": open)
}

type pairLoop struct {
	id      string
	update  chan Pair
	scan    chan struct{} // explicit requests (ScanNow): never gated
	due     chan struct{} // scheduled requests (wake catch-up): gated
	netUp   chan struct{} // the network came back: retry now if waiting to
	stop    context.CancelFunc
	mu      sync.Mutex
	cancelP context.CancelCauseFunc // of the running pass
}

func newScheduler(e *Engine) *scheduler {
	return &scheduler{e: e, pairs: map[string]Pair{}, loops: map[string]*pairLoop{}, resumed: make(chan struct{})}
}

// SetPairs replaces the engine's folder pairs. While Run is running, new
// pairs start, changed ones pick up their settings and removed ones stop.
func (e *Engine) SetPairs(pairs []Pair) error {
	seen := map[string]bool{}
	for _, p := range pairs {
		if err := p.Validate(); err != nil {
			return err
		}
		if seen[p.ID] {
			return fmt.Errorf("two folder pairs share the id %q", p.ID)
		}
		seen[p.ID] = true
	}
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	var removed []string
	for id := range s.pairs {
		if !seen[id] {
			removed = append(removed, id)
		}
	}
	s.pairs = map[string]Pair{}
	s.order = s.order[:0]
	for _, p := range pairs {
		s.pairs[p.ID] = p
		s.order = append(s.order, p.ID)
	}
	for _, id := range removed {
		if l := s.loops[id]; l != nil {
			l.stop()
			delete(s.loops, id)
		}
	}
	if s.ctx != nil {
		for _, p := range pairs {
			if l := s.loops[p.ID]; l != nil {
				select {
				case <-l.update:
				default:
				}
				l.update <- p
				continue
			}
			s.startLoop(p)
		}
	}
	return nil
}

// Pairs returns the configured pairs in order.
func (e *Engine) Pairs() []Pair {
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pair, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.pairs[id])
	}
	return out
}

// Run schedules passes for every pair until ctx is cancelled: one at start,
// then every pair interval (jittered by ±10 %), after file changes settle,
// on ScanNow, and after the machine wakes from sleep. It returns nil after a
// clean cancellation, once every pass has stopped.
func (e *Engine) Run(ctx context.Context) error {
	s := e.sched
	s.mu.Lock()
	if s.ctx != nil {
		s.mu.Unlock()
		return errors.New("syncer: engine is already running")
	}
	s.ctx = ctx
	for _, id := range s.order {
		s.startLoop(s.pairs[id])
	}
	s.mu.Unlock()

	s.wakeLoop(ctx)

	s.mu.Lock()
	for id, l := range s.loops {
		l.stop()
		delete(s.loops, id)
	}
	if s.resumeTimer != nil {
		s.resumeTimer.Stop()
	}
	s.ctx = nil
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// startLoop runs with s.mu held.
func (s *scheduler) startLoop(p Pair) {
	ctx, cancel := context.WithCancel(s.ctx)
	l := &pairLoop{id: p.ID, update: make(chan Pair, 1), scan: make(chan struct{}, 1), due: make(chan struct{}, 1), netUp: make(chan struct{}, 1), stop: cancel}
	s.loops[p.ID] = l
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		l.run(ctx, s, p)
	}()
}

// ScanNow asks for a pass of the pair with this id ("" for all) as soon as
// possible (after a pause ends, if paused). It overrides Options.Gate.
func (e *Engine) ScanNow(id string) { e.sched.request(id, true) }

// request signals the loops of the pair with this id ("" for all): on
// their scan channel when explicit, else on their due channel.
func (s *scheduler) request(id string, explicit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for pid, l := range s.loops {
		if id == "" || id == pid {
			ch := l.due
			if explicit {
				ch = l.scan
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// gateOpen asks Options.Gate whether a scheduled pass may start, and
// tells the user once each time the reason for holding passes back
// changes, including when the gate opens again.
func (s *scheduler) gateOpen(ctx context.Context) bool {
	gate := s.e.opts.Gate
	if gate == nil {
		return true
	}
	ok, reason := gate(ctx)
	if !ok && reason == "" {
		reason = "backups are held back"
	}
	if ok {
		reason = ""
	}
	s.gateMu.Lock()
	changed := reason != s.gateReason
	s.gateReason = reason
	s.gateMu.Unlock()
	if changed && !ok {
		s.e.emit(NoticeEvent{Message: "scheduled backups wait: " + reason + "; they start when that changes (Back up now still works)"})
	}
	if changed && ok {
		s.e.emit(NoticeEvent{Message: "scheduled backups run again"})
	}
	return ok
}

// HeldBack returns why Options.Gate last held scheduled passes back, or ""
// when it let the last one run.
func (e *Engine) HeldBack() string {
	s := e.sched
	s.gateMu.Lock()
	defer s.gateMu.Unlock()
	return s.gateReason
}

// Pause stops running passes and starts no new ones for d (0: until
// Resume). Requests made meanwhile run after the pause.
func (e *Engine) Pause(d time.Duration) {
	s := e.sched
	s.mu.Lock()
	s.paused = true
	s.pausedUntil = time.Time{}
	if s.resumeTimer != nil {
		s.resumeTimer.Stop()
		s.resumeTimer = nil
	}
	if d > 0 {
		s.pausedUntil = time.Now().Add(d)
		s.resumeTimer = time.AfterFunc(d, e.Resume)
	}
	var ids []string
	for id, l := range s.loops {
		ids = append(ids, id)
		l.mu.Lock()
		if l.cancelP != nil {
			l.cancelP(ErrPaused)
		}
		l.mu.Unlock()
	}
	s.mu.Unlock()
	e.emit(StateEvent{State: StatePaused})
	for _, id := range ids {
		e.emit(StateEvent{Pair: id, State: StatePaused})
	}
}

// Resume ends a pause.
func (e *Engine) Resume() {
	s := e.sched
	s.mu.Lock()
	if !s.paused {
		s.mu.Unlock()
		return
	}
	s.paused = false
	s.pausedUntil = time.Time{}
	if s.resumeTimer != nil {
		s.resumeTimer.Stop()
		s.resumeTimer = nil
	}
	close(s.resumed)
	s.resumed = make(chan struct{})
	s.mu.Unlock()
	e.emit(StateEvent{State: StateIdle})
}

// Paused reports whether the engine is paused and until when (zero: until
// Resume).
func (e *Engine) Paused() (bool, time.Time) {
	s := e.sched
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused, s.pausedUntil
}

func (s *scheduler) pauseState() (bool, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused, s.resumed
}

// wakeLoop notices wall-clock jumps (suspend/resume) and asks every pair
// for a catch-up pass. It returns when ctx is done.
func (s *scheduler) wakeLoop(ctx context.Context) {
	t := time.NewTicker(wakeCheckEvery)
	defer t.Stop()
	lastWall, lastMono := s.e.wallNow(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			wall, mono := s.e.wallNow(), time.Now()
			if jump := wall.Sub(lastWall) - mono.Sub(lastMono); jump > wakeThreshold {
				s.e.emit(NoticeEvent{Message: fmt.Sprintf("the computer was asleep for about %s; catching up", jump.Round(time.Minute))})
				s.request("", false)
			}
			lastWall, lastMono = wall, mono
		}
	}
}

func jitter(d time.Duration) time.Duration {
	f := 0.9 + 0.2*rand.Float64()
	return time.Duration(float64(d) * f)
}

// run is one pair's service loop; every pass of the pair starts here.
func (l *pairLoop) run(ctx context.Context, s *scheduler, p Pair) {
	e := s.e
	timer := time.NewTimer(0) // first pass right away
	defer timer.Stop()
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	defer debounce.Stop()
	gateRetry := time.NewTimer(time.Hour)
	gateRetry.Stop()
	defer gateRetry.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	failures := 0 // transient pass failures in a row
	var lastErr error
	probe := time.NewTimer(time.Hour)
	probe.Stop()
	defer probe.Stop()
	var debounceStarted time.Time
	debouncing := false

	var w Watcher
	var watchEvents <-chan string
	var watchErrs <-chan error
	watched := map[string]bool{}
	closeWatcher := func() {
		if w != nil {
			w.Close()
			w, watchEvents, watchErrs = nil, nil, nil
			clear(watched)
		}
	}
	defer closeWatcher()
	openWatcher := func() {
		if e.opts.NoWatch || p.NoWatch {
			return
		}
		nw, err := e.opts.NewWatcher()
		if err != nil {
			e.emit(NoticeEvent{Pair: p.ID, Message: "watching for changes is unavailable (" + err.Error() + "); scanning every " + p.interval().String() + " instead"})
			return
		}
		w, watchEvents, watchErrs = nw, nw.Events(), nw.Errors()
	}
	openWatcher()
	watchFallback := func(err error) {
		e.emit(NoticeEvent{Pair: p.ID, Message: "too many folders to watch for changes (" + err.Error() + "); scanning every " + p.interval().String() + " instead. Raise the system's inotify watch limit to get instant backups"})
		closeWatcher()
	}
	updateWatches := func(dirs []string) {
		if w == nil || dirs == nil {
			return
		}
		now := make(map[string]bool, len(dirs))
		for _, d := range dirs {
			now[d] = true
			if watched[d] {
				continue
			}
			if err := w.Add(d); err != nil {
				if errors.Is(err, ErrWatchLimit) {
					watchFallback(err)
					return
				}
				e.log.Debug("watch failed", "pair", p.ID, "dir", d, "err", err)
				continue
			}
			watched[d] = true
		}
		for d := range watched {
			if !now[d] {
				w.Remove(d)
				delete(watched, d)
			}
		}
	}

	var lastDirs []string // folders of the last pass, for a watcher opened later
	var resumed <-chan struct{}
	resumeExplicit := false // the request waiting for the resume was explicit
	// pass runs one pass now; explicit passes skip the gate.
	pass := func(explicit bool) {
		paused, res := s.pauseState()
		if paused {
			resumed = res
			resumeExplicit = resumeExplicit || explicit
			e.emit(StateEvent{Pair: p.ID, State: StatePaused})
			return
		}
		resumed, resumeExplicit = nil, false
		if !explicit && !s.gateOpen(ctx) {
			resetTimer(gateRetry, e.opts.GateRetry)
			return
		}
		stopTimer(gateRetry)
		pctx, cancel := context.WithCancelCause(ctx)
		l.mu.Lock()
		l.cancelP = cancel
		l.mu.Unlock()
		result := e.pass(pctx, p, PassOptions{})
		l.mu.Lock()
		l.cancelP = nil
		l.mu.Unlock()
		cancel(nil)
		if errors.Is(result.Err, ErrPaused) {
			_, res := s.pauseState()
			resumed, resumeExplicit = res, explicit
		}
		if result.watchDirs != nil {
			lastDirs = result.watchDirs
		}
		// Watch the folders before telling anyone the pass is over, so a
		// change made after the result is seen.
		updateWatches(result.watchDirs)
		e.report(result)
		resetTimer(timer, jitter(p.interval()))
		switch {
		case Transient(result.Err):
			failures, lastErr = failures+1, result.Err
			d := e.opts.Retry.wait(failures)
			resetTimer(retry, d)
			if e.opts.Probe != nil {
				resetTimer(probe, e.opts.Retry.Min)
			}
			e.emit(RetryEvent{Pair: p.ID, Err: result.Err, Attempt: failures, At: time.Now().Add(d)})
		case result.Err == nil || !errors.Is(result.Err, ErrPaused):
			failures, lastErr = 0, nil
			stopTimer(retry)
			stopTimer(probe)
		}
	}
	// retrying reports a retry pending: changes seen meanwhile wait for it
	// instead of hammering a server that is down.
	retrying := func() bool { return failures > 0 }

	for {
		select {
		case <-ctx.Done():
			return
		case np := <-l.update:
			localChanged := np.Local != p.Local
			watchChanged := np.NoWatch != p.NoWatch
			p = np
			if localChanged {
				lastDirs = nil
				closeWatcher()
				openWatcher()
				pass(false)
				continue
			}
			if watchChanged {
				closeWatcher()
				openWatcher()
				updateWatches(lastDirs)
			}
			resetTimer(timer, jitter(p.interval()))
		case <-l.scan:
			pass(true)
		case <-l.due:
			pass(false)
		case <-timer.C:
			pass(false)
		case <-gateRetry.C:
			pass(false)
		case <-retry.C:
			pass(false)
		case <-probe.C:
			if !retrying() {
				continue
			}
			if e.opts.Probe(ctx, lastErr) {
				pass(false)
				continue
			}
			probe.Reset(e.opts.Retry.Min)
		case <-l.netUp:
			if retrying() {
				pass(false)
			}
		case <-resumed:
			pass(resumeExplicit)
		case _, ok := <-watchEvents:
			if !ok {
				watchEvents = nil
				continue
			}
			now := time.Now()
			if !debouncing {
				debouncing, debounceStarted = true, now
			}
			// Wait for quiet, but never longer than ten debounce periods.
			wait := e.opts.Debounce
			if rest := debounceStarted.Add(10 * e.opts.Debounce).Sub(now); rest < wait {
				wait = max(rest, 0)
			}
			debounce.Reset(wait)
		case <-debounce.C:
			debouncing = false
			if !retrying() {
				pass(false)
			}
		case err, ok := <-watchErrs:
			if !ok {
				watchErrs = nil
				continue
			}
			if errors.Is(err, ErrWatchLimit) {
				watchFallback(err)
			} else {
				e.log.Debug("watch error", "pair", p.ID, "err", err)
			}
		}
	}
}

// stopTimer stops t and drains a tick it already delivered.
func stopTimer(t *time.Timer) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
}

// resetTimer makes t fire once after d, dropping any earlier schedule.
func resetTimer(t *time.Timer, d time.Duration) {
	stopTimer(t)
	t.Reset(d)
}
