package syncertest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"jottacloudclient/internal/names"
	"jottacloudclient/syncer"
)

// ErrConnectionCut is what an upload cut by CutNextUpload returns.
var ErrConnectionCut = errors.New("memremote: connection cut during upload")

// ErrCorrupt means the bytes received do not hash to the declared md5.
var ErrCorrupt = errors.New("memremote: uploaded bytes do not match the declared md5")

// MemStats counts the requests a MemRemote served.
type MemStats struct {
	Lists         int
	Uploads       int
	BytesReceived int64
	Dedups        int
	Moves         int
	Trashes       int
	Mkdirs        int
}

type blobKey struct {
	md5  string
	size int64
}

type node struct {
	name     string
	dir      bool
	trashed  bool
	children map[string]*node // by folded name
	parent   *node
	// Files: the current completed revision (complete is false until one
	// exists) and an unfinished upload.
	complete bool
	data     []byte
	md5      string
	modified time.Time
	partial  *partial
	devType  string // devices only
}

type partial struct {
	md5  string
	size int64
	data []byte
}

// MemRemote is an in-memory syncer.Remote for tests. It is safe for
// concurrent use.
type MemRemote struct {
	mu       sync.Mutex
	root     *node
	blobs    map[blobKey][]byte
	stats    MemStats
	cutAfter int64 // -1: no fault armed
}

var _ syncer.Remote = (*MemRemote)(nil)

// NewMemRemote returns an empty account.
func NewMemRemote() *MemRemote {
	return &MemRemote{root: newDir(""), blobs: map[blobKey][]byte{}, cutAfter: -1}
}

func newDir(name string) *node {
	return &node{name: name, dir: true, children: map[string]*node{}}
}

func fold(name string) string { return names.Fold(name) }

func split(path string) ([]string, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("memremote: path %q is not absolute", path)
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, s := range segs {
		if err := names.Check(s); err != nil {
			return nil, fmt.Errorf("memremote: %q: %v: %w", path, err, syncer.ErrNameRejected)
		}
	}
	return segs, nil
}

// lookup finds a live node; mu must be held.
func (m *MemRemote) lookup(segs []string) *node {
	n := m.root
	for _, s := range segs {
		c := n.children[fold(s)]
		if c == nil || c.trashed {
			return nil
		}
		n = c
	}
	return n
}

// Stats returns the request counters.
func (m *MemRemote) Stats() MemStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// CutNextUpload makes the next upload that sends bytes fail after afterBytes
// bytes, keeping what arrived so that a later upload resumes.
func (m *MemRemote) CutNextUpload(afterBytes int64) {
	m.mu.Lock()
	m.cutAfter = afterBytes
	m.mu.Unlock()
}

// File returns the live content at path.
func (m *MemRemote) File(path string) (data []byte, ok bool) {
	segs, err := split(path)
	if err != nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.lookup(segs)
	if n == nil || n.dir || !n.complete {
		return nil, false
	}
	return append([]byte(nil), n.data...), true
}

// Trashed reports whether path (or a folder above it) is in the trash.
func (m *MemRemote) Trashed(path string) bool {
	segs, err := split(path)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.root
	for _, s := range segs {
		c := n.children[fold(s)]
		if c == nil {
			return false
		}
		if c.trashed {
			return true
		}
		n = c
	}
	return false
}

// DeviceType returns the type a device was created with ("" if unknown).
func (m *MemRemote) DeviceType(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.root.children[fold(name)]; d != nil {
		return d.devType
	}
	return ""
}

// List implements syncer.Remote.
func (m *MemRemote) List(ctx context.Context, root string, fn func(syncer.Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	segs, err := split(root)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.stats.Lists++
	n := m.lookup(segs)
	if n == nil || !n.dir {
		m.mu.Unlock()
		return fmt.Errorf("memremote: list %s: %w", root, syncer.ErrNotExist)
	}
	var out []syncer.Entry
	var rec func(n *node, prefix string)
	rec = func(n *node, prefix string) {
		keys := make([]string, 0, len(n.children))
		for k := range n.children {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := n.children[k]
			if c.trashed {
				continue
			}
			p := c.name
			if prefix != "" {
				p = prefix + "/" + c.name
			}
			if c.dir {
				out = append(out, syncer.Entry{Path: p, Dir: true})
				rec(c, p)
			} else if c.complete {
				out = append(out, syncer.Entry{Path: p, Size: int64(len(c.data)), MD5: c.md5, Modified: c.modified})
			}
		}
	}
	rec(n, "")
	m.mu.Unlock()
	for _, e := range out {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// EnsureFolder implements syncer.Remote.
func (m *MemRemote) EnsureFolder(ctx context.Context, path string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	segs, err := split(path)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Mkdirs++
	var created []string
	n := m.root
	cur := ""
	for i, s := range segs {
		cur += "/" + s
		c := n.children[fold(s)]
		switch {
		case c == nil:
			c = newDir(s)
			c.parent = n
			if i == 0 {
				c.devType = "WORKSTATION"
			}
			n.children[fold(s)] = c
			created = append(created, cur)
		case !c.dir:
			return created, fmt.Errorf("memremote: mkdir %s: %s is a file: %w", path, cur, syncer.ErrExist)
		case c.trashed:
			c.trashed = false
			created = append(created, cur)
		}
		n = c
	}
	return created, nil
}

// parentFor finds or (below the mount point) creates the folders above a
// file; mu must be held.
func (m *MemRemote) parentFor(segs []string, path string) (*node, error) {
	if len(segs) < 3 {
		return nil, fmt.Errorf("memremote: %s: files live below /<device>/<mountpoint>: %w", path, syncer.ErrNotExist)
	}
	n := m.root
	for i, s := range segs[:len(segs)-1] {
		c := n.children[fold(s)]
		if c == nil || (c.trashed && i < 2) {
			if i < 2 {
				return nil, fmt.Errorf("memremote: %s: no device or mount point %s: %w", path, s, syncer.ErrNotExist)
			}
			if c == nil {
				c = newDir(s)
				c.parent = n
				n.children[fold(s)] = c
			}
		}
		if !c.dir {
			return nil, fmt.Errorf("memremote: %s: %s is a file: %w", path, s, syncer.ErrExist)
		}
		c.trashed = false
		n = c
	}
	return n, nil
}

// Upload implements syncer.Remote: dedup by md5+size, resume of a partial
// upload with the same md5+size, md5 verification of what arrived.
func (m *MemRemote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	var res syncer.UploadResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	segs, err := split(path)
	if err != nil {
		return res, err
	}
	want := strings.ToLower(meta.MD5)
	m.mu.Lock()
	m.stats.Uploads++
	parent, err := m.parentFor(segs, path)
	if err != nil {
		m.mu.Unlock()
		return res, err
	}
	name := segs[len(segs)-1]
	n := parent.children[fold(name)]
	if n != nil && n.dir && !n.trashed {
		m.mu.Unlock()
		return res, fmt.Errorf("memremote: upload %s: a folder has that name: %w", path, syncer.ErrExist)
	}
	if n == nil || n.dir {
		n = &node{name: name, parent: parent}
		parent.children[fold(name)] = n
	}
	n.trashed = false
	key := blobKey{want, meta.Size}
	if blob, ok := m.blobs[key]; ok {
		n.complete, n.data, n.md5, n.modified, n.partial = true, blob, want, meta.Modified, nil
		m.stats.Dedups++
		m.mu.Unlock()
		return syncer.UploadResult{Size: meta.Size, MD5: want, Deduplicated: true}, nil
	}
	if n.partial == nil || n.partial.md5 != want || n.partial.size != meta.Size {
		n.partial = &partial{md5: want, size: meta.Size}
	}
	p := n.partial
	start := int64(len(p.data))
	cut := m.cutAfter
	m.cutAfter = -1
	m.mu.Unlock()

	buf := make([]byte, meta.Size-start)
	var got int
	if len(buf) > 0 {
		got, err = src.ReadAt(buf, start)
		if err == io.EOF && got == len(buf) {
			err = nil
		}
	}
	if cut >= 0 && int64(got) > cut {
		got = int(cut)
		err = ErrConnectionCut
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.BytesReceived += int64(got)
	if n.partial == p {
		p.data = append(p.data, buf[:got]...)
	}
	res.BytesSent = int64(got)
	if err != nil {
		return res, fmt.Errorf("memremote: upload %s: %w", path, err)
	}
	if n.partial != p {
		return res, fmt.Errorf("memremote: upload %s: replaced by a concurrent upload", path)
	}
	sum := md5.Sum(p.data)
	if hex.EncodeToString(sum[:]) != want {
		n.partial = nil
		return res, fmt.Errorf("memremote: upload %s: %w", path, ErrCorrupt)
	}
	n.complete, n.data, n.md5, n.modified, n.partial = true, p.data, want, meta.Modified, nil
	m.blobs[key] = p.data
	res.Size, res.MD5 = int64(len(p.data)), want
	return res, nil
}

// MoveAside implements syncer.Remote: the in-memory remote keeps no
// trashed items in place, so it is a move.
func (m *MemRemote) MoveAside(ctx context.Context, from, to string, dir bool) error {
	return m.Move(ctx, from, to, dir)
}

// Move implements syncer.Remote.
func (m *MemRemote) Move(ctx context.Context, from, to string, dir bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fs, err := split(from)
	if err != nil {
		return err
	}
	ts, err := split(to)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Moves++
	src := m.lookup(fs)
	if src == nil || src.dir != dir || (!dir && !src.complete) || len(fs) < 3 {
		return fmt.Errorf("memremote: move %s: %w", from, syncer.ErrNotExist)
	}
	if len(ts) < 3 {
		return fmt.Errorf("memremote: move to %s: not below a mount point: %w", to, syncer.ErrNotExist)
	}
	dst := m.lookup(ts[:len(ts)-1])
	if dst == nil || !dst.dir {
		return fmt.Errorf("memremote: move to %s: parent folder: %w", to, syncer.ErrNotExist)
	}
	for a := dst; a != nil; a = a.parent {
		if a == src {
			return fmt.Errorf("memremote: move %s into itself", from)
		}
	}
	name := ts[len(ts)-1]
	if c := dst.children[fold(name)]; c != nil && !c.trashed && c != src {
		return fmt.Errorf("memremote: move to %s: %w", to, syncer.ErrExist)
	}
	delete(src.parent.children, fold(src.name))
	src.name = name
	src.parent = dst
	dst.children[fold(name)] = src
	return nil
}

// Trash implements syncer.Remote. Trashing a missing path succeeds, as on
// the server; using the file verb on a folder (or the reverse) fails.
func (m *MemRemote) Trash(ctx context.Context, path string, dir bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	segs, err := split(path)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Trashes++
	n := m.lookup(segs)
	if n == nil {
		return nil
	}
	if len(segs) < 3 {
		return fmt.Errorf("memremote: trash %s: devices and mount points cannot be trashed", path)
	}
	if n.dir != dir {
		return fmt.Errorf("memremote: trash %s: wrong verb for its type (dir=%v)", path, n.dir)
	}
	n.trashed = true
	return nil
}
