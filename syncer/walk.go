package syncer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"jottacloudclient/internal/names"
	"jottacloudclient/syncer/index"
)

// localFile is one regular file found by the walk.
type localFile struct {
	rel    string // local relative path, byte-exact, '/'-separated
	remote string // remote relative path (NFC); shares rel's bytes when equal
	size   int64
	mtime  int64
	inode  uint64
	ctime  int64
	md5    [16]byte
	hashed bool // md5 is valid for this stat
	// uploaded: the index says the server confirmed md5 and size.
	uploaded bool
	// ref is the file's record in the index generation this pass writes.
	ref index.Ref
}

// path returns the file's local path below root (the pair's local folder);
// it is not stored, to keep the walk small.
func (f *localFile) path(root string) string {
	return filepath.Join(root, filepath.FromSlash(f.rel))
}

func (f *localFile) md5Hex() string {
	if !f.hashed {
		return ""
	}
	return hex.EncodeToString(f.md5[:])
}

// walkResult is the local side of a pass, without its files: the walk
// hands each file on as it finds it.
type walkResult struct {
	dirs      []string // remote relative paths of directories backed up
	localDirs []string // absolute local paths of those directories
	protected []string // remote relative paths present locally but left out
	problems  []Problem
	skipped   []Skipped
	rootItems int // entries directly in the root (before filtering)
	files     int // regular files found
	rootDev   uint64
	rootIno   uint64
}

// rootStillThere reports whether the pair's folder is still the one the
// walk started in. A walk that streams alongside hashing and uploads
// takes a while; a folder moved away or a drive unplugged meanwhile makes
// the rest of the tree look deleted.
func (w *walkResult) rootStillThere(local string) bool {
	fi, err := os.Stat(local)
	if err != nil || !fi.IsDir() {
		return false
	}
	ino, _, dev := fileIdentity(fi)
	return ino == w.rootIno && dev == w.rootDev
}

type walker struct {
	ctx      context.Context
	pair     Pair
	root     string // resolved root (symlinks evaluated) for containment checks
	patterns []gitignore.Pattern
	visit    func(localFile) error
	visited  map[[2]uint64]bool
	res      *walkResult
	comps    []string
}

// walk scans the pair's local tree and calls visit for each regular file,
// in index.ComparePaths order of the local relative paths: directory by
// directory, entries sorted by name, a folder's contents right after it.
// An error from visit ends the walk.
func walk(ctx context.Context, p Pair, global []string, visit func(localFile) error) (*walkResult, error) {
	fi, err := localRoot(p)
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(p.Local)
	if err != nil {
		return nil, rootError(p.Local, err)
	}
	w := &walker{
		ctx:   ctx,
		pair:  p,
		root:  root,
		visit: visit,
		res:   &walkResult{},
	}
	w.patterns = append(parsePatterns(global, nil), parsePatterns(p.Excludes, nil)...)
	ino, _, dev := fileIdentity(fi)
	w.res.rootDev, w.res.rootIno = dev, ino
	if p.FollowSymlinks {
		w.visited = map[[2]uint64]bool{{dev, ino}: true}
	}
	if err := w.dir(p.Local, "", "", true); err != nil {
		return nil, err
	}
	return w.res, nil
}

// localRoot checks that the pair's local folder is there: a missing one
// (a drive not mounted) is ErrSourceMissing.
func localRoot(p Pair) (fs.FileInfo, error) {
	fi, err := os.Stat(p.Local)
	if err != nil {
		return nil, rootError(p.Local, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("local folder %s is not a directory: %w", p.Local, ErrSourceMissing)
	}
	return fi, nil
}

// rootError describes a failure to read the pair's folder itself. A
// folder that vanished (renamed, or its drive unplugged while the pass
// started) is ErrSourceMissing, however far the pass got.
func rootError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("local folder %s is missing (is the drive mounted?): %w", path, ErrSourceMissing)
	}
	return fmt.Errorf("local folder %s: %w", path, err)
}

func (w *walker) problem(rel, reason string) {
	w.res.problems = append(w.res.problems, Problem{Path: rel, Reason: reason})
}

// unreadable reports an item the walk could not read.
func (w *walker) unreadable(rel, reason string, err error) {
	w.res.problems = append(w.res.problems, Problem{Path: rel, Reason: reason + errReason(err), Unreadable: true, Err: err})
}

func (w *walker) protect(remote string) {
	w.res.protected = append(w.res.protected, remote)
}

// skip leaves an item out by design: it is listed, and its remote copy
// (if any) is kept.
func (w *walker) skip(rel, remote string, why SkipReason, kind string) {
	w.res.skipped = append(w.res.skipped, Skipped{Path: rel, Reason: why, Kind: kind})
	w.protect(remote)
}

// dir walks one directory. rel and remote are its relative paths ("" for
// the root).
func (w *walker) dir(abs, rel, remote string, isRoot bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(abs)
	if err != nil && len(entries) == 0 {
		if isRoot {
			return rootError(abs, err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			// Deleted or moved since its parent was read: nothing to
			// report, and its remote copy waits for the next pass.
			w.protect(remote)
			return nil
		}
		w.unreadable(rel, "cannot read folder: ", err)
		w.protect(remote)
		return nil
	}
	if err != nil {
		w.unreadable(rel, "folder only partly readable: ", err)
	}
	if isRoot {
		w.res.rootItems = len(entries)
	}
	npat := len(w.patterns)
	for _, e := range entries {
		if e.Name() == IgnoreFileName && e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(abs, IgnoreFileName))
			if err != nil {
				w.unreadable(joinRel(rel, IgnoreFileName), "cannot read exclude file: ", err)
			} else {
				w.patterns = append(w.patterns, parsePatterns(splitLines(b), w.comps)...)
			}
			break
		}
	}
	defer func() { w.patterns = w.patterns[:npat] }()

	// Server-side names, to find twins the server cannot tell apart.
	var taken map[string]string
	for _, e := range entries {
		name := e.Name()
		childRel := joinRel(rel, name)
		rname, err := names.ToRemote(name)
		if err != nil {
			w.problem(childRel, "not backed up: "+names.Problem(name))
			continue
		}
		childRemote := childRel // most names need no change: share the string
		if rname != name || remote != rel {
			childRemote = joinRel(remote, rname)
		}
		typ := e.Type()
		isDir := typ.IsDir()
		if name == RestoreTempDirName {
			w.protect(childRemote)
			continue
		}
		if w.pair.SkipHidden && (strings.HasPrefix(name, ".") || hiddenAttr(e)) {
			w.skip(childRel, childRemote, SkipHidden, "")
			continue
		}
		if len(w.patterns) > 0 {
			path := append(w.comps, name)
			if excluded(w.patterns, path, isDir) {
				w.skip(childRel, childRemote, SkipExcluded, "")
				continue
			}
		}
		if taken == nil {
			taken = make(map[string]string, len(entries))
		}
		key := foldKey(rname)
		if first, dup := taken[key]; dup {
			w.problem(childRel, fmt.Sprintf("not backed up: JottaCloud cannot store both %q and %q in one folder (their names differ only in upper and lower case); rename one", first, name))
			continue
		}
		taken[key] = name
		childAbs := filepath.Join(abs, name)

		var fi fs.FileInfo
		if typ&fs.ModeSymlink != 0 {
			if !w.pair.FollowSymlinks {
				w.skip(childRel, childRemote, SkipSymlink, "")
				continue
			}
			target, ok := w.followable(childAbs, childRel, childRemote)
			if !ok {
				continue
			}
			fi = target
			isDir = fi.IsDir()
		} else if isDir {
			if w.visited != nil {
				st, err := os.Lstat(childAbs)
				if err == nil {
					ino, _, dev := fileIdentity(st)
					w.visited[[2]uint64{dev, ino}] = true
				}
			}
		} else if typ.IsRegular() {
			fi, err = e.Info()
			if err != nil {
				if os.IsNotExist(err) {
					// Vanished since the folder was read: its remote copy
					// waits for the next pass.
					w.protect(childRemote)
					continue
				}
				w.unreadable(childRel, "cannot stat: ", err)
				w.protect(childRemote)
				continue
			}
		} else {
			w.skip(childRel, childRemote, SkipSpecial, kindName(typ))
			continue
		}

		if isDir {
			w.res.dirs = append(w.res.dirs, childRemote)
			w.res.localDirs = append(w.res.localDirs, childAbs)
			w.comps = append(w.comps, name)
			err := w.dir(childAbs, childRel, childRemote, false)
			w.comps = w.comps[:len(w.comps)-1]
			if err != nil {
				return err
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			w.skip(childRel, childRemote, SkipSpecial, kindName(fi.Mode().Type()))
			continue
		}
		if err := w.file(childRel, childRemote, fi); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) file(rel, remote string, fi fs.FileInfo) error {
	inode, ctime, _ := fileIdentity(fi)
	w.res.files++
	return w.visit(localFile{
		rel:    rel,
		remote: remote,
		size:   fi.Size(),
		mtime:  fi.ModTime().UnixNano(),
		inode:  inode,
		ctime:  ctime,
	})
}

// followable resolves a symbolic link for FollowSymlinks: only targets inside
// the pair, and each directory only once (loop-safe). Links it does not
// follow are skipped, and their remote copies kept.
func (w *walker) followable(abs, rel, remote string) (fs.FileInfo, bool) {
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		w.skip(rel, remote, SkipSymlinkBroken, "")
		return nil, false
	}
	if target != w.root && !strings.HasPrefix(target, w.root+string(filepath.Separator)) {
		w.skip(rel, remote, SkipSymlinkOutside, "")
		return nil, false
	}
	fi, err := os.Stat(target)
	if err != nil {
		w.unreadable(rel, "cannot stat link target: ", err)
		w.protect(remote)
		return nil, false
	}
	if fi.IsDir() {
		ino, _, dev := fileIdentity(fi)
		key := [2]uint64{dev, ino}
		if w.visited[key] {
			w.skip(rel, remote, SkipSymlinkRepeat, "")
			return nil, false
		}
		w.visited[key] = true
	}
	return fi, true
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func kindName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeIrregular != 0:
		return "irregular file"
	}
	return "special file"
}

// errReason shortens an error for a problem line: the path is already known.
func errReason(err error) string {
	var pe *fs.PathError
	if ok := asPathError(err, &pe); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
