package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
)

// Client is what a restore needs from the service.
type Client interface {
	Stat(ctx context.Context, p string, opts jotta.ListOptions) (*api.Entry, error)
	List(ctx context.Context, p string, opts jotta.ListOptions) (*jotta.Dir, error)
	Revisions(ctx context.Context, p string) ([]api.Revision, error)
	DownloadRevision(ctx context.Context, p string, rev int, offset, length int64) (io.ReadCloser, error)
}

// Version is one stored revision of a file.
type Version struct {
	Number   int       `json:"number"`
	Size     int64     `json:"size"`
	MD5      string    `json:"md5"`
	Modified time.Time `json:"modified"` // the file's own modification time
	Stored   time.Time `json:"stored"`   // when the server received it
	Current  bool      `json:"current"`
}

// entry is one remote file or folder of a catalog.
type entry struct {
	rel     string // '/'-separated below the root; "" for the root itself
	folder  bool
	deleted time.Time
	cur     *Version // the current COMPLETED revision (files)
	empty   bool     // folders: no files or folders below, live or trashed
}

// Catalog is everything a remote folder holds, live and trashed, as one
// listing walk found it; Snapshot turns it into the tree of a moment.
// Older revisions are read on demand and cached. A Catalog is safe for
// concurrent use.
type Catalog struct {
	c       Client
	root    string // user-relative remote path
	file    bool   // the root is a single file
	entries []entry

	mu   sync.Mutex
	revs map[string][]Version
}

// Load walks the remote folder (or file) at root, trashed items included.
func Load(ctx context.Context, c Client, root string) (*Catalog, error) {
	segs := api.SplitPath(root)
	if len(segs) < 2 {
		return nil, fmt.Errorf("%q is not a backup folder: give /<device>/<mountpoint>[/<path>]", root)
	}
	root = "/" + strings.Join(segs, "/")
	cat := &Catalog{c: c, root: root, revs: map[string][]Version{}}
	opts := jotta.ListOptions{IncludeDeleted: true}
	e, err := c.Stat(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	if e.Kind() == api.KindFile {
		// A single file: the catalog is its folder with just that entry.
		if len(segs) < 3 {
			return nil, fmt.Errorf("%s is not a file", root)
		}
		cat.file = true
		cat.root = "/" + strings.Join(segs[:len(segs)-1], "/")
		cat.entries = append(cat.entries, fileEntry(segs[len(segs)-1], e.AsFile()))
		return cat, nil
	}
	if !e.IsDir() {
		return nil, fmt.Errorf("%s is a %s, not a folder or file", root, e.Kind())
	}
	root0 := entry{folder: true, deleted: e.Deleted.Time}
	cat.entries = append(cat.entries, root0)
	if _, err := cat.walk(ctx, "", opts); err != nil {
		return nil, err
	}
	sort.Slice(cat.entries, func(i, j int) bool { return cat.entries[i].rel < cat.entries[j].rel })
	return cat, nil
}

// walk lists the folder rel and everything below it; it reports whether
// the folder has any children.
func (cat *Catalog) walk(ctx context.Context, rel string, opts jotta.ListOptions) (bool, error) {
	d, err := cat.c.List(ctx, cat.remote(rel), opts)
	if err != nil {
		if errors.Is(err, jotta.ErrNotExist) && rel != "" {
			return false, nil // gone while we walked
		}
		return false, err
	}
	for i := range d.Files {
		f := &d.Files[i]
		cat.entries = append(cat.entries, fileEntry(join(rel, f.Name), f))
	}
	for _, sub := range d.Folders {
		srel := join(rel, sub.Name)
		idx := len(cat.entries)
		cat.entries = append(cat.entries, entry{rel: srel, folder: true, deleted: sub.Deleted.Time})
		has, err := cat.walk(ctx, srel, opts)
		if err != nil {
			return false, err
		}
		cat.entries[idx].empty = !has
	}
	return len(d.Files)+len(d.Folders) > 0, nil
}

func fileEntry(rel string, f *api.File) entry {
	e := entry{rel: rel, deleted: f.Deleted.Time}
	if f.CurrentRevision != nil && strings.EqualFold(f.CurrentRevision.State, api.StateCompleted) {
		v := version(*f.CurrentRevision)
		v.Current = true
		e.cur = &v
	}
	return e
}

func version(r api.Revision) Version {
	stored := r.Updated.Time
	if stored.IsZero() {
		stored = r.Created.Time
	}
	if stored.IsZero() {
		stored = r.Modified.Time
	}
	return Version{Number: r.Number, Size: r.Size, MD5: strings.ToLower(r.MD5), Modified: r.Modified.Time, Stored: stored}
}

// Root is the remote folder the snapshot paths are relative to (the
// parent folder when a single file was loaded).
func (cat *Catalog) Root() string { return cat.root }

// IsFile reports whether a single file was loaded.
func (cat *Catalog) IsFile() bool { return cat.file }

func (cat *Catalog) remote(rel string) string {
	if rel == "" {
		return cat.root
	}
	return cat.root + "/" + rel
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Days returns the local calendar days on which something below the root
// was stored or trashed, newest first, as midnight in loc. Older revisions
// are not listed by the server, so their days appear once read.
func (cat *Catalog) Days(loc *time.Location) []time.Time {
	seen := map[time.Time]bool{}
	add := func(t time.Time) {
		if !t.IsZero() {
			l := t.In(loc)
			seen[time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)] = true
		}
	}
	cat.mu.Lock()
	for _, vs := range cat.revs {
		for _, v := range vs {
			add(v.Stored)
		}
	}
	cat.mu.Unlock()
	for _, e := range cat.entries {
		add(e.deleted)
		if e.cur != nil {
			add(e.cur.Stored)
		}
	}
	out := make([]time.Time, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].After(out[j]) })
	return out
}

// Versions lists the stored revisions of the file rel (a path below the
// root), newest first; only COMPLETED ones, which are
// the ones that can be restored.
func (cat *Catalog) Versions(ctx context.Context, rel string) ([]Version, error) {
	cat.mu.Lock()
	vs, ok := cat.revs[rel]
	cat.mu.Unlock()
	if ok {
		return vs, nil
	}
	revs, err := cat.c.Revisions(ctx, cat.remote(rel))
	if err != nil {
		return nil, err
	}
	vs = completed(revs)
	cat.mu.Lock()
	cat.revs[rel] = vs
	cat.mu.Unlock()
	return vs, nil
}

func completed(revs []api.Revision) []Version {
	var out []Version
	for _, r := range revs {
		if strings.EqualFold(r.State, api.StateCompleted) {
			out = append(out, version(r))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	if len(out) > 0 {
		out[0].Current = true
	}
	return out
}

// Versions lists the stored revisions of one remote file, newest first.
func Versions(ctx context.Context, c Client, p string) ([]Version, error) {
	revs, err := c.Revisions(ctx, p)
	if err != nil {
		return nil, err
	}
	return completed(revs), nil
}

// Mode says which state of the remote folder a snapshot shows.
type Mode int

const (
	Latest  Mode = iota // what is backed up now (trash left out)
	AsOf                // as of a moment: revisions stored by then, minus what was trashed by then
	Trashed             // only what is in the trash now
)

// When picks the state of a snapshot.
type When struct {
	Mode Mode
	At   time.Time // AsOf only
}

// File is one file of a snapshot: which revision to fetch and its facts.
type File struct {
	Rel      string    `json:"path"` // '/'-separated remote names below the root
	Revision int       `json:"revision"`
	Size     int64     `json:"size"`
	MD5      string    `json:"md5"`
	Modified time.Time `json:"modified"`
	Stored   time.Time `json:"stored"`
	Trashed  bool      `json:"trashed,omitempty"` // in the trash now
	Current  bool      `json:"-"`                 // the newest revision
}

// Snapshot is the tree of one moment: its folders and files, sorted by path.
type Snapshot struct {
	Root    string   // the catalog's remote root
	Folders []string // '/'-separated below the root, parents first
	Files   []File
}

// Snapshot resolves the catalog at w. For a moment in the past it reads the
// revision list of every file changed since (one request each).
func (cat *Catalog) Snapshot(ctx context.Context, w When) (*Snapshot, error) {
	s := &Snapshot{Root: cat.root}
	hasFiles := map[string]bool{}
	for _, e := range cat.entries {
		if e.folder {
			continue
		}
		f, ok, err := cat.pick(ctx, e, w)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		s.Files = append(s.Files, f)
		for d := path.Dir(e.rel); d != "." && !hasFiles[d]; d = path.Dir(d) {
			hasFiles[d] = true
		}
	}
	for _, e := range cat.entries {
		if !e.folder || e.rel == "" {
			continue
		}
		keep := hasFiles[e.rel]
		if !keep && e.empty {
			switch w.Mode {
			case Latest:
				keep = e.deleted.IsZero()
			case Trashed:
				keep = !e.deleted.IsZero()
			case AsOf:
				keep = e.deleted.IsZero() || e.deleted.After(w.At)
			}
		}
		if keep {
			s.Folders = append(s.Folders, e.rel)
		}
	}
	return s, nil
}

// pick chooses the revision of e that w shows, if any.
func (cat *Catalog) pick(ctx context.Context, e entry, w When) (File, bool, error) {
	trashed := !e.deleted.IsZero()
	switch w.Mode {
	case Latest:
		if trashed || e.cur == nil {
			return File{}, false, nil
		}
		return fileOf(e, *e.cur), true, nil
	case Trashed:
		if !trashed || e.cur == nil {
			return File{}, false, nil
		}
		return fileOf(e, *e.cur), true, nil
	}
	if trashed && !e.deleted.After(w.At) {
		return File{}, false, nil // already in the trash then
	}
	if e.cur != nil && !e.cur.Stored.After(w.At) {
		return fileOf(e, *e.cur), true, nil
	}
	vs, err := cat.Versions(ctx, e.rel)
	if errors.Is(err, jotta.ErrNotExist) {
		return File{}, false, nil // removed for good meanwhile
	}
	if err != nil {
		return File{}, false, err
	}
	for _, v := range vs {
		if !v.Stored.After(w.At) {
			return fileOf(e, v), true, nil
		}
	}
	return File{}, false, nil
}

func fileOf(e entry, v Version) File {
	return File{Rel: e.rel, Revision: v.Number, Size: v.Size, MD5: v.MD5, Modified: v.Modified,
		Stored: v.Stored, Trashed: !e.deleted.IsZero(), Current: v.Current}
}
