package index

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"
)

// Ref names a record Put by a Writer, for SetUploaded.
type Ref uint32

// refOverlay marks a Ref of an out-of-order Put.
const refOverlay Ref = 1 << 31

// syncEvery bounds how long Put records stay in memory or unsynced.
const syncEvery = time.Second

// Writer writes a new generation. Records Put in increasing ComparePaths
// order stream to disk; the few out of order wait in memory until Commit or
// Keep.
type Writer struct {
	ix *Index
	f  *os.File

	mu      sync.Mutex // Put, the periodic flush, the end
	bw      *blockWriter
	blockAt time.Time // when the first record of the unwritten block came
	overlay []pending
	err     error // sticky write error
	ended   bool

	bitsMu   sync.Mutex
	bits     []byte // SetUploaded by stream position
	overBits []byte // SetUploaded by overlay position
	bitsDone bool   // the generation ended: marks come too late

	stop chan struct{}
	done chan struct{}
}

type pending struct {
	path string
	rec  Record
	n    int // position in the overlay
}

// Begin starts a new generation. Only one Writer may be open at a time.
func (ix *Index) Begin() (*Writer, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil, ErrClosed
	}
	if ix.writer != nil {
		return nil, errBusy
	}
	f, err := os.OpenFile(ix.newPath(), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("index: begin: %w", err)
	}
	bw, err := newBlockWriter(f)
	if err != nil {
		f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("index: begin: %w", err)
	}
	w := &Writer{ix: ix, f: f, bw: bw, stop: make(chan struct{}), done: make(chan struct{})}
	ix.writer = w
	go w.syncLoop()
	return w, nil
}

// syncLoop writes a block that has waited a while and fsyncs what was
// written, so a crash loses at most about two seconds of Puts.
func (w *Writer) syncLoop() {
	defer close(w.done)
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	var synced int64
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		w.mu.Lock()
		if w.bw.inBlock > 0 && time.Since(w.blockAt) >= syncEvery && w.err == nil {
			w.err = w.bw.flush()
		}
		off := w.bw.off
		w.mu.Unlock()
		if off > synced {
			if err := w.f.Sync(); err != nil {
				w.mu.Lock()
				w.err = cmp.Or(w.err, err)
				w.mu.Unlock()
			}
			synced = off
		}
	}
}

// Put adds a record and returns its reference. Paths in increasing
// ComparePaths order stream to disk; a path not after the largest so far
// is held in memory until the end; of a path Put twice the later wins.
// Put is called from one goroutine.
func (w *Writer) Put(path string, rec Record) (Ref, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.ended:
		return 0, errors.New("index: put after the generation ended")
	case w.err != nil:
		return 0, w.err
	}
	if w.bw.count > 0 && ComparePaths(path, w.bw.last) <= 0 {
		w.overlay = append(w.overlay, pending{path: path, rec: rec, n: len(w.overlay)})
		if len(w.overlay) >= int(refOverlay) {
			return 0, errors.New("index: too many out-of-order records")
		}
		return refOverlay | Ref(len(w.overlay)-1), nil
	}
	ref := Ref(w.bw.count)
	if ref >= refOverlay {
		return 0, errors.New("index: too many records")
	}
	if w.bw.inBlock == 0 {
		w.blockAt = time.Now()
	}
	if err := w.bw.add(path, &rec); err != nil {
		w.err = fmt.Errorf("index: write: %w", err)
		return 0, w.err
	}
	return ref, nil
}

// SetUploaded marks a record already Put as confirmed by the server. It is
// safe for concurrent use with Put and itself; a mark after the generation
// ended is ignored.
func (w *Writer) SetUploaded(ref Ref) {
	w.bitsMu.Lock()
	defer w.bitsMu.Unlock()
	switch {
	case w.bitsDone:
	case ref&refOverlay != 0:
		w.overBits = setBit(w.overBits, int(ref&^refOverlay))
	default:
		w.bits = setBit(w.bits, int(ref))
	}
}

func setBit(b []byte, i int) []byte {
	if n := i>>3 + 1; len(b) < n {
		b = append(b, make([]byte, n-len(b))...)
	}
	b[i>>3] |= 1 << (i & 7)
	return b
}

func hasBit(b []byte, i int) bool { return i>>3 < len(b) && b[i>>3]&(1<<(i&7)) != 0 }

// Commit makes what was Put the whole index, atomically and durably:
// paths not Put are forgotten.
func (w *Writer) Commit() error { return w.end(false) }

// Keep ends an incomplete generation: the records Put replace the old ones
// for every path up to the largest path Put; the old records after it stay
// as they were. Atomic and durable.
func (w *Writer) Keep() error { return w.end(true) }

// Abort drops the generation: the index stays as it was.
func (w *Writer) Abort() error {
	if !w.stopWriting() {
		return nil
	}
	err := w.f.Close()
	if rerr := os.Remove(w.ix.newPath()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = cmp.Or(err, rerr)
	}
	w.detach()
	return err
}

// stopWriting ends the sync loop; false if the generation already ended.
func (w *Writer) stopWriting() bool {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return false
	}
	w.ended = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	w.bitsMu.Lock()
	w.bitsDone = true
	w.bitsMu.Unlock()
	return true
}

func (w *Writer) detach() {
	w.ix.mu.Lock()
	if w.ix.writer == w {
		w.ix.writer = nil
	}
	w.ix.mu.Unlock()
}

func (w *Writer) end(keep bool) error {
	if !w.stopWriting() {
		return errors.New("index: the generation already ended")
	}
	err := w.finish(keep)
	if err != nil {
		_ = w.f.Close()
		_ = os.Remove(w.ix.newPath())
		_ = os.Remove(w.ix.tmpPath())
	}
	w.detach()
	return err
}

func (w *Writer) finish(keep bool) error {
	if w.err != nil {
		return w.err
	}
	if keep && w.bw.count == 0 {
		_ = w.f.Close()
		return os.Remove(w.ix.newPath())
	}
	if len(w.overlay) == 0 {
		// The common case: the stream is the generation (after Keep,
		// followed by the old records past its last path).
		var err error
		if keep {
			err = w.ix.copyAfter(w.bw)
		}
		if err == nil {
			err = w.bw.finish(w.bits)
		}
		if err == nil {
			err = w.f.Sync()
		}
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("index: commit: %w", err)
		}
		return w.ix.install(w.ix.newPath(), w.bw.count)
	}
	if err := w.bw.flush(); err != nil {
		return fmt.Errorf("index: commit: %w", err)
	}
	start := int64(len(genMagic))
	st, err := w.f.Stat()
	if err != nil {
		return err
	}
	stream := newRecordReader(newSection(w.f, start, st.Size()), w.f.Name(), start, st.Size())
	stream.bits = w.bits
	count, err := w.ix.rewrite(merge(stream, w.sortedOverlay()), keep)
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return w.ix.install(w.ix.tmpPath(), count)
}

// sortedOverlay sorts the out-of-order records, keeps the last Put of
// each path and applies their SetUploaded marks.
func (w *Writer) sortedOverlay() source {
	o := w.overlay
	slices.SortStableFunc(o, func(a, b pending) int { return ComparePaths(a.path, b.path) })
	out := o[:0]
	for i, p := range o {
		if i+1 < len(o) && o[i+1].path == p.path {
			continue
		}
		if hasBit(w.overBits, p.n) {
			p.rec.Uploaded = true
		}
		out = append(out, p)
	}
	return &sliceSource{items: out, i: -1}
}
