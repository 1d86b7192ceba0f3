package syncer

import (
	"context"
	"hash/maphash"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// earlyUploads sends files on to the server while the walk and the
// hashing go on, so a large backup starts uploading at once instead of
// after the last file is read. It takes only the files the plan would
// upload whatever else it finds: a new path (no remote item under that
// name, no remote file in place of one of its folders) whose content is
// nowhere on the remote (so it is neither unchanged nor the target of a
// move). Everything else waits for the plan. It only starts once the
// remote listing is complete, and it never moves or trashes anything. A
// file it takes leaves the pass's memory once it is sent.
type earlyUploads struct {
	x     *executor
	g     *errgroup.Group
	gctx  context.Context
	small chan *localFile // files under SmallFileSize, with their own limit
	large chan *localFile
	prog  *progress
	began sync.Once // the pair's state turned to uploading

	// Sorted hashes over the remote listing, 8 bytes an item.
	seed  maphash.Seed
	taken []uint64 // fold keys of every remote item
	files []uint64 // fold keys of remote files
	sums  []uint64 // size and md5 of remote files

	// dry, on a dry run, is told of the files that would go; nothing is
	// sent and no worker runs.
	dry func(*localFile)

	mu    sync.Mutex
	made  map[string]string // fold key → remote path of folders the uploads made
	sent  int
	bytes int64
}

// newEarlyUploads reads the listing once more for the lookups and starts
// the upload workers (none when dry is set).
func newEarlyUploads(ctx context.Context, x *executor, l *listing, disp *display, dry func(*localFile)) (*earlyUploads, error) {
	u := &earlyUploads{x: x, seed: maphash.MakeSeed(), made: map[string]string{}, dry: dry}
	rd, err := l.items()
	if err != nil {
		return nil, err
	}
	for {
		r, ok := rd.peek()
		if !ok {
			break
		}
		h := u.key(foldKey(r.path))
		u.taken = append(u.taken, h)
		if !r.dir {
			u.files = append(u.files, h)
			if r.sum {
				u.sums = append(u.sums, u.sumKey(r.size, r.md5))
			}
		}
		rd.next()
	}
	if err := rd.close(); err != nil {
		return nil, err
	}
	slices.Sort(u.taken)
	slices.Sort(u.files)
	slices.Sort(u.sums)
	if dry != nil {
		return u, nil
	}
	// Upload progress stays quiet until the first upload starts; then
	// disp shares the display with the walk's reading.
	u.prog = newQuietProgress(x.e, x.p.ID, StateUploading)
	u.prog.display = disp
	u.g, u.gctx = errgroup.WithContext(ctx)
	u.small, u.large = make(chan *localFile), make(chan *localFile)
	for range max(x.e.opts.SmallTransfers, 1) {
		u.g.Go(func() error { return u.worker(u.small) })
	}
	for range max(x.e.opts.Transfers, 1) {
		u.g.Go(func() error { return u.worker(u.large) })
	}
	return u, nil
}

func (u *earlyUploads) key(foldedPath string) uint64 {
	return maphash.String(u.seed, foldedPath)
}

func (u *earlyUploads) sumKey(size int64, md5 [16]byte) uint64 {
	return maphash.Comparable(u.seed, remoteSum{size, md5})
}

// remoteSum is a remote file's size and md5.
type remoteSum struct {
	size int64
	md5  [16]byte
}

func has(sorted []uint64, h uint64) bool {
	_, ok := slices.BinarySearch(sorted, h)
	return ok
}

// eligible reports whether the plan would upload f, whatever else the
// tree holds. A hash collision only makes a file wait for the plan.
func (u *earlyUploads) eligible(f *localFile) bool {
	k := foldKey(f.remote)
	if has(u.taken, u.key(k)) {
		return false
	}
	for d := parentOf(k); d != ""; d = parentOf(d) {
		if has(u.files, u.key(d)) {
			return false
		}
	}
	return !has(u.sums, u.sumKey(f.size, f.md5))
}

// offer queues a copy of f and reports true when it is eligible; it
// blocks while every worker is busy.
func (u *earlyUploads) offer(ctx context.Context, f *localFile) (bool, error) {
	if !u.eligible(f) {
		return false, nil
	}
	if u.dry != nil {
		u.dry(f)
		u.sent++
		u.bytes += f.size
		return true, nil
	}
	fp := new(localFile)
	*fp = *f
	jobs := u.large
	if f.size < SmallFileSize {
		jobs = u.small
	}
	select {
	case jobs <- fp:
		return true, nil
	case <-u.gctx.Done():
		return false, context.Cause(u.gctx)
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (u *earlyUploads) worker(jobs <-chan *localFile) error {
	for f := range jobs {
		if err := u.gctx.Err(); err != nil {
			return err
		}
		if err := u.one(f); err != nil {
			return err
		}
	}
	return nil
}

// one uploads f; the upload creates its missing folders. A failure is
// reported as the file's problem and the next pass tries again.
func (u *earlyUploads) one(f *localFile) error {
	x := u.x
	prog := u.prog
	prog.addFile(f.size)
	if prog.display.uploadStarted() {
		u.began.Do(u.begin)
		prog.speak()
	}
	prog.startFile(f.rel)
	err := x.upload(u.gctx, f, f.remote, prog)
	prog.display.uploadEnded()
	prog.fileFinished()
	if err != nil {
		return x.remoteProblem(u.gctx, f.rel, "upload", err)
	}
	u.mu.Lock()
	u.sent++
	u.bytes += f.size
	for d := parentOf(f.remote); d != ""; d = parentOf(d) {
		k := foldKey(d)
		if _, ok := u.made[k]; ok {
			break
		}
		u.made[k] = d
	}
	u.mu.Unlock()
	return nil
}

// begin says the pass is uploading now, though the walk may still find
// files (the totals grow until wait).
func (u *earlyUploads) begin() {
	u.x.e.emit(StateEvent{Pair: u.x.p.ID, State: StateUploading})
}

// wait lets the queued uploads finish and returns the first error that
// ends the pass.
func (u *earlyUploads) wait() error {
	if u.dry != nil {
		return nil
	}
	close(u.small)
	close(u.large)
	u.prog.totalsKnown()
	u.prog.display.endWalk()
	if u.prog.started() {
		u.began.Do(u.begin)
		u.prog.speak()
	}
	err := u.g.Wait()
	u.prog.finish()
	return err
}

// into adds the folders the early uploads created to the remote listing,
// so the plan sees the server as it now is (a folder move into one of them
// would collide), and counts as created the deepest ones, as the plan
// counts folders.
func (u *earlyUploads) into(remote []Entry) []Entry {
	var made []string
	for k, d := range u.made {
		if h := u.key(k); has(u.taken, h) && !has(u.files, h) {
			continue // listed already
		}
		made = append(made, d)
		remote = append(remote, Entry{Path: d, Dir: true})
	}
	u.x.c.foldersCreated.Add(int64(len(leaves(made))))
	u.taken, u.files, u.sums, u.made = nil, nil, nil, nil // the plan takes over
	return remote
}

// count adds the early uploads to the summary of the plan, which never
// saw them.
func (u *earlyUploads) count(s *Planned) {
	s.Uploads += u.sent
	s.UploadBytes += u.bytes
}
