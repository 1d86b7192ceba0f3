package syncer

import (
	"context"
	"fmt"
	"sync/atomic"

	"jottacloudclient/syncer/index"
)

// march walks the local tree once and merges it, path by path in
// index.ComparePaths order, with a cursor over the previous index and the
// sorted remote listing (the shape of rclone's march). Files unchanged on
// both sides are counted and written on to the new index generation; only
// the difference is kept for the plan: files new or changed, remote items
// no local file matches, and every folder.
type march struct {
	ctx     context.Context
	e       *Engine
	p       Pair
	c       *counters
	problem func(Problem)
	ix      *index.Index
	w       *index.Writer // nil on a dry run
	l       *listing

	// Producer side (the walk's goroutine).
	cur      *index.Cursor
	curOK    bool // cur holds the next record not yet merged
	curDone  bool
	items    *itemReader
	vanished map[identity][16]byte // hashed records no walk found: files moved away
	ambig    map[identity]bool     // identities two vanished records share
	maybe    *identitySet          // every hashed record's identity, built when first needed
	deferred []*item               // new files that may be moved ones
	only     []Entry               // remote items no local file stands at
	pl       *pipeline

	walk *walkResult // the local side, once the walk is over

	// changed is set when the new generation will differ from the
	// previous one: a record dropped, added or altered. A pass that
	// changes nothing leaves the index file as it was.
	changed atomic.Bool

	// Consumer side (one goroutine, in walk order).
	files      []*localFile // the difference: files the plan must see
	atPath     []Entry      // remote items at the path of such a file
	unchanged  int
	writeErr   error
	offerEarly func(*localFile) bool // takes a file to upload at once; nil when none may be
}

// identity ties a file at a new path to its index record at the old one:
// the same inode, size and modification time. The change time is not
// compared, because a rename updates it.
type identity struct {
	inode uint64
	size  int64
	mtime int64
}

func (f *localFile) identity() identity { return identity{f.inode, f.size, f.mtime} }

// recordIdentity is the identity of the file an index record describes.
func recordIdentity(rec index.Record) identity { return identity{rec.Inode, rec.Size, rec.ModTime} }

// run walks and merges; the pipeline hashes what the index cannot vouch
// for and hands every file to consume in order.
func (m *march) run(global []string, hash hashFn) (*walkResult, error) {
	cur, err := m.ix.Cursor()
	if err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	m.cur = cur
	defer cur.Close()
	items, err := m.l.items()
	if err != nil {
		return nil, fmt.Errorf("read the listing: %w", err)
	}
	m.items = items
	defer items.close()
	m.vanished, m.ambig = map[identity][16]byte{}, map[identity]bool{}

	m.pl = newPipeline(m.ctx, m.e.opts.Hashers, hash, m.consume)
	w, err := walk(m.ctx, m.p, global, m.visit)
	if err == nil {
		err = m.finish()
	}
	m.pl.close()
	if err == nil {
		err = m.ctx.Err()
	}
	if err == nil {
		err = m.writeErr
	}
	if err == nil {
		err = cur.Err()
	}
	if err == nil && m.items.err != nil {
		err = fmt.Errorf("read the listing: %w", m.items.err)
	}
	return w, err
}

// visit merges one walked file.
func (m *march) visit(f localFile) error {
	m.c.filesSeen.Add(1)
	m.c.bytesSeen.Add(f.size)
	rec, ok := m.indexAt(f.rel)
	it := &item{f: f}
	m.remoteAt(it)
	if ok && rec.Hashed && rec.SameStat(f.size, f.mtime, f.inode, f.ctime) {
		it.f.md5, it.f.hashed, it.f.uploaded = rec.MD5, true, rec.Uploaded
		it.same = rec.Uploaded // written back unaltered if still unchanged
		return m.pl.push(it, false)
	}
	m.changed.Store(true)
	if !ok && f.inode != 0 {
		if m.reuse(&it.f) {
			return m.pl.push(it, false)
		}
		if m.mayBeMoved(f.identity()) {
			// Its old record may come later in the walk's order.
			m.deferred = append(m.deferred, it)
			return nil
		}
	}
	return m.pl.push(it, true)
}

// finish merges what is left after the walk: index records no walk found,
// remote items after the last local path, then the deferred files.
func (m *march) finish() error {
	m.indexAt("")
	for {
		r, ok := m.items.peek()
		if !ok {
			break
		}
		m.only = append(m.only, r.entry())
		m.items.next()
	}
	for _, it := range m.deferred {
		need := !m.reuse(&it.f)
		if err := m.pl.push(it, need); err != nil {
			return err
		}
	}
	m.deferred = nil
	return nil
}

// indexAt moves the cursor up to path and returns the record stored for
// path, if any. The records it passes belong to files no walk found; their
// hashes are kept for files moved within the folder. An empty path drains
// the cursor.
func (m *march) indexAt(path string) (index.Record, bool) {
	for {
		if !m.curOK {
			if m.curDone || !m.cur.Next() {
				m.curDone = true
				return index.Record{}, false
			}
			m.curOK = true
		}
		c := 1
		if path != "" {
			c = index.ComparePaths(m.cur.Path(), path)
		}
		if c > 0 {
			return index.Record{}, false
		}
		rec := m.cur.Record()
		m.curOK = false
		if c == 0 {
			return rec, true
		}
		m.gone(rec)
	}
}

// gone keeps the hash of a record whose file the walk did not find.
func (m *march) gone(rec index.Record) {
	m.changed.Store(true)
	if !rec.Hashed || rec.Inode == 0 {
		return
	}
	id := recordIdentity(rec)
	if _, dup := m.vanished[id]; dup {
		m.ambig[id] = true
		return
	}
	m.vanished[id] = rec.MD5
}

// reuse gives f the hash of the record its file had at another path the
// walk no longer finds, and reports whether there was one. Hard links and
// copies keep their own records, so they are hashed as usual.
func (m *march) reuse(f *localFile) bool {
	id := f.identity()
	sum, ok := m.vanished[id]
	if !ok || m.ambig[id] {
		return false
	}
	delete(m.vanished, id)
	f.md5, f.hashed = sum, true
	return true
}

// mayBeMoved reports whether some record of the index has the identity
// id: then the file may have moved from a path the walk has not passed.
func (m *march) mayBeMoved(id identity) bool {
	if m.maybe == nil {
		m.maybe = buildIdentitySet(m.ix)
	}
	return m.maybe.has(id)
}

// remoteAt moves the listing up to it's path: the items before it stand
// where no local file is; a remote file at exactly its path is attached
// to it, any other item there goes to the plan.
func (m *march) remoteAt(it *item) {
	for {
		r, ok := m.items.peek()
		if !ok {
			return
		}
		c := index.ComparePaths(r.key, it.f.rel)
		if c > 0 {
			return
		}
		if c == 0 && it.rem == nil && !r.dir {
			rem := *r
			it.rem = &rem
		} else {
			m.only = append(m.only, r.entry())
		}
		m.items.next()
	}
}

// consume decides about one file, in walk order: unchanged (counted and
// written on), or part of the difference (written, kept for the plan, and
// uploaded at once when nothing on the server can stand in its way).
func (m *march) consume(it *item) {
	f := &it.f
	if it.err != nil {
		m.changed.Store(true)
		if m.ctx.Err() == nil {
			m.problem(Problem{Path: f.rel, Reason: "not backed up: " + errReason(it.err), Err: it.err})
		}
		m.keep(f, it.rem) // unhashed: the plan protects its remote copy
		return
	}
	if r := it.rem; r != nil && r.sum && r.path == f.remote && r.size == f.size && r.md5 == f.md5 {
		m.unchanged++
		f.uploaded = true
		m.put(f)
		if !it.same {
			m.changed.Store(true)
		}
		return
	}
	m.changed.Store(true)
	f.uploaded = false
	m.put(f)
	if it.rem == nil && m.offerEarly != nil && m.offerEarly(f) {
		return
	}
	m.keep(f, it.rem)
}

// keep adds f (and the remote file at its path) to the difference.
func (m *march) keep(f *localFile, rem *remoteItem) {
	fp := new(localFile)
	*fp = *f
	m.files = append(m.files, fp)
	if rem != nil {
		m.atPath = append(m.atPath, rem.entry())
	}
}

// put writes f's record to the new index generation.
func (m *march) put(f *localFile) {
	if m.w == nil || m.writeErr != nil || !f.hashed {
		return
	}
	ref, err := m.w.Put(f.rel, index.Record{
		Size: f.size, ModTime: f.mtime, Inode: f.inode, Ctime: f.ctime,
		MD5: f.md5, Hashed: true, Uploaded: f.uploaded,
	})
	if err != nil {
		m.writeErr = fmt.Errorf("write the index: %w", err)
		return
	}
	f.ref = ref
}

// remote returns the remote items the plan must see.
func (m *march) remote() []Entry {
	return append(m.only, m.atPath...)
}

// planFiles returns the difference as the planner sees it.
func (m *march) planFiles() []LocalFile {
	out := make([]LocalFile, len(m.files))
	for i, f := range m.files {
		out[i] = LocalFile{Path: f.remote, Local: f.rel, Size: f.size, MD5: f.md5Hex(), Uploaded: f.uploaded}
	}
	return out
}
