package jotta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"jottacloudclient/jotta/api"
)

// ErrNotDir reports that a folder operation met a file.
var ErrNotDir = errors.New("jotta: not a folder")

// ErrIsDir reports that a file operation met a folder.
var ErrIsDir = errors.New("jotta: is a folder")

// ListOptions widens what listings and Stat return. By default only live
// entries are visible: files with a COMPLETED revision that are not in the
// trash, and folders that are not in the trash.
type ListOptions struct {
	IncludeDeleted    bool // trashed files and folders (and a trashed target)
	IncludeIncomplete bool // files whose upload never completed
}

func (o ListOptions) keepFile(f *api.File) bool {
	return (o.IncludeDeleted || !f.IsDeleted()) && (o.IncludeIncomplete || f.IsComplete())
}

// Dir is one folder or mount point listing.
type Dir struct {
	Kind    string // api.KindFolder or api.KindMountPoint
	Name    string
	Path    string    // the user-relative path listed
	Deleted time.Time // set if the folder itself is in the trash
	Folders []api.Folder
	Files   []api.File
}

// Stat reads the entry at p: a file (with its revisions), folder or mount
// point. A trashed entry, or a file without a COMPLETED revision, is
// ErrNotExist unless opts include it.
func (c *Client) Stat(ctx context.Context, p string, opts ListOptions) (*api.Entry, error) {
	u, err := c.jfsURL(ctx, p, false, nil)
	if err != nil {
		return nil, opErr("stat", p, err)
	}
	var e api.Entry
	if err := c.getXML(ctx, "stat", p, u, &e); err != nil {
		return nil, err
	}
	switch e.Kind() {
	case api.KindFile:
		if !opts.keepFile(e.AsFile()) {
			return nil, opErr("stat", p, ErrNotExist)
		}
	case api.KindFolder, api.KindMountPoint, api.KindDevice, api.KindUser:
		if e.IsDeleted() && !opts.IncludeDeleted {
			return nil, opErr("stat", p, ErrNotExist)
		}
	case api.KindSearchResult, api.KindFileDirList:
		return nil, opErr("stat", p, fmt.Errorf("%w: it is a list of files JottaCloud computes, not a folder that can hold a backup", ErrNotDir))
	default:
		return nil, opErr("stat", p, fmt.Errorf("unexpected <%s> reply", e.Kind()))
	}
	return &e, nil
}

// File reads a live file with its revisions.
func (c *Client) File(ctx context.Context, p string) (*api.File, error) {
	e, err := c.Stat(ctx, p, ListOptions{})
	if err != nil {
		return nil, err
	}
	if e.Kind() != api.KindFile {
		return nil, opErr("read file", p, ErrIsDir)
	}
	return e.AsFile(), nil
}

// Revisions lists a file's stored versions, newest first: an INCOMPLETE or
// CORRUPT latest revision if there is one, the current COMPLETED one, then
// the older ones.
func (c *Client) Revisions(ctx context.Context, p string) ([]api.Revision, error) {
	e, err := c.Stat(ctx, p, ListOptions{IncludeDeleted: true, IncludeIncomplete: true})
	if err != nil {
		return nil, err
	}
	if e.Kind() != api.KindFile {
		return nil, opErr("list revisions", p, ErrIsDir)
	}
	var out []api.Revision
	if e.LatestRevision != nil {
		out = append(out, *e.LatestRevision)
	}
	if e.CurrentRevision != nil {
		out = append(out, *e.CurrentRevision)
	}
	return append(out, e.Revisions...), nil
}

// List reads the immediate children of a folder or mount point.
func (c *Client) List(ctx context.Context, p string, opts ListOptions) (*Dir, error) {
	e, err := c.Stat(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	if !e.IsDir() {
		return nil, opErr("list", p, ErrNotDir)
	}
	return dirFromEntry(p, e, opts), nil
}

func dirFromEntry(p string, e *api.Entry, opts ListOptions) *Dir {
	f := e.AsFolder()
	d := &Dir{Kind: e.Kind(), Name: f.Name, Path: p, Deleted: f.Deleted.Time}
	for i := range e.Folders {
		if opts.IncludeDeleted || !e.Folders[i].IsDeleted() {
			d.Folders = append(d.Folders, e.Folders[i])
		}
	}
	for i := range e.Files {
		if opts.keepFile(&e.Files[i]) {
			d.Files = append(d.Files, e.Files[i])
		}
	}
	return d
}

// ListTrash lists the trash: top-level trashed files and folders, each
// with Deleted set and AbsPath naming its original parent.
func (c *Client) ListTrash(ctx context.Context) (*Dir, error) {
	const p = "/Jotta/Trash"
	opts := ListOptions{IncludeDeleted: true, IncludeIncomplete: true}
	return c.List(ctx, p, opts)
}

// ListStream lists the whole tree below p with mode=liststream, decoding
// it as it arrives and calling fn for every folder and live file; memory
// does not grow with the tree. The *api.ListEntry is reused between calls.
// Folder paths are relative to the device ("/<mountpoint>/…"). If the
// trailing counts do not match what arrived, or the stream is cut, the
// error matches api.ErrListStreamMismatch or api.ErrListStreamTruncated and
// the entries seen must not be taken as the whole tree.
func (c *Client) ListStream(ctx context.Context, p string, fn func(*api.ListEntry) error) (api.ListStats, error) {
	u, err := c.jfsURL(ctx, p, false, url.Values{"mode": {"liststream"}})
	if err != nil {
		return api.ListStats{}, opErr("list tree", p, err)
	}
	resp, err := c.do(ctx, &request{op: "list tree", path: p, method: http.MethodGet, url: u, idempotent: true})
	if err != nil {
		return api.ListStats{}, opErr("list tree", p, err)
	}
	defer resp.Body.Close()
	st, err := api.DecodeListStream(resp.Body, fn)
	if err != nil {
		return st, opErr("list tree", p, err)
	}
	return st, nil
}
