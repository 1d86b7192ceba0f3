package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
)

// ErrCorrupt reports a temporary run file that no longer holds what was
// written to it (truncated, grown or altered on disk).
var ErrCorrupt = errors.New("spool: temporary run file damaged")

// A run file is the records in key order followed by a trailer: runMagic,
// the record count (uint64) and the CRC-32C of the record bytes (uint32),
// both little endian.
const (
	runMagic    = "JSR1"
	trailerSize = len(runMagic) + 8 + 4
	maxRunBuf   = 64 << 10
	minRunBuf   = 4 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// run is one sorted sequence of records: a file in the Sorter's dir, or the
// in-memory buffer when path is empty.
type run struct {
	path        string
	size        int64 // file size including the trailer
	count       int64
	first, last []byte // keys of the first and last records
}

// runWriter writes one run file.
type runWriter struct {
	f     *os.File
	bw    *bufio.Writer
	crc   hash.Hash32
	r     run
	hdr   [2 * binary.MaxVarintLen64]byte
	bytes int64
}

func createRun(dir string) (*runWriter, error) {
	f, err := os.CreateTemp(dir, "spool-*.run")
	if err != nil {
		return nil, err
	}
	crc := crc32.New(castagnoli)
	return &runWriter{
		f:   f,
		crc: crc,
		bw:  bufio.NewWriterSize(io.MultiWriter(f, crc), maxRunBuf),
		r:   run{path: f.Name()},
	}, nil
}

func (w *runWriter) write(key, value []byte) error {
	n := binary.PutUvarint(w.hdr[:], uint64(len(key)))
	n += binary.PutUvarint(w.hdr[n:], uint64(len(value)))
	if _, err := w.bw.Write(w.hdr[:n]); err != nil {
		return err
	}
	if _, err := w.bw.Write(key); err != nil {
		return err
	}
	if _, err := w.bw.Write(value); err != nil {
		return err
	}
	if w.r.count == 0 {
		w.r.first = append([]byte{}, key...)
	}
	w.r.last = append(w.r.last[:0], key...)
	w.r.count++
	w.bytes += int64(n + len(key) + len(value))
	return nil
}

// finish writes the trailer and closes the file.
func (w *runWriter) finish() (*run, error) {
	if err := w.bw.Flush(); err != nil {
		return nil, w.abort(err)
	}
	var t [trailerSize]byte
	copy(t[:], runMagic)
	binary.LittleEndian.PutUint64(t[len(runMagic):], uint64(w.r.count))
	binary.LittleEndian.PutUint32(t[len(runMagic)+8:], w.crc.Sum32())
	if _, err := w.f.Write(t[:]); err != nil {
		return nil, w.abort(err)
	}
	if err := w.f.Close(); err != nil {
		_ = os.Remove(w.r.path)
		return nil, err
	}
	w.r.size = w.bytes + int64(trailerSize)
	return &w.r, nil
}

// abort closes and removes the file after err.
func (w *runWriter) abort(err error) error {
	_ = w.f.Close()
	_ = os.Remove(w.r.path)
	return err
}

// fileCursor reads one run file sequentially, checking it against what was
// written: size, count and checksum.
type fileCursor struct {
	f          *os.File
	br         *bufio.Reader
	crc        hash.Hash32
	left       int64 // record bytes not yet read
	want, got  int64
	wantCRC    uint32
	rec        []byte
	key, value []byte
	err        error
}

func openRun(r *run, rec []byte, bufSize int) (*fileCursor, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, err
	}
	c := &fileCursor{f: f, rec: rec, want: r.count, left: r.size - int64(trailerSize), crc: crc32.New(castagnoli)}
	if err := c.checkTrailer(r); err != nil {
		_ = f.Close()
		return nil, err
	}
	c.br = bufio.NewReaderSize(io.TeeReader(io.NewSectionReader(f, 0, c.left), c.crc), bufSize)
	return c, nil
}

func (c *fileCursor) checkTrailer(r *run) error {
	fi, err := c.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != r.size {
		return fmt.Errorf("%w: %s is %d bytes, %d were written", ErrCorrupt, r.path, fi.Size(), r.size)
	}
	var t [trailerSize]byte
	if _, err := c.f.ReadAt(t[:], c.left); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, r.path, err)
	}
	if string(t[:len(runMagic)]) != runMagic || binary.LittleEndian.Uint64(t[len(runMagic):]) != uint64(r.count) {
		return fmt.Errorf("%w: %s: bad trailer", ErrCorrupt, r.path)
	}
	c.wantCRC = binary.LittleEndian.Uint32(t[len(runMagic)+8:])
	return nil
}

func (c *fileCursor) next() bool {
	if c.err != nil {
		return false
	}
	if c.got == c.want {
		if c.left != 0 || c.crc.Sum32() != c.wantCRC {
			c.err = fmt.Errorf("%w: %s: checksum mismatch", ErrCorrupt, c.f.Name())
		}
		return false
	}
	kl, err := c.uvarint()
	if err != nil {
		return c.fail(err)
	}
	vl, err := c.uvarint()
	if err != nil {
		return c.fail(err)
	}
	if kl > uint64(c.left) || vl > uint64(c.left)-kl {
		return c.fail(errors.New("record longer than the file"))
	}
	n := int(kl + vl)
	if cap(c.rec) < n {
		c.rec = make([]byte, n)
	}
	c.rec = c.rec[:n]
	if _, err := io.ReadFull(c.br, c.rec); err != nil {
		return c.fail(err)
	}
	c.left -= int64(n)
	c.key, c.value = c.rec[:kl:kl], c.rec[kl:]
	c.got++
	return true
}

// uvarint reads one uvarint, counting its bytes against left.
func (c *fileCursor) uvarint() (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if c.left == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		b, err := c.br.ReadByte()
		if err != nil {
			return 0, err
		}
		c.left--
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return x, nil
		}
	}
	return 0, errors.New("length overflows")
}

func (c *fileCursor) fail(err error) bool {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	c.err = fmt.Errorf("%w: %s: record %d: %v", ErrCorrupt, c.f.Name(), c.got+1, err)
	return false
}

func (c *fileCursor) close() error { return c.f.Close() }
