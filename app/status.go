package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"jottacloudclient/app/config"
	"jottacloudclient/app/message"
	"jottacloudclient/syncer"
)

// Phase is the app's overall state, as the tray shows it.
type Phase int

const (
	PhaseIdle      Phase = iota // everything backed up
	PhaseSyncing                // a pass is running
	PhasePaused                 // paused by the user
	PhaseProblem                // the last pass failed or files could not be backed up
	PhaseSignedOut              // no working sign-in
)

// PairState is a configured pair with the outcome of its passes.
type PairState struct {
	config.Pair
	Running      bool
	LastComplete time.Time // end of the last complete pass (zero: never)
	Files        int64     // files in the last complete pass
	Bytes        int64     // bytes in the last complete pass
	Problems     int       // files the last pass could not back up
	Error        string    // why the last pass failed as a whole
}

// Problem is a file that could not be backed up.
type Problem struct {
	PairID string
	Path   string // absolute local path
	Reason string
	Time   time.Time
}

// Progress is the running pass.
type Progress struct {
	PairID                string
	Local                 string
	Uploading             bool // false while scanning and hashing
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	Rate                  float64
	ETA                   time.Duration
	Current               string
}

// Status is everything the GUI shows, as one snapshot.
type Status struct {
	Phase       Phase
	SignedIn    bool
	SignInHint  string // why sign-in is needed
	User        string
	Endpoint    string
	Demo        bool
	ConfigError string
	Pairs       []PairState
	Progress    *Progress // nil when idle
	Paused      bool
	PausedUntil time.Time // zero: until resumed
	LastBackup  time.Time // oldest "last complete" over enabled pairs; zero if one never completed
	Problems    []Problem
	PassError   string
	Passes      uint64
	Log         []string
}

const (
	maxLogLines = 500
	maxProblems = 1000
)

// statusBook collects engine events into per-pair state.
type statusBook struct {
	mu       sync.Mutex
	pairs    map[string]*PairState
	progress map[string]syncer.ProgressEvent
	problems map[string][]Problem
	passErr  string
	passes   uint64
	log      []string
}

func (b *statusBook) init() {
	b.pairs = map[string]*PairState{}
	b.progress = map[string]syncer.ProgressEvent{}
	b.problems = map[string][]Problem{}
}

func (b *statusBook) pair(id string) *PairState {
	p := b.pairs[id]
	if p == nil {
		p = &PairState{}
		b.pairs[id] = p
	}
	return p
}

func (b *statusBook) pairError(id, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pair(id).Error = msg
}

func (b *statusBook) lastComplete(id string, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p := b.pair(id); t.After(p.LastComplete) {
		p.LastComplete = t
	}
}

func (b *statusBook) addLog(t time.Time, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, t.Format("15:04:05")+"  "+msg)
	if len(b.log) > maxLogLines {
		b.log = append([]string(nil), b.log[len(b.log)-maxLogLines:]...)
	}
}

// forget drops the state of pairs that are no longer configured.
func (b *statusBook) forget(keep map[string]bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id := range b.pairs {
		if !keep[id] {
			delete(b.pairs, id)
			delete(b.problems, id)
			delete(b.progress, id)
		}
	}
}

// pump turns engine events into status until the subscription closes.
func (c *Controller) pump(sub *syncer.Subscription) {
	for ev := range sub.C() {
		c.apply(ev)
		c.changed()
	}
}

func (c *Controller) localOf(id string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg != nil {
		if p, ok := c.cfg.Pair(id); ok {
			return p.LocalPath()
		}
	}
	return ""
}

func (c *Controller) apply(ev syncer.Event) {
	b := &c.st
	switch e := ev.(type) {
	case syncer.StateEvent:
		if e.Pair == "" {
			return
		}
		b.mu.Lock()
		p := b.pair(e.Pair)
		p.Running = e.State == syncer.StateScanning || e.State == syncer.StateUploading
		if !p.Running {
			delete(b.progress, e.Pair)
		}
		b.mu.Unlock()
	case syncer.ProgressEvent:
		b.mu.Lock()
		b.progress[e.Pair] = e
		b.pair(e.Pair).Running = true
		b.mu.Unlock()
	case syncer.ProblemEvent:
		// The pass result carries the full list; the log gets each one now.
		c.logf("%s: %s", e.Path, message.Problem(e.Reason, e.Err))
	case syncer.FolderCreatedEvent:
		c.logf("created %s on JottaCloud", e.Path)
	case syncer.NoticeEvent:
		c.logf("%s", message.Clean(e.Message))
	case syncer.DroppedEvent:
		c.logf("%d progress events skipped while the window was busy", e.Count)
	case syncer.PassEvent:
		c.applyPass(e.Result)
	}
}

func (c *Controller) applyPass(r *syncer.PassResult) {
	if r == nil || r.DryRun {
		return
	}
	local := c.localOf(r.Pair)
	now := time.Now()
	probs := make([]Problem, 0, len(r.Problems))
	for _, p := range r.Problems {
		probs = append(probs, Problem{PairID: r.Pair, Path: filepath.Join(local, filepath.FromSlash(p.Path)), Reason: message.Problem(p.Reason, p.Err), Time: now})
	}
	b := &c.st
	b.mu.Lock()
	ps := b.pair(r.Pair)
	ps.Running = false
	delete(b.progress, r.Pair)
	if !r.LastComplete.IsZero() {
		ps.LastComplete = r.LastComplete
	}
	ps.Problems = len(probs)
	b.problems[r.Pair] = probs
	b.passes++
	ps.Error = ""
	if r.Err != nil && !errors.Is(r.Err, syncer.ErrPaused) && !errors.Is(r.Err, context.Canceled) {
		ps.Error = message.Text(r.Err)
		c.log.Debug("pass failed", "pair", r.Pair, "err", r.Err)
	}
	if r.Complete {
		ps.Files = r.Counters.FilesSeen
		ps.Bytes = r.Counters.BytesSeen
	}
	b.passErr = ps.Error
	b.mu.Unlock()

	switch {
	case r.Err != nil && IsSignInRequired(r.Err):
		c.logf("JottaCloud ended the session: sign in again")
		go c.lostSession()
	case ps.Error != "":
		c.logf("%s: %s", local, ps.Error)
	case r.Complete:
		cn := r.Counters
		c.logf("backed up %s: %d uploaded (%s), %d already on the server, %d moved, %d to trash, %d problems",
			local, cn.FilesUploaded, humanBytes(cn.BytesUploaded), cn.FilesDeduplicated, cn.FilesMoved, cn.FilesTrashed, len(probs))
	}
}

// lostSession stops uploading after the server revoked the session; the
// files stay as they are and the next sign-in finishes the work.
func (c *Controller) lostSession() {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.stopEngine()
	c.mu.Lock()
	c.acct = nil
	c.mu.Unlock()
	c.setSignIn("JottaCloud ended the session: sign in again with a new personal login token")
}

// Status returns a snapshot of the whole state.
func (c *Controller) Status() Status {
	c.mu.Lock()
	var s Status
	s.SignedIn = c.acct != nil
	s.SignInHint = c.signIn
	if c.cfgErr != nil {
		s.ConfigError = c.cfgErr.Error()
	}
	var pairs []config.Pair
	if c.cfg != nil {
		pairs = append(pairs, c.cfg.Pairs...)
		s.Endpoint = c.cfg.Account.Endpoint
		s.Demo = c.cfg.Account.Demo
		s.User = c.cfg.Account.Username
	}
	if c.demo != nil {
		s.Endpoint = c.demo.URL
	}
	var eng *syncer.Engine
	if c.eng != nil {
		eng = c.eng.e
	}
	c.mu.Unlock()
	if eng != nil {
		s.Paused, s.PausedUntil = eng.Paused()
	}

	b := &c.st
	b.mu.Lock()
	defer b.mu.Unlock()
	allDone := len(pairs) > 0
	for _, p := range pairs {
		ps := PairState{Pair: p}
		if st := b.pairs[p.ID]; st != nil {
			ps.Running, ps.LastComplete, ps.Files, ps.Bytes, ps.Problems, ps.Error =
				st.Running, st.LastComplete, st.Files, st.Bytes, st.Problems, st.Error
		}
		s.Pairs = append(s.Pairs, ps)
		if !p.Enabled {
			continue
		}
		if ps.LastComplete.IsZero() {
			allDone = false
		} else if s.LastBackup.IsZero() || ps.LastComplete.Before(s.LastBackup) {
			s.LastBackup = ps.LastComplete
		}
		s.Problems = append(s.Problems, b.problems[p.ID]...)
		if pe, ok := b.progress[p.ID]; ok && s.Progress == nil {
			s.Progress = &Progress{PairID: p.ID, Local: p.LocalPath(), Uploading: pe.Phase == syncer.StateUploading,
				FilesDone: pe.FilesDone, FilesTotal: pe.FilesTotal, BytesDone: pe.BytesDone, BytesTotal: pe.BytesTotal,
				Rate: pe.Rate, ETA: pe.ETA, Current: pe.Current}
		}
	}
	if !allDone {
		s.LastBackup = time.Time{}
	}
	sort.SliceStable(s.Problems, func(i, j int) bool { return s.Problems[i].Time.After(s.Problems[j].Time) })
	if len(s.Problems) > maxProblems {
		s.Problems = s.Problems[:maxProblems]
	}
	s.PassError = b.passErr
	s.Passes = b.passes
	s.Log = append([]string(nil), b.log...)

	switch {
	case !s.SignedIn:
		s.Phase = PhaseSignedOut
	case s.Paused:
		s.Phase = PhasePaused
	case s.Progress != nil:
		s.Phase = PhaseSyncing
	case s.PassError != "" || len(s.Problems) > 0:
		s.Phase = PhaseProblem
	default:
		s.Phase = PhaseIdle
	}
	return s
}

// humanBytes formats n with binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
