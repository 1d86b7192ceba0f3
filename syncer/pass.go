package syncer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"jottacloudclient/syncer/state"
)

const (
	metaRootDev      = "root-device"
	metaLastComplete = "last-complete-pass"
)

// hashBatch and hashFlushEvery bound the hashing work a crash can lose.
const (
	hashBatch      = 512
	hashFlushEvery = 2 * time.Second
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

func (e *Engine) runPass(ctx context.Context, p Pair, po PassOptions, res *PassResult) error {
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
	var w *walkResult
	var moved []state.Hashed
	err = ix.View(func(r *state.Reader) error {
		var werr error
		w, werr = walk(ctx, p, e.opts.GlobalExcludes, r)
		if werr == nil {
			moved = reuseMoved(r, w)
		}
		return werr
	})
	if err != nil {
		return fmt.Errorf("pass %s: %w", p.ID, err)
	}
	if !po.DryRun {
		if err := ix.PutHashed(moved); err != nil {
			return fmt.Errorf("pass %s: store hashes: %w", p.ID, err)
		}
	}
	c.filesSeen.Store(int64(len(w.files)))
	var seenBytes int64
	for i := range w.files {
		seenBytes += w.files[i].size
	}
	c.bytesSeen.Store(seenBytes)
	res.watchDirs = append([]string{p.Local}, w.localDirs...)
	for _, pr := range w.problems {
		problem(pr)
	}
	res.Skipped = w.skipped

	// The listing comes before hashing: files the plan will upload
	// whatever else the tree holds go to the server as soon as they are
	// hashed.
	var remote []Entry
	rootMissing, listedUnchanged := false, 0
	pending := pendingRemote{}
	unreachable := 0
	err = e.list(ctx, &c, p.Remote, func(en Entry) error {
		if !servedBack(en.Path) {
			// Stored by an older client under a name the server cannot
			// serve back: it can be neither compared, moved nor trashed.
			unreachable++
			return nil
		}
		if matchUnchanged(w, en) {
			listedUnchanged++
			return nil
		}
		if pending.hold(w, en) {
			return nil
		}
		remote = append(remote, en)
		return nil
	})
	if unreachable > 0 {
		e.log.Warn("remote items left alone: JottaCloud cannot serve their names back (an older version stored them); remove them in the JottaCloud web app", "pair", p.ID, "items", unreachable)
	}
	if errors.Is(err, ErrNotExist) {
		rootMissing, remote, err = true, nil, nil
		for i := range w.files { // nothing is on the server
			w.files[i].unchanged = false
		}
		listedUnchanged = 0
		clear(pending)
	}
	if err != nil {
		return fmt.Errorf("pass %s: list %s: %w", p.ID, p.Remote, err)
	}
	if rootMissing && !po.DryRun {
		created, err := e.remote.EnsureFolder(ctx, p.Remote)
		if err != nil {
			return fmt.Errorf("pass %s: create %s: %w", p.ID, p.Remote, err)
		}
		for _, path := range created {
			c.foldersCreated.Add(1)
			e.emit(FolderCreatedEvent{Pair: p.ID, Path: path})
		}
	}

	x := &executor{e: e, p: p, ix: ix, c: &c, problem: problem}
	var early *earlyUploads
	if !po.DryRun && needsHashing(w) {
		early = newEarlyUploads(ctx, x, remote, pending)
	}
	if err := e.hashChanged(ctx, p, ix, w, po.DryRun, &c, problem, early); err != nil {
		return fmt.Errorf("pass %s: %w", p.ID, err)
	}
	if early != nil {
		remote = early.into(remote)
	}
	remote, settled := pending.settle(remote)
	remote, unchanged := dropUnchanged(w, remote)
	unchanged += listedUnchanged + settled

	in := PlanInput{
		Files:        make([]LocalFile, 0, len(w.files)-unchanged),
		Unchanged:    unchanged,
		Dirs:         w.dirs,
		Protected:    w.protected,
		Remote:       remote,
		Prune:        p.Prune,
		PruneLimit:   p.PruneLimit,
		ForcePrune:   po.ForcePrune,
		DisableMoves: p.DisableMoves,
	}
	for i := range w.files {
		if f := &w.files[i]; !f.unchanged {
			in.Files = append(in.Files, LocalFile{Path: f.remote, Local: f.rel, Size: f.size, MD5: f.md5Hex(), Uploaded: f.uploaded})
		}
	}
	in.SourceProblem = e.sourceProblem(ix, w, po.ForcePrune)
	if kept, err := keptPaths(ix); err != nil {
		e.log.Warn("kept items unreadable", "pair", p.ID, "err", err)
	} else {
		in.Protected = append(in.Protected, kept...)
	}
	plan := MakePlan(in)
	res.Plan = &plan
	for _, b := range plan.Blocked {
		problem(Problem{Path: b.Local, Reason: b.Reason})
	}
	res.Planned = summarise(plan, rootMissing)
	if early != nil {
		early.count(&res.Planned)
	}
	if plan.PruneRefused != "" {
		e.emit(NoticeEvent{Pair: p.ID, Message: plan.PruneRefused})
	}
	if po.DryRun {
		return nil
	}

	// The executor knows the files the plan names; the unchanged ones the
	// server already has only need the index to learn it.
	byLocal := make(map[string]*localFile, len(in.Files))
	for i := range w.files {
		if f := &w.files[i]; !f.unchanged {
			byLocal[f.rel] = f
		} else if !f.uploaded {
			x.markUploaded(f)
		}
	}
	x.files = byLocal
	todo := plan
	if early != nil {
		todo.Uploads = early.left(plan.Uploads, byLocal)
	}
	if err := x.run(ctx, &todo); err != nil {
		return fmt.Errorf("pass %s: %w", p.ID, err)
	}

	// Forget files that are gone, so the index does not grow forever.
	var stale []string
	_ = ix.View(func(r *state.Reader) error {
		return r.ForEach(func(path string, _ state.Record) error {
			if _, ok := w.seen[path]; !ok {
				stale = append(stale, path)
			}
			return nil
		})
	})
	if err := ix.Delete(stale); err != nil {
		e.log.Warn("index cleanup failed", "pair", p.ID, "err", err)
	}
	if plan.PruneRefused == "" || p.Prune == PruneNone {
		var dev [8]byte
		binary.LittleEndian.PutUint64(dev[:], w.rootDev)
		if err := ix.SetMeta(metaRootDev, dev[:]); err != nil {
			e.log.Warn("index meta write failed", "pair", p.ID, "err", err)
		}
	}
	if b, err := time.Now().MarshalBinary(); err == nil {
		if err := ix.SetMeta(metaLastComplete, b); err != nil {
			e.log.Warn("index meta write failed", "pair", p.ID, "err", err)
		}
	}
	return nil
}

// sourceProblem says why the local folder looks unavailable for pruning.
func (e *Engine) sourceProblem(ix *state.Index, w *walkResult, force bool) string {
	if w.rootItems == 0 {
		return "the local folder is empty (is the drive mounted?)"
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

// needsHashing reports whether the walk left files the index could not vouch for.
func needsHashing(w *walkResult) bool {
	for i := range w.files {
		if !w.files[i].hashed {
			return true
		}
	}
	return false
}

// hashChanged hashes every file the index could not vouch for, stores the
// results (unless dry-run) in batches and offers each hashed file to early
// (when set), which may upload it at once.
func (e *Engine) hashChanged(ctx context.Context, p Pair, ix *state.Index, w *walkResult, dryRun bool, c *counters, problem func(Problem), early *earlyUploads) error {
	var todo []int
	var total int64
	for i := range w.files {
		if !w.files[i].hashed {
			todo = append(todo, i)
			total += w.files[i].size
		}
	}
	// An upload that ends the pass (account full, signed out) stops the
	// hashing too.
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var earlyErr error
	offer := func(f *localFile) {
		if early == nil || earlyErr != nil {
			return
		}
		if err := early.offer(hctx, f); err != nil {
			earlyErr = err
			cancel(err)
		}
	}
	herr := e.hashAll(hctx, p, ix, w, todo, total, dryRun, c, problem, offer)
	if early != nil {
		if err := early.wait(); earlyErr == nil {
			earlyErr = err
		}
	}
	if herr == nil || (earlyErr != nil && ctx.Err() == nil) {
		return earlyErr
	}
	return herr
}

// hashAll hashes w.files[i] for every i in todo, storing the results
// (unless dry-run) in batches and passing each hashed file to hashed.
func (e *Engine) hashAll(ctx context.Context, p Pair, ix *state.Index, w *walkResult, todo []int, total int64, dryRun bool, c *counters, problem func(Problem), hashed func(*localFile)) error {
	if len(todo) == 0 {
		return nil
	}
	prog := newProgress(e, p.ID, StateScanning, len(todo), total)
	var batch []state.Hashed
	lastFlush := time.Now()
	flush := func() error {
		lastFlush = time.Now()
		if dryRun || len(batch) == 0 {
			batch = batch[:0]
			return nil
		}
		err := ix.PutHashed(batch)
		batch = batch[:0]
		return err
	}
	var storeErr error
	err := hashFiles(ctx, p.Local, w.files, todo, e.opts.Hashers, e.openFile, e.afterFirstRead, func(r hashResult) {
		f := &w.files[r.i]
		prog.fileDone(f.rel, f.size)
		if r.err != nil {
			if ctx.Err() == nil {
				problem(Problem{Path: f.rel, Reason: "not backed up: " + errReason(r.err), Err: r.err})
			}
			return
		}
		c.filesHashed.Add(1)
		c.bytesHashed.Add(f.size)
		f.md5, f.hashed = r.md5, true
		batch = append(batch, state.Hashed{Path: f.rel, Size: f.size, ModTime: f.mtime, Inode: f.inode, Ctime: f.ctime, MD5: f.md5})
		if (len(batch) >= hashBatch || time.Since(lastFlush) >= hashFlushEvery) && storeErr == nil {
			storeErr = flush()
		}
		hashed(f)
	})
	prog.finish()
	if err != nil {
		return err
	}
	if storeErr == nil {
		storeErr = flush()
	}
	if storeErr != nil {
		return fmt.Errorf("store hashes: %w", storeErr)
	}
	return nil
}
