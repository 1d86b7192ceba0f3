package index

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Cursor reads every record of one generation in ComparePaths order with
// buffered sequential reads; it holds a read buffer and one bit per record.
// It keeps reading the generation it was opened on after a Writer commits.
type Cursor struct {
	ix     *Index
	gen    uint64
	f      *os.File
	r      *recordReader
	closed bool
}

// Cursor opens a cursor over the current generation.
func (ix *Index) Cursor() (*Cursor, error) {
	g, _, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	c, err := ix.openCursor(g)
	if err != nil {
		ix.release(g)
		return nil, err
	}
	return c, nil
}

// openCursor opens generation g, which the caller has pinned; the cursor
// takes over that pin.
func (ix *Index) openCursor(g uint64) (*Cursor, error) {
	c := &Cursor{ix: ix, gen: g}
	if g == 0 {
		c.r = &recordReader{done: true}
		return c, nil
	}
	f, err := os.Open(ix.genPath(g))
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	ft, err := readFooter(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	start := int64(len(genMagic))
	c.f = f
	c.r = newRecordReader(io.NewSectionReader(f, start, ft.streamEnd-start), f.Name(), start, ft.streamEnd)
	c.r.bits, c.r.want = ft.bits, ft.count
	return c, nil
}

// Next advances to the next record; false at the end or on error.
func (c *Cursor) Next() bool { return c.r.next() }

// Path is the current record's path, valid until the next Next.
func (c *Cursor) Path() string { return c.r.cur }

// Record is the current record.
func (c *Cursor) Record() Record { return c.r.rec }

// Err is the error that ended the cursor early: a damaged file is an
// error (wrapping ErrDamaged), never a silent short read.
func (c *Cursor) Err() error { return c.r.err }

// Close releases the file; the generation may then be deleted.
func (c *Cursor) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.r.stop()
	var err error
	if c.f != nil {
		err = c.f.Close()
	}
	c.ix.release(c.gen)
	return err
}

// Reader reads one consistent generation inside View.
type Reader struct {
	ix  *Index
	gen uint64
	n   int
}

// View runs fn with a Reader over the current generation.
func (ix *Index) View(fn func(r *Reader) error) error {
	g, n, err := ix.acquire()
	if err != nil {
		return err
	}
	defer ix.release(g)
	return fn(&Reader{ix: ix, gen: g, n: n})
}

// ForEach calls fn for every record in ComparePaths order; an error from
// fn stops it and is returned.
func (r *Reader) ForEach(fn func(path string, rec Record) error) error {
	r.ix.pin(r.gen)
	c, err := r.ix.openCursor(r.gen)
	if err != nil {
		r.ix.release(r.gen)
		return err
	}
	defer c.Close()
	for c.Next() {
		if err := fn(c.Path(), c.Record()); err != nil {
			return err
		}
	}
	return c.Err()
}

// Len is the number of records.
func (r *Reader) Len() int { return r.n }

var errBusy = errors.New("index: a generation is already being written")
