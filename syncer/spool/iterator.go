package spool

import "errors"

// chain is a source of the merge: consecutive runs whose key ranges follow
// one another (the last key of each is not above the first of the next), read
// one after the other, so input that arrives already in order is read with one
// open file and no comparisons across runs. ord is the chain's place in
// insertion order, which breaks ties between equal keys.
type chain struct {
	s          *Sorter
	runs       []*run
	ord        int
	bufSize    int
	i          int         // index in runs of the open run
	file       *fileCursor // open file run, if any
	rec        []byte      // read buffer handed from one file run to the next
	mem        int         // next record of the memory run
	key, value []byte
	err        error
}

func (c *chain) next() bool {
	for c.err == nil && c.i < len(c.runs) {
		if c.advance() {
			return true
		}
		c.err = c.closeFile()
		c.i++
	}
	return false
}

// advance moves to the next record of the current run.
func (c *chain) advance() bool {
	r := c.runs[c.i]
	if r.path == "" {
		if c.mem >= len(c.s.idx) {
			return false
		}
		c.key, c.value = decodeRecord(c.s.buf[c.s.idx[c.mem]:])
		c.mem++
		return true
	}
	if c.file == nil {
		f, err := openRun(r, c.rec[:0], c.bufSize)
		if err != nil {
			c.err = err
			return false
		}
		c.file = f
	}
	if c.file.next() {
		c.key, c.value = c.file.key, c.file.value
		return true
	}
	c.err = c.file.err
	return false
}

func (c *chain) closeFile() error {
	if c.file == nil {
		return c.err
	}
	err := c.file.close()
	c.rec, c.file = c.file.rec, nil
	return errors.Join(c.err, err)
}

// Iterator gives back the records of a Sorter in key order. It is used by one
// goroutine at a time; several iterators of one Sorter may be used at once.
type Iterator struct {
	s       *Sorter
	heap    []*chain // a min-heap by (key, ord) once started
	started bool
	cur     *chain
	err     error
	closed  bool
}

func newIterator(s *Sorter, chains [][]*run) *Iterator {
	bufSize := min(max(s.memLimit/max(len(chains), 1), minRunBuf), maxRunBuf)
	it := &Iterator{s: s, heap: make([]*chain, len(chains))}
	for i, runs := range chains {
		it.heap[i] = &chain{s: s, runs: runs, ord: i, bufSize: bufSize}
	}
	return it
}

// Next moves to the next record and reports whether there is one. After it
// returns false, Err tells whether the end was reached or an error stopped it.
func (it *Iterator) Next() bool {
	if it.err != nil || it.closed {
		return false
	}
	if !it.started {
		it.started = true
		it.start()
	} else if len(it.heap) > 0 {
		it.step()
	}
	if it.err != nil || len(it.heap) == 0 {
		it.cur = nil
		return false
	}
	it.cur = it.heap[0]
	return true
}

// start reads the first record of every chain and builds the heap.
func (it *Iterator) start() {
	live := it.heap[:0]
	for _, c := range it.heap {
		if c.next() {
			live = append(live, c)
		} else if c.err != nil {
			it.err = c.err
		}
	}
	it.heap = live
	for i := len(it.heap)/2 - 1; i >= 0; i-- {
		it.down(i)
	}
}

// step advances the chain that gave the current record.
func (it *Iterator) step() {
	top := it.heap[0]
	if !top.next() {
		if top.err != nil {
			it.err = top.err
			return
		}
		last := len(it.heap) - 1
		it.heap[0] = it.heap[last]
		it.heap[last] = nil
		it.heap = it.heap[:last]
	}
	it.down(0)
}

func (it *Iterator) less(a, b *chain) bool {
	c := it.s.cmp(a.key, b.key)
	return c < 0 || c == 0 && a.ord < b.ord
}

func (it *Iterator) down(i int) {
	h := it.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && it.less(h[r], h[l]) {
			m = r
		}
		if !it.less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// Key is the key of the current record, valid until the next call to Next.
func (it *Iterator) Key() []byte {
	if it.cur == nil {
		return nil
	}
	return it.cur.key
}

// Value is the value of the current record, valid until the next call to Next.
func (it *Iterator) Value() []byte {
	if it.cur == nil {
		return nil
	}
	return it.cur.value
}

// Err is the error that ended the iteration, nil at its normal end. Records
// already given back stay valid data; a caller that needs all of them must
// check Err before acting on the whole.
func (it *Iterator) Err() error { return it.err }

// Close releases the iterator's open files and buffers. The run files stay
// until the Sorter is closed. Close is idempotent.
func (it *Iterator) Close() error {
	if it.closed {
		return nil
	}
	it.closed = true
	it.cur = nil
	var errs []error
	for _, c := range it.heap {
		if c.file != nil {
			errs = append(errs, c.file.close())
			c.file = nil
		}
	}
	it.heap = nil
	it.s.forget(it)
	return errors.Join(errs...)
}
