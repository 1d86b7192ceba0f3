package restore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"jottacloudclient/syncer"
)

// TempDirName is the hidden folder below a restore's destination that holds
// partial downloads. A later restore into the same place resumes them; it is
// removed when a restore completes. The backup engine never uploads it.
const TempDirName = syncer.RestoreTempDirName

// Options tune a restore.
type Options struct {
	// Overwrite replaces local files that differ from the restored ones;
	// without it they are kept and reported.
	Overwrite bool
	// NoBackup replaces without keeping the old copy; by default a replaced
	// file is first renamed to "NAME (conflict DATE)".
	NoBackup bool
	// Transfers is how many files download at once (default 4).
	Transfers int
	// Progress, if set, is called as files and bytes complete.
	Progress func(Progress)
	Logger   *slog.Logger
	// Now stamps conflict copies (default time.Now).
	Now func() time.Time
}

// Progress is where a restore stands.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	Current               string // the file being written, relative
}

// Problem is one item that was not restored, in words for the user.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Rename is a name that had to change to be stored on this computer.
type Rename struct {
	Remote string `json:"remote"`
	Local  string `json:"local"`
}

// Result is what a restore did.
type Result struct {
	Restored  int       `json:"restored"`          // files written
	Present   int       `json:"already_present"`   // identical local files left alone
	Replaced  int       `json:"replaced"`          // of Restored, files that replaced a different local file
	Folders   int       `json:"folders"`           // folders created or already there
	Bytes     int64     `json:"bytes"`             // bytes downloaded by this run
	Resumed   int64     `json:"bytes_resumed"`     // bytes reused from an interrupted run
	Conflicts []string  `json:"conflict_copies"`   // old local copies kept, relative to the destination
	Renamed   []Rename  `json:"renamed,omitempty"` // names changed for this file system
	Problems  []Problem `json:"problems"`
}

// Failed reports whether anything was not restored.
func (r *Result) Failed() bool { return len(r.Problems) > 0 }

// Run restores the files and folders of s below dest (created if needed).
// Paths in s map to dest/<path>. It returns the result even when ctx is
// cancelled; the error is only for a destination that cannot be used or a
// cancellation.
func Run(ctx context.Context, c Client, s *Snapshot, dest string, opts Options) (*Result, error) {
	if opts.Transfers <= 0 {
		opts.Transfers = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dest, err)
	}
	r := &runner{c: c, s: s, dest: dest, opts: opts, tmp: filepath.Join(dest, TempDirName),
		res: &Result{Conflicts: []string{}, Problems: []Problem{}}}
	r.folders()
	r.files(ctx)
	r.finish(ctx)
	sort.Slice(r.res.Problems, func(i, j int) bool { return r.res.Problems[i].Path < r.res.Problems[j].Path })
	sort.Strings(r.res.Conflicts)
	sort.Slice(r.res.Renamed, func(i, j int) bool { return r.res.Renamed[i].Remote < r.res.Renamed[j].Remote })
	return r.res, ctx.Err()
}

type runner struct {
	c    Client
	s    *Snapshot
	dest string
	tmp  string
	opts Options

	mu       sync.Mutex
	res      *Result
	prog     Progress
	local    map[string]string // rel → local path, for folders and files
	nameErr  map[string]error  // files whose name cannot be used here
	badDirs  map[string]bool   // folders that could not be created
	mtimes   map[string]time.Time
	keepTemp bool // a part file was kept for a later resume
}

func (r *runner) problem(rel, format string, args ...any) {
	r.mu.Lock()
	r.res.Problems = append(r.res.Problems, Problem{Path: rel, Reason: fmt.Sprintf(format, args...)})
	r.mu.Unlock()
}

// localPath maps rel to a path below dest, recording renamed names.
func (r *runner) localPath(rel string) (string, error) {
	parent, name := path.Split(rel)
	parent = strings.TrimSuffix(parent, "/")
	base := r.dest
	if parent != "" {
		if r.badDirs[parent] {
			return "", errParentMissing
		}
		p, ok := r.local[parent]
		if !ok {
			var err error
			if p, err = r.localPath(parent); err != nil {
				return "", err
			}
		}
		base = p
	}
	ln, mapped, err := LocalName(name)
	if err != nil {
		return "", err
	}
	if mapped {
		r.mu.Lock()
		r.res.Renamed = append(r.res.Renamed, Rename{Remote: rel, Local: path.Join(path.Dir(rel), ln)})
		r.mu.Unlock()
	}
	p := filepath.Join(base, ln)
	r.local[rel] = p
	return p, nil
}

var errParentMissing = errors.New("its folder could not be created")

// folders creates the snapshot's folders, parents first.
func (r *runner) folders() {
	r.local = map[string]string{}
	r.badDirs = map[string]bool{}
	r.mtimes = map[string]time.Time{}
	for _, rel := range r.s.Folders {
		p, err := r.localPath(rel)
		if err == nil {
			err = os.MkdirAll(p, 0o755)
		}
		if err != nil {
			r.badDirs[rel] = true
			r.problem(rel, "the folder could not be created: %s", reason(err))
			continue
		}
		r.res.Folders++
	}
	// Map every file's name now, single-threaded; the workers only read.
	r.nameErr = map[string]error{}
	for _, f := range r.s.Files {
		if _, err := r.localPath(f.Rel); err != nil {
			r.nameErr[f.Rel] = err
		}
	}
}

// files restores every file with bounded concurrency.
func (r *runner) files(ctx context.Context) {
	r.prog.FilesTotal = len(r.s.Files)
	for _, f := range r.s.Files {
		r.prog.BytesTotal += f.Size
	}
	r.report("")
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Transfers)
	for _, f := range r.s.Files {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r.file(gctx, f)
			return nil
		})
	}
	_ = g.Wait()
}

func (r *runner) report(current string) {
	if r.opts.Progress == nil {
		return
	}
	p := r.prog
	p.Current = current
	r.opts.Progress(p)
}

// addBytes counts n restored bytes (downloaded or reused).
func (r *runner) addBytes(n int64, current string) {
	r.mu.Lock()
	r.prog.BytesDone += n
	r.report(current)
	r.mu.Unlock()
}

func (r *runner) fileDone(f File, local string) {
	r.mu.Lock()
	r.prog.FilesDone++
	if local != "" {
		r.mtimes[local] = f.Modified
	}
	r.report("")
	r.mu.Unlock()
}

// file restores one file and records the outcome.
func (r *runner) file(ctx context.Context, f File) {
	local, ok := r.local[f.Rel]
	if err := r.nameErr[f.Rel]; err != nil || !ok {
		r.problem(f.Rel, "%s", reason(err))
		r.addBytes(f.Size, "")
		r.fileDone(f, "")
		return
	}
	out, err := r.restoreFile(ctx, f, local)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		r.opts.Logger.Debug("restore failed", "path", f.Rel, "err", err)
		r.problem(f.Rel, "%s", reason(err))
		r.fileDone(f, "")
		return
	}
	r.mu.Lock()
	switch out {
	case outPresent:
		r.res.Present++
	case outReplaced:
		r.res.Replaced++
		r.res.Restored++
	default:
		r.res.Restored++
	}
	r.mu.Unlock()
	r.fileDone(f, local)
}

// finish sets folder times, removes the temporary folder and reports.
func (r *runner) finish(ctx context.Context) {
	if ctx.Err() == nil {
		r.folderTimes()
	}
	r.mu.Lock()
	keep := r.keepTemp || ctx.Err() != nil
	r.mu.Unlock()
	if !keep {
		if err := os.RemoveAll(r.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.opts.Logger.Warn("remove restore temporary folder", "path", r.tmp, "err", err)
		}
	}
}

// folderTimes gives each restored folder the newest modification time of
// what it holds (the service stores no folder times), deepest first.
func (r *runner) folderTimes() {
	newest := map[string]time.Time{}
	bump := func(dir string, t time.Time) {
		if t.After(newest[dir]) {
			newest[dir] = t
		}
	}
	for lp, t := range r.mtimes {
		bump(filepath.Dir(lp), t)
	}
	dirs := append([]string(nil), r.s.Folders...)
	sort.SliceStable(dirs, func(i, j int) bool { return strings.Count(dirs[i], "/") > strings.Count(dirs[j], "/") })
	for _, rel := range dirs {
		p, ok := r.local[rel]
		if r.badDirs[rel] || !ok {
			continue
		}
		t := newest[p]
		if t.IsZero() {
			continue
		}
		if err := os.Chtimes(p, t, t); err != nil {
			r.opts.Logger.Debug("set folder time", "path", p, "err", err)
			continue
		}
		bump(filepath.Dir(p), t)
	}
}
