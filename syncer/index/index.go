package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked means another process (or another Open in this one) holds the
// index.
var ErrLocked = errors.New("index is in use by another process")

// ErrClosed is returned by calls on a closed Index.
var ErrClosed = errors.New("index is closed")

const lockWait = 2 * time.Second

// Index is one pair's index, held open with an exclusive lock. Its methods
// are safe for concurrent use.
type Index struct {
	path string
	lock *flock.Flock

	mu     sync.Mutex
	man    manifest
	refs   map[uint64]int // open readers per generation
	writer *Writer
	closed bool
}

// Open opens or creates the index at path (its directory is created 0700,
// files 0600). A previous-format (bbolt) index at path is migrated; a
// generation left half-written by a process that died is recovered. Another
// holder gives ErrLocked after about two seconds; a damaged index gives an
// error wrapping ErrDamaged.
func Open(path string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("index: create directory: %w", err)
	}
	fl := flock.New(path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	ok, err := fl.TryLockContext(ctx, 50*time.Millisecond)
	cancel()
	if !ok {
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			err = ErrLocked
		}
		return nil, fmt.Errorf("index: open %s: %w", path, err)
	}
	ix := &Index{path: path, lock: fl, refs: map[uint64]int{}}
	if err := ix.load(); err != nil {
		_ = fl.Unlock()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) genPath(g uint64) string { return ix.path + ".g" + strconv.FormatUint(g, 10) }
func (ix *Index) newPath() string         { return ix.path + ".new" }
func (ix *Index) tmpPath() string         { return ix.path + ".tmp" }
func (ix *Index) manTmpPath() string      { return ix.path + ".mtmp" }

// load reads (or migrates) the manifest, removes what no generation needs
// and recovers a leftover stream.
func (ix *Index) load() error {
	for _, p := range []string{ix.tmpPath(), ix.manTmpPath()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index: %w", err)
		}
	}
	man, err := readManifest(ix.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		man = manifest{meta: map[string][]byte{}}
	case errors.Is(err, errNotManifest):
		man, err = ix.migrate()
		if err != nil {
			return err
		}
	case errors.Is(err, ErrDamaged):
		return err
	case err != nil:
		return fmt.Errorf("index: open %s: %w", ix.path, err)
	}
	ix.man = man
	if err := ix.removeStale(); err != nil {
		return err
	}
	if _, err := os.Stat(ix.newPath()); err == nil {
		if err := ix.recover(); err != nil {
			return err
		}
	}
	return ix.check()
}

// check verifies the current generation's footer against the manifest.
func (ix *Index) check() error {
	if ix.man.gen == 0 {
		if ix.man.count != 0 {
			return fmt.Errorf("index: %s: records without a generation: %w", ix.path, ErrDamaged)
		}
		return nil
	}
	f, err := os.Open(ix.genPath(ix.man.gen))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index: %s: current generation missing: %w", ix.path, ErrDamaged)
		}
		return fmt.Errorf("index: %w", err)
	}
	defer f.Close()
	ft, err := readFooter(f)
	if err != nil {
		return err
	}
	if ft.count != ix.man.count {
		return fmt.Errorf("index: %s: record count differs from the manifest: %w", ix.path, ErrDamaged)
	}
	return nil
}

// removeStale deletes generation files other than the current one.
func (ix *Index) removeStale() error {
	dir, base := filepath.Split(ix.path)
	entries, err := os.ReadDir(filepath.Clean(dir))
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	for _, e := range entries {
		g, ok := strings.CutPrefix(e.Name(), base+".g")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(g, 10, 64)
		if err != nil || n == ix.man.gen {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index: %w", err)
		}
	}
	return nil
}

// Remove deletes the index at path and its side files (not the lock file,
// which another process may hold). The caller must not have it open.
func Remove(path string) error {
	ix := &Index{path: path}
	ix.man.gen = ^uint64(0)
	if err := ix.removeStale(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, p := range []string{path, ix.newPath(), ix.tmpPath(), ix.manTmpPath()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("index: %w", err)
		}
	}
	return nil
}

// Close drops a Writer still open (as Abort) and releases the lock.
// Cursors already open keep reading their generation.
func (ix *Index) Close() error {
	ix.mu.Lock()
	w := ix.writer
	ix.mu.Unlock()
	var err error
	if w != nil {
		err = w.Abort()
	}
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return err
	}
	ix.closed = true
	ix.mu.Unlock()
	return errors.Join(err, ix.lock.Unlock())
}

// Len is the number of records.
func (ix *Index) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.man.count
}

// Meta returns a stored value, or nil when unset.
func (ix *Index) Meta(key string) ([]byte, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil, ErrClosed
	}
	v, ok := ix.man.meta[key]
	if !ok {
		return nil, nil
	}
	return append([]byte{}, v...), nil
}

// SetMeta stores a small value durably before it returns; nil deletes the
// key. Meta values live in the manifest, which is rewritten whole: keep them
// few and small (some KiB).
func (ix *Index) SetMeta(key string, value []byte) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	m := ix.man.clone()
	if value == nil {
		delete(m.meta, key)
	} else {
		m.meta[key] = append([]byte{}, value...)
	}
	if err := writeFileSync(ix.path, ix.manTmpPath(), m.encode()); err != nil {
		return fmt.Errorf("index: store meta: %w", err)
	}
	ix.man = m
	return nil
}

// acquire pins the current generation for a reader.
func (ix *Index) acquire() (uint64, int, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return 0, 0, ErrClosed
	}
	ix.refs[ix.man.gen]++
	return ix.man.gen, ix.man.count, nil
}

func (ix *Index) pin(g uint64) {
	ix.mu.Lock()
	ix.refs[g]++
	ix.mu.Unlock()
}

func (ix *Index) release(g uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.refs[g]--; ix.refs[g] <= 0 {
		delete(ix.refs, g)
	}
	ix.dropUnused(g)
}

// dropUnused deletes generation g once it is neither current nor read.
// After Close the files are another process's to manage.
func (ix *Index) dropUnused(g uint64) {
	if !ix.closed && g != 0 && g != ix.man.gen && ix.refs[g] == 0 {
		_ = os.Remove(ix.genPath(g))
	}
}

// install makes the complete generation file src current: rename, drop
// the stream file, then switch the manifest. The stream file goes first so
// that a crash can never recover an old stream over a newer generation.
func (ix *Index) install(src string, count int) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	next := ix.man.gen + 1
	if err := os.Rename(src, ix.genPath(next)); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := os.Remove(ix.newPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("index: %w", err)
	}
	if err := syncDir(filepath.Dir(ix.path)); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	m := ix.man.clone()
	m.gen, m.count = next, count
	if err := writeFileSync(ix.path, ix.manTmpPath(), m.encode()); err != nil {
		return fmt.Errorf("index: switch generation: %w", err)
	}
	old := ix.man.gen
	ix.man = m
	ix.dropUnused(old)
	return nil
}
