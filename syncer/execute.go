package syncer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"jottacloudclient/syncer/index"
)

// executor carries out a plan against the remote and records confirmed
// uploads in the index generation the pass writes.
type executor struct {
	e       *Engine
	p       Pair
	w       *index.Writer // nil on a dry run
	c       *counters
	problem func(Problem)
	files   map[string]*localFile // by local relative path

	failures atomic.Int64

	mu       sync.Mutex
	madeDirs map[string]bool // folded folders that confirmed uploads created
	marked   atomic.Bool     // a confirmation was recorded
}

func (x *executor) remotePath(rel string) string { return joinRemote(x.p.Remote, rel) }

// remoteProblem turns a per-item remote failure into a problem, or returns
// the error when the pass itself cannot go on.
func (x *executor) remoteProblem(ctx context.Context, path, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Account-wide states (full, signed out, unreachable after the
	// client's own retries) end the pass at once: they are the pass's
	// error, shown once for the account, not a problem of each file.
	if errors.Is(err, ErrQuota) || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("stopping this pass: %w", err)
	}
	reason := what + ": " + err.Error()
	if errors.Is(err, ErrNameRejected) {
		reason = what + ": the server rejected the name"
	}
	x.problem(Problem{Path: path, Reason: reason, Err: err})
	if perItem(err) {
		return nil
	}
	if n := x.failures.Add(1); n >= maxConsecutiveFailures {
		return fmt.Errorf("the server failed %d requests in a row; stopping this pass: %w: %w", n, ErrUnavailable, err)
	}
	return nil
}

// maxConsecutiveFailures ends a pass whose remote keeps failing (offline,
// signed out) instead of reporting every remaining file.
const maxConsecutiveFailures = 10

// perItem tells errors about one item (which say nothing about the
// server's health) from the others.
func perItem(err error) bool {
	return errors.Is(err, ErrNameRejected) || errors.Is(err, ErrNotExist) || errors.Is(err, ErrExist) ||
		errors.Is(err, errChangedWhileReading) || errors.Is(err, errMismatch) || isLocal(err)
}

// succeeded resets the run of remote failures.
func (x *executor) succeeded() { x.failures.Store(0) }

func (x *executor) run(ctx context.Context, pl *Plan) error {
	// Remote items in the way of a local item of the other kind go first.
	if err := x.trash(ctx, pl.Trash, true); err != nil {
		return err
	}
	// Folders outside every folder-move destination come first (a move
	// may need its parent), then the folder moves, then the folders that
	// live inside a moved folder.
	// Folders that receive an upload are made by the upload itself (the
	// server's allocate creates missing parents): no request of their own.
	var early, late, byUpload []string
	withUploads := foldersWithUploads(pl.Uploads)
	for _, d := range pl.Mkdirs {
		switch {
		case underFolderMove(pl.Moves, d):
			late = append(late, d)
		case withUploads[foldKey(d)]:
			byUpload = append(byUpload, d)
		default:
			early = append(early, d)
		}
	}
	if err := x.mkdirs(ctx, early); err != nil {
		return err
	}
	for _, m := range pl.Moves {
		if !m.Dir {
			continue
		}
		if err := x.move(ctx, m); err != nil {
			if err := x.remoteProblem(ctx, m.To, "move folder from "+m.From, err); err != nil {
				return err
			}
			continue
		}
		x.succeeded()
		if m.Rename {
			continue
		}
		x.c.foldersMoved.Add(1)
		x.c.filesMoved.Add(int64(m.Files))
		x.confirmBelow(m.To)
	}
	if err := x.mkdirs(ctx, late); err != nil {
		return err
	}
	for _, m := range pl.Moves {
		if m.Dir {
			continue
		}
		f := x.files[m.Local]
		if err := x.move(ctx, m); err != nil {
			if err := x.remoteProblem(ctx, m.Local, "move from "+m.From, err); err != nil {
				return err
			}
			// Fall back to an upload; the server may deduplicate it.
			if f != nil {
				pl.Uploads = append(pl.Uploads, LocalFile{Path: m.To, Local: m.Local, Size: m.Bytes, MD5: m.MD5})
			}
			continue
		}
		x.succeeded()
		x.c.filesMoved.Add(1)
		if f != nil {
			x.markUploaded(f)
		}
	}
	if err := x.uploads(ctx, pl.Uploads); err != nil {
		return err
	}
	if err := x.foldersMadeByUploads(ctx, byUpload); err != nil {
		return err
	}
	for _, f := range pl.Confirms {
		if lf := x.files[f.Local]; lf != nil {
			x.markUploaded(lf)
		}
	}
	return x.trash(ctx, pl.Trash, false)
}

// trash moves the plan's trash items with the given Replace flag to the
// trash.
func (x *executor) trash(ctx context.Context, items []Trash, replace bool) error {
	for _, t := range items {
		if t.Replace != replace {
			continue
		}
		path := x.remotePath(t.Path)
		if replace {
			// The service may keep a trashed item in place, in the way of
			// the new one: give it a name of its own first.
			to := x.remotePath(passingName(t.Path, "replaced", time.Now()))
			if err := x.e.remote.MoveAside(ctx, path, to, t.Dir); err != nil {
				if err := x.remoteProblem(ctx, t.Path, "make room for the new item", err); err != nil {
					return err
				}
				continue
			}
			path = to
		}
		if err := x.e.remote.Trash(ctx, path, t.Dir); err != nil {
			if err := x.remoteProblem(ctx, t.Path, "move to trash", err); err != nil {
				return err
			}
			continue
		}
		x.succeeded()
		if t.Dir {
			x.c.foldersTrashed.Add(1)
			x.c.filesTrashed.Add(int64(t.Files))
		} else {
			x.c.filesTrashed.Add(1)
		}
	}
	return nil
}

// move carries out one planned move; a case rename must leave nothing at
// the old path (see Remote.MoveAside).
func (x *executor) move(ctx context.Context, m Move) error {
	if m.Rename {
		return x.e.remote.MoveAside(ctx, x.remotePath(m.From), x.remotePath(m.To), m.Dir)
	}
	return x.e.remote.Move(ctx, x.remotePath(m.From), x.remotePath(m.To), m.Dir)
}

func underFolderMove(moves []Move, dir string) bool {
	k := foldKey(dir)
	for _, m := range moves {
		if m.Dir && strings.HasPrefix(k+"/", foldKey(m.To)+"/") {
			return true
		}
	}
	return false
}

func (x *executor) mkdirs(ctx context.Context, dirs []string) error {
	for _, d := range dirs {
		if _, err := x.e.remote.EnsureFolder(ctx, x.remotePath(d)); err != nil {
			if err := x.remoteProblem(ctx, d, "create folder", err); err != nil {
				return err
			}
			continue
		}
		x.succeeded()
		x.c.foldersCreated.Add(1)
	}
	return nil
}

// foldersWithUploads returns the folded keys of every folder that holds a
// planned upload, at any depth.
func foldersWithUploads(ups []LocalFile) map[string]bool {
	dirs := map[string]bool{}
	for _, u := range ups {
		for d := parentDir(foldKey(u.Path)); d != "" && !dirs[d]; d = parentDir(d) {
			dirs[d] = true
		}
	}
	return dirs
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// uploadedBelow notes that the folders holding path exist on the server.
func (x *executor) uploadedBelow(path string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.madeDirs == nil {
		x.madeDirs = map[string]bool{}
	}
	for d := parentDir(foldKey(path)); d != "" && !x.madeDirs[d]; d = parentDir(d) {
		x.madeDirs[d] = true
	}
}

// foldersMadeByUploads counts the planned folders an upload created, and
// creates the ones whose uploads all failed, so the folder is there even
// when its files are not.
func (x *executor) foldersMadeByUploads(ctx context.Context, dirs []string) error {
	var missing []string
	x.mu.Lock()
	for _, d := range dirs {
		if x.madeDirs[foldKey(d)] {
			x.c.foldersCreated.Add(1)
		} else {
			missing = append(missing, d)
		}
	}
	x.mu.Unlock()
	return x.mkdirs(ctx, missing)
}

// confirmBelow records the files a folder move carried to dir as uploaded.
func (x *executor) confirmBelow(dir string) {
	prefix := foldKey(dir) + "/"
	for _, f := range x.files {
		if f.hashed && strings.HasPrefix(foldKey(f.remote), prefix) {
			x.markUploaded(f)
		}
	}
}

// markUploaded records that the server confirmed f's md5 and size. A
// confirmation lost in a crash costs the next pass nothing but a
// comparison: the listing then shows the file as unchanged.
func (x *executor) markUploaded(f *localFile) {
	if x.w != nil && f.hashed {
		x.w.SetUploaded(f.ref)
		x.marked.Store(true)
	}
}

// SmallFileSize is the size below which a file counts as small for
// Options.SmallTransfers.
const SmallFileSize = 256 << 10

func (x *executor) uploads(ctx context.Context, ups []LocalFile) error {
	if len(ups) == 0 {
		return nil
	}
	var total int64
	var small, large []LocalFile
	for _, u := range ups {
		total += u.Size
		if u.Size < SmallFileSize {
			small = append(small, u)
		} else {
			large = append(large, u)
		}
	}
	x.e.emit(StateEvent{Pair: x.p.ID, State: StateUploading})
	prog := newProgress(x.e, x.p.ID, StateUploading, len(ups), total)
	defer prog.finish()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return x.uploadSet(gctx, small, x.e.opts.SmallTransfers, prog) })
	g.Go(func() error { return x.uploadSet(gctx, large, x.e.opts.Transfers, prog) })
	return g.Wait()
}

// uploadSet uploads ups with at most limit at a time.
func (x *executor) uploadSet(ctx context.Context, ups []LocalFile, limit int, prog *progress) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, u := range ups {
		f := x.files[u.Local]
		if f == nil {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			prog.startFile(f.rel)
			err := x.upload(gctx, f, u.Path, prog)
			prog.fileFinished()
			if err != nil {
				return x.remoteProblem(gctx, f.rel, "upload", err)
			}
			x.uploadedBelow(u.Path)
			return nil
		})
	}
	return g.Wait()
}

// upload sends one file and records it once the server confirmed its md5.
func (x *executor) upload(ctx context.Context, f *localFile, rel string, prog *progress) error {
	abs := f.path(x.p.Local)
	fh, err := x.e.openFile(abs)
	if err != nil {
		return localError{fmt.Errorf("open: %w", err)}
	}
	defer fh.Close()
	if changed(abs, f) {
		return errChangedWhileReading
	}
	want := hex.EncodeToString(f.md5[:])
	mod := time.Unix(0, f.mtime)
	src := &meteredReader{r: fh, ctx: ctx, prog: prog}
	if x.e.limiter != nil {
		src.limiter = x.e.limiter
	}
	res, err := x.e.remote.Upload(ctx, x.remotePath(rel), src, FileMeta{Size: f.size, MD5: want, Created: mod, Modified: mod})
	// Bytes of a broken-off upload reached the server too (it keeps them
	// for a resume): they count, also when the pass is interrupted.
	x.c.bytesUploaded.Add(res.BytesSent)
	if err != nil {
		if src.readErr != nil {
			return localError{fmt.Errorf("read: %w", src.readErr)}
		}
		return err
	}
	if res.Deduplicated {
		x.c.filesDedup.Add(1)
	} else {
		x.c.filesUploaded.Add(1)
	}
	x.succeeded()
	if !strings.EqualFold(res.MD5, want) || res.Size != f.size {
		return fmt.Errorf("server stored md5 %s and %d bytes, expected %s and %d; will retry on the next pass: %w", res.MD5, res.Size, want, f.size, errMismatch)
	}
	if changed(abs, f) {
		return errChangedWhileReading
	}
	x.markUploaded(f)
	return nil
}

var errMismatch = errors.New("server confirmed other content")

// localError marks a failure on the local side (opening or reading a file).
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

func isLocal(err error) bool {
	var le localError
	return errors.As(err, &le)
}

func (m *meteredReader) noteErr(err error) {
	if err != nil && err != io.EOF && m.readErr == nil {
		m.readErr = err
	}
}

// meteredReader counts and, with a limiter, paces the bytes read for an
// upload.
type meteredReader struct {
	r       io.ReaderAt
	ctx     context.Context
	limiter interface {
		WaitN(ctx context.Context, n int) error
		Burst() int
	}
	prog    *progress
	readErr error // a local read failure (io.EOF excluded)
}

func (m *meteredReader) ReadAt(p []byte, off int64) (int, error) {
	if m.limiter == nil {
		n, err := m.r.ReadAt(p, off)
		m.prog.addBytes(int64(n))
		m.noteErr(err)
		return n, err
	}
	total := 0
	for len(p) > 0 {
		chunk := min(len(p), m.limiter.Burst())
		if err := m.limiter.WaitN(m.ctx, chunk); err != nil {
			return total, err
		}
		n, err := m.r.ReadAt(p[:chunk], off)
		total += n
		off += int64(n)
		p = p[n:]
		m.prog.addBytes(int64(n))
		if err != nil {
			m.noteErr(err)
			return total, err
		}
	}
	return total, nil
}
