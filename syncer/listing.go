package syncer

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"jottacloudclient/internal/names"
	"jottacloudclient/syncer/index"
	"jottacloudclient/syncer/spool"
)

// listingMemory is how much of the remote listing a pass holds in memory;
// the rest waits on disk, in sorted runs.
const listingMemory = 8 << 20

// listing is the remote folder of a pass, spooled to disk and sorted by
// the local relative path each item would have (index.ComparePaths), so
// it can be read alongside the walk and the index.
type listing struct {
	s           *spool.Sorter
	dir         string
	files       int // remote files
	unreachable int // items whose names the server cannot serve back
	missing     bool
}

// remoteItem is one decoded listing record.
type remoteItem struct {
	key  string // local relative path
	path string // remote relative path
	dir  bool
	size int64
	md5  [16]byte
	sum  bool // md5 is known
}

// entry returns the item as the planner sees it.
func (r *remoteItem) entry() Entry {
	en := Entry{Path: r.path, Dir: r.dir, Size: r.size}
	if r.sum {
		en.MD5 = hex.EncodeToString(r.md5[:])
	}
	return en
}

const (
	itemDir  = 1
	itemSum  = 2
	itemPath = 4 // the remote path differs from the key and follows
)

func encodeItem(buf []byte, en Entry, key string) []byte {
	var flags byte
	var md5 [16]byte
	if en.Dir {
		flags |= itemDir
	} else if decodeMD5(&md5, en.MD5) {
		flags |= itemSum
	}
	if en.Path != key {
		flags |= itemPath
	}
	buf = append(buf[:0], flags)
	buf = binary.AppendVarint(buf, en.Size)
	if flags&itemSum != 0 {
		buf = append(buf, md5[:]...)
	}
	if flags&itemPath != 0 {
		buf = append(buf, en.Path...)
	}
	return buf
}

func decodeItem(key, val []byte) (remoteItem, error) {
	r := remoteItem{key: string(key)}
	if len(val) == 0 {
		return r, errors.New("listing spool: empty record")
	}
	flags := val[0]
	size, n := binary.Varint(val[1:])
	if n <= 0 {
		return r, errors.New("listing spool: bad size")
	}
	rest := val[1+n:]
	r.dir, r.size = flags&itemDir != 0, size
	if flags&itemSum != 0 {
		if len(rest) < 16 {
			return r, errors.New("listing spool: short md5")
		}
		copy(r.md5[:], rest[:16])
		r.sum = true
		rest = rest[16:]
	}
	r.path = r.key
	if flags&itemPath != 0 {
		r.path = string(rest)
	}
	return r, nil
}

// decodeMD5 decodes a hex md5 (either case) without allocating.
func decodeMD5(dst *[16]byte, hexSum string) bool {
	if len(hexSum) != 2*len(dst) {
		return false
	}
	_, err := hex.Decode(dst[:], []byte(hexSum))
	return err == nil
}

// spoolListing lists the pair's remote folder once into a sorted spool in
// a temporary folder below the state folder. A missing remote folder is an
// empty listing with missing set.
func (e *Engine) spoolListing(ctx context.Context, c *counters, p Pair) (*listing, error) {
	if err := os.MkdirAll(e.opts.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("spool the listing: %w", err)
	}
	// A pass killed before it ended left its spool behind; the pair's
	// index lock says no other process is listing this pair now.
	prefix := strings.TrimSuffix(filepath.Base(e.IndexPath(p.ID)), ".db") + ".listing-"
	if old, _ := filepath.Glob(filepath.Join(e.opts.StateDir, prefix+"*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	dir, err := os.MkdirTemp(e.opts.StateDir, prefix)
	if err != nil {
		return nil, fmt.Errorf("spool the listing: %w", err)
	}
	l := &listing{dir: dir, s: spool.New(dir, listingMemory, index.ComparePaths[[]byte])}
	var buf []byte
	err = e.list(ctx, c, p.Remote, func(en Entry) error {
		if !servedBack(en.Path) {
			// Stored by an older client under a name the server cannot
			// serve back: it can be neither compared, moved nor trashed.
			l.unreachable++
			return nil
		}
		key, _ := names.Here.LocalPath(en.Path)
		if !en.Dir {
			l.files++
		}
		buf = encodeItem(buf, en, key)
		return l.s.Add([]byte(key), buf)
	})
	if errors.Is(err, ErrNotExist) {
		l.s.Close()
		l.s = spool.New(dir, listingMemory, index.ComparePaths[[]byte])
		l.files, l.unreachable, l.missing, err = 0, 0, true, nil
	}
	if err == nil {
		_, err = l.s.Sort()
	}
	if err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// items returns a reader over the sorted listing; it may be called again.
func (l *listing) items() (*itemReader, error) {
	it, err := l.s.Iterate()
	if err != nil {
		return nil, err
	}
	return &itemReader{it: it}, nil
}

func (l *listing) close() {
	if l.s != nil {
		l.s.Close()
	}
	os.RemoveAll(l.dir)
}

// itemReader reads the spooled listing with one item of look-ahead.
type itemReader struct {
	it   *spool.Iterator
	cur  remoteItem
	ok   bool
	err  error
	done bool
}

// peek returns the next item without consuming it.
func (r *itemReader) peek() (*remoteItem, bool) {
	if r.ok {
		return &r.cur, true
	}
	if r.done {
		return nil, false
	}
	if !r.it.Next() {
		r.done = true
		r.err = r.it.Err()
		return nil, false
	}
	r.cur, r.err = decodeItem(r.it.Key(), r.it.Value())
	if r.err != nil {
		r.done = true
		return nil, false
	}
	r.ok = true
	return &r.cur, true
}

// next consumes the peeked item.
func (r *itemReader) next() { r.ok = false }

func (r *itemReader) close() error {
	err := r.it.Close()
	if r.err != nil {
		return r.err
	}
	return err
}
