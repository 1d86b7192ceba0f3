package syncer

import (
	"context"
	"encoding/hex"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// earlyUploads sends files on to the server while the rest of the tree is
// still being hashed, so a large backup starts uploading at once instead
// of after the last file is read. It takes only the files the plan would
// upload whatever else it finds: a new path (no remote item under that
// name, no remote file in place of one of its folders) whose content is
// nowhere on the remote (so it is neither unchanged nor the target of a
// move). Everything else waits for the plan. It only runs once the remote
// listing is complete, and it never moves or trashes anything.
type earlyUploads struct {
	x     *executor
	g     *errgroup.Group
	gctx  context.Context
	small chan *localFile // files under SmallFileSize, with their own limit
	large chan *localFile
	prog  *progress

	// pending are the remote files at the path of a local file being
	// hashed; they are not in taken.
	pending pendingRemote
	seed    maphash.Seed
	taken   []uint64    // sorted hashes of the fold keys of every remote item
	files   []uint64    // the same for remote files only
	sums    []sizeSum16 // sorted size and md5 of every remote file

	mu     sync.Mutex
	sent   []*localFile // confirmed by the server
	failed map[*localFile]bool
}

// sizeSum16 is a remote file's size and binary md5.
type sizeSum16 struct {
	size int64
	md5  [16]byte
}

func cmpSizeSum(a, b sizeSum16) int {
	if a.size != b.size {
		if a.size < b.size {
			return -1
		}
		return 1
	}
	return strings.Compare(string(a.md5[:]), string(b.md5[:]))
}

// newEarlyUploads prepares the lookups over the remote listing and starts
// the upload workers.
func newEarlyUploads(ctx context.Context, x *executor, remote []Entry, pending pendingRemote) *earlyUploads {
	u := &earlyUploads{x: x, seed: maphash.MakeSeed(), failed: map[*localFile]bool{}, pending: pending}
	u.taken = make([]uint64, 0, len(remote))
	for _, en := range remote {
		h := u.key(foldKey(en.Path))
		u.taken = append(u.taken, h)
		if en.Dir {
			continue
		}
		u.files = append(u.files, h)
		var s sizeSum16
		s.size = en.Size
		if n, err := hex.Decode(s.md5[:], []byte(en.MD5)); err == nil && n == 16 {
			u.sums = append(u.sums, s)
		}
	}
	slices.Sort(u.taken)
	slices.Sort(u.files)
	slices.SortFunc(u.sums, cmpSizeSum)
	// Upload progress stays quiet while the hashing progress is shown.
	u.prog = newQuietProgress(x.e, x.p.ID, StateUploading)
	u.g, u.gctx = errgroup.WithContext(ctx)
	u.small, u.large = make(chan *localFile), make(chan *localFile)
	for range max(x.e.opts.SmallTransfers, 1) {
		u.g.Go(func() error { return u.worker(u.small) })
	}
	for range max(x.e.opts.Transfers, 1) {
		u.g.Go(func() error { return u.worker(u.large) })
	}
	return u
}

func (u *earlyUploads) key(foldedPath string) uint64 {
	return maphash.String(u.seed, foldedPath)
}

func has(sorted []uint64, h uint64) bool {
	_, ok := slices.BinarySearch(sorted, h)
	return ok
}

// eligible reports whether the plan would upload f, whatever else the
// tree holds. A hash collision only makes a file wait for the plan.
func (u *earlyUploads) eligible(f *localFile) bool {
	if _, ok := u.pending[f]; ok {
		return false
	}
	k := foldKey(f.remote)
	if has(u.taken, u.key(k)) {
		return false
	}
	for d := parentOf(k); d != ""; d = parentOf(d) {
		if has(u.files, u.key(d)) {
			return false
		}
	}
	_, found := slices.BinarySearchFunc(u.sums, sizeSum16{f.size, f.md5}, cmpSizeSum)
	return !found
}

// offer queues f when it is eligible; it blocks while every worker is busy.
func (u *earlyUploads) offer(ctx context.Context, f *localFile) error {
	if !u.eligible(f) {
		return nil
	}
	jobs := u.large
	if f.size < SmallFileSize {
		jobs = u.small
	}
	select {
	case jobs <- f:
		return nil
	case <-u.gctx.Done():
		return context.Cause(u.gctx)
	case <-ctx.Done():
		return ctx.Err()
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

// one uploads f; the upload creates its missing folders.
func (u *earlyUploads) one(f *localFile) error {
	x := u.x
	prog := u.prog
	prog.addFile(f.size)
	prog.startFile(f.rel)
	err := x.upload(u.gctx, f, f.remote, prog)
	prog.fileFinished()
	if err != nil {
		u.fail(f)
		return x.remoteProblem(u.gctx, f.rel, "upload", err)
	}
	u.mu.Lock()
	u.sent = append(u.sent, f)
	u.mu.Unlock()
	return nil
}

func (u *earlyUploads) fail(f *localFile) {
	u.mu.Lock()
	u.failed[f] = true
	u.mu.Unlock()
}

// wait lets the queued uploads finish and returns the first error that
// ends the pass.
func (u *earlyUploads) wait() error {
	close(u.small)
	close(u.large)
	if u.prog.started() {
		u.x.e.emit(StateEvent{Pair: u.x.p.ID, State: StateUploading})
		u.prog.speak()
	}
	err := u.g.Wait()
	u.prog.finish()
	u.x.flush()
	return err
}

// into adds what the early uploads created to the remote listing, so the
// plan sees the server as it now is: the uploaded files as unchanged, their
// folders as existing (a folder move into one of them would collide). The
// new folders count as created, as the plan counts them: the deepest ones.
func (u *earlyUploads) into(remote []Entry) []Entry {
	dirs := map[string]bool{}
	var made []string
	for _, f := range u.sent {
		f.uploaded = true
		remote = append(remote, Entry{Path: f.remote, Size: f.size, MD5: hex.EncodeToString(f.md5[:])})
		for d := parentOf(f.remote); d != "" && !dirs[d]; d = parentOf(d) {
			dirs[d] = true
			if k := u.key(foldKey(d)); has(u.taken, k) && !has(u.files, k) {
				continue // listed already
			}
			made = append(made, d)
			remote = append(remote, Entry{Path: d, Dir: true})
		}
	}
	u.x.c.foldersCreated.Add(int64(len(leaves(made))))
	u.taken, u.files, u.sums, u.pending = nil, nil, nil, nil // the plan takes over
	return remote
}

// count moves the early uploads, which the plan saw as unchanged, back
// among the uploads of the summary.
func (u *earlyUploads) count(s *Planned) {
	for _, f := range u.sent {
		s.Unchanged--
		s.Uploads++
		s.UploadBytes += f.size
	}
}

// left drops from ups the files whose early upload failed: the failure is
// already reported, and the next pass tries again.
func (u *earlyUploads) left(ups []LocalFile, byLocal map[string]*localFile) []LocalFile {
	if len(u.failed) == 0 {
		return ups
	}
	out := make([]LocalFile, 0, len(ups))
	for _, lf := range ups {
		if f := byLocal[lf.Local]; f != nil && u.failed[f] {
			continue
		}
		out = append(out, lf)
	}
	return out
}
