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
	PhaseDecision               // deletions wait for the user's decision
	PhaseStale                  // a folder has not been completely backed up for too long
	PhaseWaiting                // JottaCloud could not be reached; a retry is scheduled
)

// DefaultStaleAfter is how old a folder's last complete backup may get
// before the app warns; a folder with a longer interval gets three
// intervals.
const DefaultStaleAfter = 3 * 24 * time.Hour

// PairState is a configured pair with the outcome of its passes.
type PairState struct {
	config.Pair
	Running      bool
	LastComplete time.Time // end of the last complete pass (zero: never)
	Files        int64     // files in the last complete pass
	Bytes        int64     // bytes in the last complete pass
	Problems     int       // files the last pass could not back up
	Error        string    // why the last pass failed as a whole, in words with an action
	// RetryAt is when a pass that failed for a passing reason (offline,
	// server trouble) is tried again; zero when none is pending.
	RetryAt time.Time
	// Skipped counts what the last pass left out by design.
	Skipped int
	// Passes counts the pair's finished passes.
	Passes uint64
	// Held are remote items whose local copies are gone but which were
	// not moved to the trash: they wait for the user's decision
	// (Controller.ConfirmDeletions or KeepDeletions).
	Held []Held
	// HeldWhy says in words why they were held back.
	HeldWhy string
	// Stale is the warning when the folder has not been completely backed
	// up for longer than the threshold ("" otherwise).
	Stale string

	errKind message.Kind
	seenOK  time.Time // when the controller's clock saw the last complete pass
}

// Held is a remote item held back from the trash.
type Held struct {
	Path  string // relative to the pair's folders, '/'-separated
	Dir   bool
	Files int   // files it holds (1 for a file)
	Bytes int64 // their size
}

// Skipped is an item a pass left out by design (never a problem).
type Skipped struct {
	PairID string
	Path   string // absolute local path
	Reason string // "symbolic link (not followed)", "special file (socket)" …
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
	Counting              bool // the totals still grow (see syncer.ProgressEvent)
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
	// PassError is why the last pass failed, in words; an account-wide
	// state (full, offline, signed out) appears here once for all pairs.
	PassError string
	// Account is an account-wide state in words ("Your JottaCloud is
	// full. …"), shown once rather than per folder or file; "" when none.
	Account string
	// Skipped lists what the last passes left out by design.
	Skipped []Skipped
	// Decisions counts folders whose deletions wait for the user.
	Decisions int
	// Warnings are the "not backed up since" lines of stale folders.
	Warnings []string
	// RetryAt is the earliest scheduled retry of a failed pass (zero: none).
	RetryAt time.Time
	Passes  uint64
	Log     []string
}

const (
	maxLogLines = 500
	maxProblems = 1000
	maxSkipped  = 1000
)

// statusBook collects engine events into per-pair state.
type statusBook struct {
	mu       sync.Mutex
	pairs    map[string]*PairState
	progress map[string]syncer.ProgressEvent
	problems map[string][]Problem
	skipped  map[string][]Skipped
	passErr  string
	passes   uint64
	log      []string
}

func (b *statusBook) init() {
	b.pairs = map[string]*PairState{}
	b.progress = map[string]syncer.ProgressEvent{}
	b.problems = map[string][]Problem{}
	b.skipped = map[string][]Skipped{}
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
			delete(b.skipped, id)
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
	case syncer.RetryEvent:
		b.mu.Lock()
		b.pair(e.Pair).RetryAt = e.At
		b.mu.Unlock()
		c.logf("%s: %s Trying again at %s.", c.localOf(e.Pair), message.Text(e.Err), e.At.Local().Format("15:04:05"))
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
	skipped := make([]Skipped, 0, min(len(r.Skipped), maxSkipped))
	for _, s := range r.Skipped[:min(len(r.Skipped), maxSkipped)] {
		skipped = append(skipped, Skipped{PairID: r.Pair, Path: filepath.Join(local, filepath.FromSlash(s.Path)), Reason: s.Text()})
	}
	b := &c.st
	b.mu.Lock()
	ps := b.pair(r.Pair)
	ps.Running = false
	delete(b.progress, r.Pair)
	if !syncer.Transient(r.Err) {
		ps.RetryAt = time.Time{}
	}
	if r.Plan != nil {
		ps.Held, ps.HeldWhy = heldOf(r), ""
		if len(ps.Held) > 0 {
			ps.HeldWhy = message.HeldBack(r.Planned.PruneRefused, r.Planned.HeldFiles)
		}
	}
	if r.Complete || len(r.Skipped) > 0 {
		ps.Skipped = len(r.Skipped)
		b.skipped[r.Pair] = skipped
	}
	if !r.LastComplete.IsZero() {
		ps.LastComplete = r.LastComplete
	}
	ps.Problems = len(probs)
	b.problems[r.Pair] = probs
	b.passes++
	ps.Passes++
	ps.Error, ps.errKind = "", message.KindNone
	if r.Err != nil && !errors.Is(r.Err, syncer.ErrPaused) && !errors.Is(r.Err, context.Canceled) {
		m := message.For(r.Err)
		ps.Error, ps.errKind = m.String(), m.Kind
		c.log.Debug("pass failed", "pair", r.Pair, "err", r.Err)
	}
	if r.Complete {
		ps.seenOK = c.now()
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
		c.logf("backed up %s: %d uploaded (%s), %d already on the server, %d moved, %d to trash, %d skipped by design, %d problems",
			local, cn.FilesUploaded, humanBytes(cn.BytesUploaded), cn.FilesDeduplicated, cn.FilesMoved, cn.FilesTrashed, len(r.Skipped), len(probs))
	}
	if r.Planned.HeldFiles > 0 {
		c.logf("%s: %s", local, message.HeldBack(r.Planned.PruneRefused, r.Planned.HeldFiles))
	}
}

// heldOf lists the items a pass held back from the trash.
func heldOf(r *syncer.PassResult) []Held {
	if r.Plan == nil || len(r.Plan.Held) == 0 {
		return nil
	}
	out := make([]Held, 0, len(r.Plan.Held))
	for _, t := range r.Plan.Held {
		out = append(out, Held{Path: t.Path, Dir: t.Dir, Files: t.Files, Bytes: t.Bytes})
	}
	return out
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
	} else if c.cfgInvalid != "" {
		s.ConfigError = c.cfgInvalid
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

	now := c.now()
	b := &c.st
	b.mu.Lock()
	defer b.mu.Unlock()
	allDone := len(pairs) > 0
	for _, p := range pairs {
		ps := PairState{Pair: p}
		if st := b.pairs[p.ID]; st != nil {
			ps = *st
			ps.Pair = p
			ps.Held = append([]Held(nil), st.Held...)
		}
		if p.Enabled {
			ps.Stale = staleWarning(ps, c.started, now)
		}
		s.Pairs = append(s.Pairs, ps)
		if !p.Enabled {
			continue
		}
		if ps.errKind.AccountWide() && s.Account == "" {
			s.Account = ps.Error
		}
		if len(ps.Held) > 0 {
			s.Decisions++
		}
		if ps.Stale != "" {
			s.Warnings = append(s.Warnings, ps.Stale)
		}
		if !ps.RetryAt.IsZero() && (s.RetryAt.IsZero() || ps.RetryAt.Before(s.RetryAt)) {
			s.RetryAt = ps.RetryAt
		}
		s.Skipped = append(s.Skipped, b.skipped[p.ID]...)
		if ps.LastComplete.IsZero() {
			allDone = false
		} else if s.LastBackup.IsZero() || ps.LastComplete.Before(s.LastBackup) {
			s.LastBackup = ps.LastComplete
		}
		s.Problems = append(s.Problems, b.problems[p.ID]...)
		if pe, ok := b.progress[p.ID]; ok && s.Progress == nil {
			s.Progress = &Progress{PairID: p.ID, Local: p.LocalPath(), Uploading: pe.Phase == syncer.StateUploading,
				FilesDone: pe.FilesDone, FilesTotal: pe.FilesTotal, BytesDone: pe.BytesDone, BytesTotal: pe.BytesTotal,
				Rate: pe.Rate, ETA: pe.ETA, Current: pe.Current, Counting: pe.Counting}
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
	if s.Account != "" {
		s.PassError = s.Account
	}
	if len(s.Skipped) > maxSkipped {
		s.Skipped = s.Skipped[:maxSkipped]
	}
	s.Passes = b.passes
	s.Log = append([]string(nil), b.log...)

	switch {
	case !s.SignedIn:
		s.Phase = PhaseSignedOut
	case s.Paused:
		s.Phase = PhasePaused
	case s.Progress != nil:
		s.Phase = PhaseSyncing
	case (s.PassError != "" && s.RetryAt.IsZero()) || len(s.Problems) > 0:
		s.Phase = PhaseProblem
	case len(s.Warnings) > 0:
		s.Phase = PhaseStale
	case s.Decisions > 0:
		s.Phase = PhaseDecision
	case !s.RetryAt.IsZero():
		s.Phase = PhaseWaiting
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

// StaleAfter is how old a pair's last complete backup may get before the
// app warns: DefaultStaleAfter, or three intervals if that is longer.
func StaleAfter(p config.Pair) time.Duration {
	return max(DefaultStaleAfter, 3*time.Duration(p.Interval))
}

// staleWarning is the "not backed up since" line of a pair whose
// protection is older than its threshold, or "". A pair that never
// completed counts from when the app started.
func staleWarning(ps PairState, started, now time.Time) string {
	since := ps.LastComplete
	if ps.seenOK.After(since) {
		since = ps.seenOK
	}
	if since.IsZero() {
		since = started
	}
	if now.Sub(since) <= StaleAfter(ps.Pair) {
		return ""
	}
	name := filepath.Base(ps.LocalPath())
	line := name + ": not backed up since " + message.Day(since, now)
	if ps.LastComplete.IsZero() {
		line = name + ": not backed up yet"
	}
	if ps.Error != "" {
		line += " — the last attempts failed: " + ps.Error
	}
	return line
}
