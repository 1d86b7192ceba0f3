package index

import (
	"fmt"
	"io"
	"os"
)

// source is a sorted stream of records.
type source interface {
	next() bool
	path() string
	record() Record
	error() error
}

type sliceSource struct {
	items []pending
	i     int
}

func (s *sliceSource) next() bool     { s.i++; return s.i < len(s.items) }
func (s *sliceSource) path() string   { return s.items[s.i].path }
func (s *sliceSource) record() Record { return s.items[s.i].rec }
func (s *sliceSource) error() error   { return nil }

// merged yields the union of two sorted sources; on equal paths b wins.
type merged struct {
	a, b       source
	aok, bok   bool
	advA, advB bool
	cur        string
	rec        Record
}

func merge(a, b source) *merged { return &merged{a: a, b: b, advA: true, advB: true} }

func (m *merged) next() bool {
	if m.advA {
		m.aok = m.a.next()
	}
	if m.advB {
		m.bok = m.b.next()
	}
	m.advA, m.advB = false, false
	switch {
	case m.aok && m.bok:
		c := ComparePaths(m.a.path(), m.b.path())
		m.advA, m.advB = c <= 0, c >= 0
	case m.aok:
		m.advA = true
	case m.bok:
		m.advB = true
	default:
		return false
	}
	if m.advB {
		m.cur, m.rec = m.b.path(), m.b.record()
	} else {
		m.cur, m.rec = m.a.path(), m.a.record()
	}
	return true
}

func (m *merged) path() string   { return m.cur }
func (m *merged) record() Record { return m.rec }
func (m *merged) error() error {
	if err := m.a.error(); err != nil {
		return err
	}
	return m.b.error()
}

func newSection(f *os.File, start, end int64) io.Reader {
	return io.NewSectionReader(f, start, end-start)
}

// rewrite writes src into the temporary generation file; with keep, the
// current generation's records after src's last path follow. It returns
// the number of records written.
func (ix *Index) rewrite(src source, keep bool) (int, error) {
	f, err := os.OpenFile(ix.tmpPath(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("index: %w", err)
	}
	count, err := ix.writeMerged(f, src, keep)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return 0, fmt.Errorf("index: %w", err)
	}
	return count, nil
}

func (ix *Index) writeMerged(f *os.File, src source, keep bool) (int, error) {
	bw, err := newBlockWriter(f)
	if err != nil {
		return 0, err
	}
	for src.next() {
		r := src.record()
		if err := bw.add(src.path(), &r); err != nil {
			return 0, err
		}
	}
	if err := src.error(); err != nil {
		return 0, err
	}
	if keep {
		if err := ix.copyAfter(bw); err != nil {
			return 0, err
		}
	}
	return bw.count, bw.finish(nil)
}

// copyAfter appends the current generation's records after bw's last
// path (all of them when bw is empty).
func (ix *Index) copyAfter(bw *blockWriter) error {
	c, err := ix.Cursor()
	if err != nil {
		return err
	}
	defer c.Close()
	last, any := bw.last, bw.count > 0
	for c.Next() {
		if any && ComparePaths(c.Path(), last) <= 0 {
			continue
		}
		r := c.Record()
		if err := bw.add(c.Path(), &r); err != nil {
			return err
		}
	}
	return c.Err()
}

// recover ends the stream a dead process left: a complete one becomes the
// next generation; otherwise its checksummed prefix is kept as by Keep.
func (ix *Index) recover() error {
	f, err := os.Open(ix.newPath())
	if err != nil {
		return fmt.Errorf("index: recover: %w", err)
	}
	if ft, err := readFooter(f); err == nil {
		f.Close()
		return ix.install(ix.newPath(), ft.count)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("index: recover: %w", err)
	}
	start := int64(len(genMagic))
	var src source = &sliceSource{i: -1}
	magic := make([]byte, len(genMagic))
	if _, err := f.ReadAt(magic, 0); err == nil && string(magic) == string(genMagic) {
		r := newRecordReader(newSection(f, start, st.Size()), f.Name(), start, -1)
		r.tolerant = true
		src = r
	}
	count, err := ix.rewrite(src, true)
	f.Close()
	if err != nil {
		return fmt.Errorf("index: recover: %w", err)
	}
	return ix.install(ix.tmpPath(), count)
}
