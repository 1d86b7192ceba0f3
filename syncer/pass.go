package syncer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"jottacloudclient/syncer/index"
)

const (
	metaRootDev      = "root-device"
	metaLastComplete = "last-complete-pass"
)

// RunPass runs one backup pass over pair: walk, hash what changed, list the
// remote folder once, plan, execute. Per-file problems are in the result;
// the error is for a pass that could not run (source missing, listing
// failed, cancelled). Passes over the same pair never overlap.
func (e *Engine) RunPass(ctx context.Context, p Pair, po PassOptions) (*PassResult, error) {
	res := e.pass(ctx, p, po)
	e.report(res)
	return res, res.Err
}

// pass runs a pass without publishing its result.
func (e *Engine) pass(ctx context.Context, p Pair, po PassOptions) *PassResult {
	res := &PassResult{Pair: p.ID, Started: time.Now(), DryRun: po.DryRun}
	err := e.runPass(ctx, p, po, res)
	res.Finished = time.Now()
	if err != nil && errors.Is(context.Cause(ctx), ErrPaused) {
		err = fmt.Errorf("pass %s: %w", p.ID, ErrPaused)
	}
	res.Err = err
	res.Complete = err == nil
	if res.Complete && !po.DryRun {
		res.LastComplete = res.Finished
	} else if p.ID != "" {
		res.LastComplete, _ = e.LastComplete(p.ID)
	}
	return res
}

// report publishes the end of a pass: the new state and the result.
func (e *Engine) report(res *PassResult) {
	switch {
	case errors.Is(res.Err, ErrPaused):
		e.emit(StateEvent{Pair: res.Pair, State: StatePaused})
	case errors.Is(res.Err, context.Canceled):
		// Shutting down or the pair was removed: not the user's problem.
		e.emit(StateEvent{Pair: res.Pair, State: StateIdle})
	case res.Err != nil:
		e.emit(StateEvent{Pair: res.Pair, State: StateError, Err: res.Err})
	default:
		e.emit(StateEvent{Pair: res.Pair, State: StateIdle})
	}
	e.emit(PassEvent{Result: res})
}

func (e *Engine) runPass(ctx context.Context, p Pair, po PassOptions, res *PassResult) (err error) {
	if err := p.Validate(); err != nil {
		return err
	}
	mu := e.lockPair(p.ID)
	mu.Lock()
	defer mu.Unlock()
	ix, err := e.index(p.ID)
	if err != nil {
		return err
	}
	var c counters
	defer func() { res.Counters = c.snapshot() }()
	var probMu sync.Mutex // upload workers report problems concurrently
	problem := func(pr Problem) {
		probMu.Lock()
		res.Problems = append(res.Problems, pr)
		probMu.Unlock()
		e.emit(ProblemEvent{Pair: p.ID, Problem: pr})
	}

	e.emit(StateEvent{Pair: p.ID, State: StateScanning})
	l, err := e.listFirst(ctx, p, po, &c)
	if err != nil {
		return err
	}
	defer l.close()

	var w *index.Writer
	if !po.DryRun {
		if w, err = ix.Begin(); err != nil {
			return fmt.Errorf("pass %s: write the index: %w", p.ID, err)
		}
	}
	x := &executor{e: e, p: p, w: w, c: &c, problem: problem}
	var m *march
	defer func() {
		if werr := endGeneration(w, m, x); werr != nil && err == nil {
			err = fmt.Errorf("pass %s: write the index: %w", p.ID, werr)
		}
	}()
	m, early, err := e.merge(ctx, p, po, ix, w, l, x, &c, problem)
	if err != nil {
		return fmt.Errorf("pass %s: %w", p.ID, err)
	}
	wr := m.walk
	e.log.Debug("walk merged", "pair", p.ID, "files", wr.files, "unchanged", m.unchanged, "difference", len(m.files), "remote_difference", len(m.only)+len(m.atPath))
	res.watchDirs = append([]string{p.Local}, wr.localDirs...)
	res.Skipped = wr.skipped

	plan := e.planPass(p, po, ix, m, early)
	res.Plan = &plan
	for _, b := range plan.Blocked {
		problem(Problem{Path: b.Local, Reason: b.Reason})
	}
	res.Planned = summarise(plan, l.missing)
	if early != nil {
		early.count(&res.Planned)
	}
	if plan.PruneRefused != "" {
		e.emit(NoticeEvent{Pair: p.ID, Message: plan.PruneRefused})
	}
	if po.DryRun {
		return nil
	}

	x.files = make(map[string]*localFile, len(m.files))
	for _, f := range m.files {
		x.files[f.rel] = f
	}
	if err := x.run(ctx, &plan); err != nil {
		return fmt.Errorf("pass %s: %w", p.ID, err)
	}
	e.passDone(p, ix, wr, plan)
	return nil
}

// listFirst lists the pair's remote folder, whole, into a spool sorted in
// the walk's order: nothing is compared, uploaded early, moved or trashed
// before it is known to be complete. A missing remote folder is created
// (not on a dry run); a missing local folder (a drive not mounted) stops
// the pass before the server is asked anything.
func (e *Engine) listFirst(ctx context.Context, p Pair, po PassOptions, c *counters) (*listing, error) {
	if _, err := localRoot(p); err != nil {
		return nil, fmt.Errorf("pass %s: %w", p.ID, err)
	}
	e.log.Debug("listing the remote folder", "pair", p.ID)
	l, err := e.spoolListing(ctx, c, p)
	if err != nil {
		return nil, fmt.Errorf("pass %s: list %s: %w", p.ID, p.Remote, err)
	}
	e.log.Debug("listing spooled", "pair", p.ID, "items", l.s.Len(), "missing", l.missing)
	if l.unreachable > 0 {
		e.log.Warn("remote items left alone: JottaCloud cannot serve their names back (an older version stored them); remove them in the JottaCloud web app", "pair", p.ID, "items", l.unreachable)
	}
	if l.missing && !po.DryRun {
		created, err := e.remote.EnsureFolder(ctx, p.Remote)
		if err != nil {
			l.close()
			return nil, fmt.Errorf("pass %s: create %s: %w", p.ID, p.Remote, err)
		}
		for _, path := range created {
			c.foldersCreated.Add(1)
			e.emit(FolderCreatedEvent{Pair: p.ID, Path: path})
		}
	}
	return l, nil
}

// endGeneration ends the index generation a pass wrote (w nil: a dry
// run). A pass that walked everything (m set) writes the whole index, so
// files gone are forgotten; one cut short keeps what it learned; one that
// changed nothing leaves the file as it was.
func endGeneration(w *index.Writer, m *march, x *executor) error {
	switch {
	case w == nil:
		return nil
	case m == nil:
		return w.Keep()
	case !m.changed.Load() && !x.marked.Load():
		return w.Abort()
	}
	return w.Commit()
}

// planPass plans the difference the merge kept.
func (e *Engine) planPass(p Pair, po PassOptions, ix *index.Index, m *march, early *earlyUploads) Plan {
	wr := m.walk
	remote := m.remote()
	if early != nil && !po.DryRun {
		remote = early.into(remote)
	}
	in := PlanInput{
		Files:        m.planFiles(),
		Unchanged:    m.unchanged,
		Dirs:         wr.dirs,
		Protected:    wr.protected,
		Remote:       remote,
		Prune:        p.Prune,
		PruneLimit:   p.PruneLimit,
		ForcePrune:   po.ForcePrune,
		DisableMoves: p.DisableMoves,
	}
	in.SourceProblem = e.sourceProblem(ix, p, wr, po.ForcePrune)
	if kept, err := keptPaths(ix); err != nil {
		e.log.Warn("kept items unreadable", "pair", p.ID, "err", err)
	} else {
		in.Protected = append(in.Protected, kept...)
	}
	return MakePlan(in)
}

// passDone remembers, after a complete pass, the folder's device (unless
// pruning was refused, which may be about that device) and the time.
func (e *Engine) passDone(p Pair, ix *index.Index, wr *walkResult, plan Plan) {
	if plan.PruneRefused == "" || p.Prune == PruneNone {
		var dev [8]byte
		binary.LittleEndian.PutUint64(dev[:], wr.rootDev)
		if err := ix.SetMeta(metaRootDev, dev[:]); err != nil {
			e.log.Warn("index meta write failed", "pair", p.ID, "err", err)
		}
	}
	if b, err := time.Now().MarshalBinary(); err == nil {
		if err := ix.SetMeta(metaLastComplete, b); err != nil {
			e.log.Warn("index meta write failed", "pair", p.ID, "err", err)
		}
	}
}

// merge walks the local tree against the index and the listing: it
// hashes what changed, writes the new index generation as it goes, starts
// uploads of new files at once (not on a dry run), and keeps the
// difference for the plan. Walk problems are reported as they are found.
func (e *Engine) merge(ctx context.Context, p Pair, po PassOptions, ix *index.Index, w *index.Writer, l *listing,
	x *executor, c *counters, problem func(Problem)) (*march, *earlyUploads, error) {
	// An upload that ends the pass (account full, signed out) stops the
	// walk and the hashing too.
	mctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	m := &march{ctx: mctx, e: e, p: p, c: c, problem: problem, ix: ix, w: w, l: l}
	// Hashing progress appears with the first file to hash; its totals
	// grow as the walk finds more. It shares the display with the
	// uploads that start during the walk.
	prog := newQuietProgress(e, p.ID, StateScanning)
	prog.display = &display{}
	var early *earlyUploads
	var earlyErr error
	var dry func(*localFile)
	if po.DryRun && po.WouldUpload != nil {
		dry = func(f *localFile) { po.WouldUpload(f.rel, f.size) }
	}
	if !po.DryRun || dry != nil {
		m.offerEarly = func(f *localFile) bool {
			if earlyErr != nil {
				return false
			}
			if early == nil {
				if early, earlyErr = newEarlyUploads(mctx, x, l, prog.display, dry); earlyErr != nil {
					early = nil
					return false
				}
			}
			taken, err := early.offer(mctx, f)
			if err != nil {
				earlyErr = err
				cancel(err)
			}
			return taken
		}
	}
	var speak sync.Once
	hash := func(ctx context.Context, it *item) {
		f := &it.f
		prog.addFile(f.size)
		speak.Do(prog.speak)
		sum, err := hashOne(ctx, p.Local, f, e.openFile, e.afterFirstRead)
		prog.fileDone(f.rel, f.size)
		if err != nil {
			it.err = err
			return
		}
		c.filesHashed.Add(1)
		c.bytesHashed.Add(f.size)
		f.md5, f.hashed = sum, true
	}
	wr, err := m.run(e.opts.GlobalExcludes, hash)
	prog.totalsKnown()
	prog.finish()
	if early != nil {
		if werr := early.wait(); earlyErr == nil {
			earlyErr = werr
		}
	}
	if wr != nil {
		for _, pr := range wr.problems {
			problem(pr)
		}
	}
	if err == nil || (earlyErr != nil && ctx.Err() == nil) {
		err = earlyErr // the cause, when an upload ended the pass
	}
	if err != nil {
		return nil, nil, err
	}
	m.walk = wr
	return m, early, nil
}

// sourceProblem says why the local folder looks unavailable for pruning.
// An empty folder, or one that went away during the pass, is never
// overridden.
func (e *Engine) sourceProblem(ix *index.Index, p Pair, w *walkResult, force bool) string {
	if w.rootItems == 0 {
		return "the local folder is empty (is the drive mounted?)"
	}
	if !w.rootStillThere(p.Local) {
		return "the local folder was moved, removed or unmounted during the pass"
	}
	if force {
		return ""
	}
	b, err := ix.Meta(metaRootDev)
	if err == nil && len(b) == 8 && w.rootDev != 0 {
		if last := binary.LittleEndian.Uint64(b); last != w.rootDev {
			return fmt.Sprintf("the local folder is on a different filesystem than last time (device %d, was %d); confirm the deletions once if this is intended", w.rootDev, last)
		}
	}
	return ""
}

// LastComplete returns when the pair last finished a pass (zero if never).
func (e *Engine) LastComplete(id string) (time.Time, error) {
	ix, err := e.index(id)
	if err != nil {
		return time.Time{}, err
	}
	b, err := ix.Meta(metaLastComplete)
	if err != nil || b == nil {
		return time.Time{}, err
	}
	var t time.Time
	if err := t.UnmarshalBinary(b); err != nil {
		return time.Time{}, fmt.Errorf("index of pair %s: last pass time: %w", id, err)
	}
	return t, nil
}

func summarise(pl Plan, rootMissing bool) Planned {
	s := Planned{
		Uploads:      len(pl.Uploads),
		UploadBytes:  pl.UploadBytes,
		Mkdirs:       len(pl.Mkdirs),
		Trash:        len(pl.Trash),
		TrashFiles:   pl.TrashFiles,
		TrashBytes:   pl.TrashBytes,
		Unchanged:    pl.Unchanged,
		CreateRoot:   rootMissing,
		PruneRefused: pl.PruneRefused,
	}
	for _, h := range pl.Held {
		s.HeldFiles += h.Files
	}
	for _, m := range pl.Moves {
		if m.Dir {
			s.FolderMoves++
		} else {
			s.FileMoves++
		}
		s.MovedBytes += m.Bytes
	}
	return s
}
