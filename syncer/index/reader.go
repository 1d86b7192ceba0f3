package index

import (
	"bufio"
	"io"
)

const readBuffer = 256 << 10

// recordReader decodes the records of a generation stream in order.
type recordReader struct {
	br       blockReader
	payload  []byte
	pos      int
	c        codec
	rec      Record
	cur      string
	bits     []byte // confirmed uploads by stream position
	n        int    // records read
	want     int    // records the stream must hold; -1: unknown
	tolerant bool   // stop quietly at the first bad block (a crashed stream)
	err      error
	done     bool
}

func newRecordReader(r io.Reader, name string, off, end int64) *recordReader {
	return &recordReader{
		br:   blockReader{r: bufio.NewReaderSize(r, readBuffer), name: name, off: off, end: end},
		want: -1,
	}
}

func (r *recordReader) next() bool {
	if r.done {
		return false
	}
	for r.pos >= len(r.payload) {
		kind, payload, err := r.br.next()
		switch {
		case err == io.EOF:
			if r.want >= 0 && r.n != r.want {
				r.err = damaged(r.br.name, r.br.off, "record count differs from the footer")
			}
			return r.stop()
		case err != nil:
			if !r.tolerant {
				r.err = err
			}
			return r.stop()
		case kind != kindRecords:
			if !r.tolerant {
				r.err = damaged(r.br.name, r.br.off, "unexpected block")
			}
			return r.stop()
		}
		r.payload, r.pos = payload, 0
		r.c.reset()
	}
	n, err := r.c.decodeRecord(r.payload[r.pos:], &r.rec)
	if err != nil {
		if !r.tolerant {
			r.err = damaged(r.br.name, r.br.off, err.Error())
		}
		return r.stop()
	}
	r.pos += n
	if i := r.n; i>>3 < len(r.bits) && r.bits[i>>3]&(1<<(i&7)) != 0 {
		r.rec.Uploaded = true
	}
	cur := string(r.c.path)
	if r.n > 0 && ComparePaths(cur, r.cur) <= 0 {
		if !r.tolerant {
			r.err = damaged(r.br.name, r.br.off, "records out of order")
		}
		return r.stop()
	}
	r.n++
	r.cur = cur
	return true
}

func (r *recordReader) stop() bool {
	r.done = true
	r.payload = nil
	return false
}

func (r *recordReader) path() string   { return r.cur }
func (r *recordReader) record() Record { return r.rec }
func (r *recordReader) error() error   { return r.err }
