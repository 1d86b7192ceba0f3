package spool

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
)

// DefaultMemLimit is the memory limit New uses when given zero or less.
const DefaultMemLimit = 32 << 20

const (
	maxMemLimit = 1 << 30 // keeps buffer offsets in uint32 with room for one large record
	indexEntry  = 4       // bytes per record in the buffer's index
	defaultFan  = 64      // runs merged at once
)

var (
	errSorted    = errors.New("spool: records added after Sort")
	errSortTwice = errors.New("spool: Sort called twice")
	errNotSorted = errors.New("spool: Iterate called before Sort")
	errClosed    = errors.New("spool: sorter closed")
	errTooLarge  = errors.New("spool: record larger than 4 GiB")
)

// Sorter collects key/value records in any order and gives them back sorted
// by key (cmp), holding at most about memLimit bytes of records in memory:
// when the buffer is full it is sorted and written as a run to a temporary
// file in dir; reading merges the runs (a heap over run readers, buffered
// sequential reads, bounded buffers per run, at most 64 runs at once: more
// are first merged into bigger runs). Records with equal keys keep their
// insertion order (stable). Nothing is written to disk when everything fits
// in memory.
//
// A Sorter is used by one goroutine; after Sort, iterators it returns may
// each be used by a goroutine of their own, but not while the Sorter closes.
type Sorter struct {
	dir      string
	memLimit int
	cmp      func(a, b []byte) int
	fanIn    int

	buf []byte   // packed records (see appendRecord)
	idx []uint32 // offset in buf of each record: insertion order, then key order
	n   int
	// runs are the run files in insertion order; after Sort, chains groups
	// them (and the memory run, last) for the merge.
	runs   []*run
	chains [][]*run
	err    error // a failed write or merge: the Sorter is unusable
	sorted bool
	closed bool

	mu    sync.Mutex
	iters map[*Iterator]struct{}
}

// New returns a Sorter that keeps about memLimit bytes of records in memory
// (DefaultMemLimit if memLimit <= 0) and writes runs to dir (os.TempDir if
// empty). cmp orders keys like bytes.Compare.
func New(dir string, memLimit int, cmp func(a, b []byte) int) *Sorter {
	if memLimit <= 0 {
		memLimit = DefaultMemLimit
	}
	return &Sorter{dir: dir, memLimit: min(memLimit, maxMemLimit), cmp: cmp, fanIn: defaultFan}
}

// Add copies a record into the Sorter. Keys and values may be empty.
func (s *Sorter) Add(key, value []byte) error {
	if err := s.usable(); err != nil {
		return err
	}
	if s.sorted {
		return errSorted
	}
	size := recordSize(key, value)
	if len(s.idx) > 0 && len(s.buf)+size+indexEntry*(len(s.idx)+1) > s.memLimit {
		if err := s.flush(); err != nil {
			s.err = err
			return err
		}
	}
	if int64(len(s.buf))+int64(size) > math.MaxUint32 {
		return errTooLarge
	}
	s.buf = grow(s.buf, size, s.memLimit)
	s.idx = grow(s.idx, 1, s.memLimit/(indexEntry+2))
	s.idx = append(s.idx, uint32(len(s.buf)))
	s.buf = appendRecord(s.buf, key, value)
	s.n++
	return nil
}

// grow makes room for n more elements, doubling the capacity but keeping it
// at most limit elements unless n alone needs more.
func grow[S ~[]E, E any](s S, n, limit int) S {
	if cap(s)-len(s) >= n {
		return s
	}
	c := max(2*cap(s), len(s)+n, 256)
	if c > limit {
		c = max(limit, len(s)+n)
	}
	g := make(S, len(s), c)
	copy(g, s)
	return g
}

// Len is the number of records added.
func (s *Sorter) Len() int { return s.n }

func (s *Sorter) usable() error {
	if s.closed {
		return errClosed
	}
	return s.err
}

func (s *Sorter) key(i uint32) []byte {
	k, _ := decodeRecord(s.buf[i:])
	return k
}

// sortBuffer orders the buffer's index by key, stably: offsets grow in
// insertion order, so they break ties. Input that arrives in order costs one
// comparison per record.
func (s *Sorter) sortBuffer() {
	byKey := func(a, b uint32) int {
		if c := s.cmp(s.key(a), s.key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	if !slices.IsSortedFunc(s.idx, byKey) {
		slices.SortFunc(s.idx, byKey)
	}
}

// flush writes the buffer as a sorted run and empties it.
func (s *Sorter) flush() error {
	s.sortBuffer()
	w, err := createRun(s.dir)
	if err != nil {
		return err
	}
	for _, off := range s.idx {
		if err := w.write(decodeRecord(s.buf[off:])); err != nil {
			return w.abort(err)
		}
	}
	r, err := w.finish()
	if err != nil {
		return err
	}
	s.runs = append(s.runs, r)
	s.buf, s.idx = s.buf[:0], s.idx[:0]
	return nil
}

// Sort ends adding and returns an iterator over all records in order. It may
// be called once; Iterate gives more iterators over the same records.
func (s *Sorter) Sort() (*Iterator, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if s.sorted {
		return nil, errSortTwice
	}
	s.sorted = true
	s.sortBuffer()
	all := s.runs
	if len(s.idx) > 0 {
		all = append(slices.Clip(all), &run{count: int64(len(s.idx)), first: s.key(s.idx[0]), last: s.key(s.idx[len(s.idx)-1])})
	}
	s.chains = chainRuns(all, s.cmp)
	if err := s.reduce(); err != nil {
		s.err = err
		return nil, err
	}
	return s.Iterate()
}

// chainRuns groups consecutive runs whose key ranges do not overlap.
func chainRuns(runs []*run, cmp func(a, b []byte) int) [][]*run {
	var chains [][]*run
	for i, r := range runs {
		if i > 0 && cmp(runs[i-1].last, r.first) <= 0 {
			chains[len(chains)-1] = append(chains[len(chains)-1], r)
			continue
		}
		chains = append(chains, []*run{r})
	}
	return chains
}

// reduce merges groups of consecutive chains into single runs until at most
// fanIn chains are left, level by level, so each record is rewritten about
// log(runs)/log(fanIn) times. The memory run stays as it is.
func (s *Sorter) reduce() error {
	for len(s.chains) > s.fanIn {
		files, tail := s.chains, [][]*run(nil)
		if last := files[len(files)-1]; last[len(last)-1].path == "" {
			files, tail = files[:len(files)-1], files[len(files)-1:]
		}
		var next [][]*run
		for g := range slices.Chunk(files, s.fanIn) {
			if len(g) == 1 {
				next = append(next, g[0])
				continue
			}
			r, err := s.merge(g)
			if err != nil {
				return err
			}
			next = append(next, []*run{r})
		}
		s.chains = append(next, tail...)
	}
	s.runs = s.runs[:0]
	for _, ch := range s.chains {
		for _, r := range ch {
			if r.path != "" {
				s.runs = append(s.runs, r)
			}
		}
	}
	return nil
}

// merge writes the records of chains, in order, as one new run and removes
// the files it read.
func (s *Sorter) merge(chains [][]*run) (*run, error) {
	w, err := createRun(s.dir)
	if err != nil {
		return nil, err
	}
	// Until s.runs is rebuilt, the new file must be removed by Close too.
	s.runs = append(s.runs, &w.r)
	it := newIterator(s, chains)
	for it.Next() {
		if err = w.write(it.Key(), it.Value()); err != nil {
			break
		}
	}
	// The inputs are closed before they are removed (Windows needs it).
	if err := errors.Join(err, it.Err(), it.Close()); err != nil {
		return nil, w.abort(err)
	}
	r, err := w.finish()
	if err != nil {
		return nil, err
	}
	for _, ch := range chains {
		for _, old := range ch {
			if err := os.Remove(old.path); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// Iterate returns a fresh iterator over the sorted records. It may be called
// any number of times after Sort.
func (s *Sorter) Iterate() (*Iterator, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if !s.sorted {
		return nil, errNotSorted
	}
	it := newIterator(s, s.chains)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.iters == nil {
		s.iters = map[*Iterator]struct{}{}
	}
	s.iters[it] = struct{}{}
	return it, nil
}

func (s *Sorter) forget(it *Iterator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.iters, it)
}

// Close closes the Sorter's open iterators, removes its temporary files and
// releases its memory. It is idempotent and safe on a Sorter never sorted.
func (s *Sorter) Close() error {
	if s.closed {
		return nil
	}
	s.mu.Lock()
	iters := make([]*Iterator, 0, len(s.iters))
	for it := range s.iters {
		iters = append(iters, it)
	}
	s.mu.Unlock()
	var errs []error
	for _, it := range iters {
		errs = append(errs, it.Close())
	}
	s.closed = true
	for _, r := range s.runs {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("spool: %w", err))
		}
	}
	s.runs, s.chains, s.buf, s.idx = nil, nil, nil, nil
	return errors.Join(errs...)
}
