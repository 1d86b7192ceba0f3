package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"jottacloudclient/app/message"
	"jottacloudclient/jotta"
	"jottacloudclient/jotta/api"
	"jottacloudclient/syncer"

	"golang.org/x/sync/errgroup"
)

// Remote adapts a jotta.Client to the engine's syncer.Remote.
type Remote struct {
	c *jotta.Client
}

var _ syncer.Remote = (*Remote)(nil)

// NewRemote returns the engine's view of the account behind c.
func NewRemote(c *jotta.Client) *Remote { return &Remote{c: c} }

// Client returns the underlying protocol client.
func (r *Remote) Client() *jotta.Client { return r.c }

// List streams the tree below root with one liststream request. Entry paths
// are made relative to root by position, so the server's casing of root
// does not matter.
func (r *Remote) List(ctx context.Context, root string, fn func(syncer.Entry) error) error {
	segs := api.SplitPath(root)
	if len(segs) < 2 {
		return fmt.Errorf("list %s: a remote root needs a device and a mount point", root)
	}
	if err := checkTarget(segs); err != nil {
		return fmt.Errorf("list %s: %w", root, err)
	}
	depth := len(segs) - 1 // segments of root below the device
	rel := func(p string) (string, bool) {
		s := api.SplitPath(p)
		if len(s) < depth {
			return "", false
		}
		return strings.Join(s[depth:], "/"), true
	}
	var cbErr error
	_, err := r.c.ListStream(ctx, root, func(e *api.ListEntry) error {
		if e.Folder {
			p, ok := rel(e.Path)
			if !ok || p == "" {
				return nil // root itself
			}
			cbErr = fn(syncer.Entry{Path: p, Dir: true})
			return cbErr
		}
		dir, ok := rel(e.Path)
		if !ok {
			return fmt.Errorf("list %s: file %q outside the listed folder", root, e.Path+"/"+e.Name)
		}
		p := e.Name
		if dir != "" {
			p = dir + "/" + e.Name
		}
		cbErr = fn(syncer.Entry{Path: p, Size: e.Size, MD5: strings.ToLower(e.MD5), Modified: e.Modified})
		return cbErr
	})
	if err != nil && cbErr != nil && errors.Is(err, cbErr) {
		return cbErr
	}
	return mapErr(err)
}

// EnsureFolder creates what is missing of path: the device (as a
// WORKSTATION), the mount point and the folders, reporting what it made.
func (r *Remote) EnsureFolder(ctx context.Context, path string) ([]string, error) {
	segs := api.SplitPath(path)
	if len(segs) < 2 {
		return nil, fmt.Errorf("create %s: a remote folder needs a device and a mount point", path)
	}
	if err := checkTarget(segs); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	exists, err := r.exists(ctx, segs)
	if err != nil || exists {
		return nil, err
	}
	// Common case while a pass creates a new tree: the parent is there.
	if len(segs) > 2 {
		parentOK, err := r.exists(ctx, segs[:len(segs)-1])
		if err != nil {
			return nil, err
		}
		if parentOK {
			if err := r.c.Mkdir(ctx, path); err != nil {
				return nil, mapErr(err)
			}
			return []string{path}, nil
		}
	}
	var created []string
	dev, err := r.c.Device(ctx, segs[0])
	switch {
	case errors.Is(err, jotta.ErrNotExist):
		if err := r.c.CreateDevice(ctx, segs[0], jotta.DeviceWorkstation); err != nil {
			return nil, mapErr(err)
		}
		created = append(created, "/"+segs[0])
		dev = &api.Device{}
	case err != nil:
		return nil, mapErr(err)
	}
	if !hasMountPoint(dev, segs[1]) {
		if err := r.c.CreateMountPoint(ctx, segs[0], segs[1]); err != nil {
			return created, mapErr(err)
		}
		created = append(created, "/"+segs[0]+"/"+segs[1])
	}
	if len(segs) == 2 {
		return created, nil
	}
	// Find the first missing folder below the mount point, then mkdir -p.
	first := 3
	for ; first <= len(segs); first++ {
		ok, err := r.exists(ctx, segs[:first])
		if err != nil {
			return created, err
		}
		if !ok {
			break
		}
	}
	if err := r.c.Mkdir(ctx, path); err != nil {
		return created, mapErr(err)
	}
	for i := first; i <= len(segs); i++ {
		created = append(created, "/"+strings.Join(segs[:i], "/"))
	}
	return created, nil
}

// checkTarget refuses a remote folder on a virtual mount point of the
// built-in device, which is not a folder and cannot hold a backup.
func checkTarget(segs []string) error {
	if info := jotta.ClassifyMountPoint(segs[0], segs[1]); !info.Target() {
		return errors.New(info.Note)
	}
	return nil
}

func hasMountPoint(d *api.Device, name string) bool {
	for _, mp := range d.MountPoints {
		if strings.EqualFold(mp.Name, name) && mp.Deleted.IsZero() {
			return true
		}
	}
	return false
}

// exists reports whether the live folder or mount point at segs exists.
func (r *Remote) exists(ctx context.Context, segs []string) (bool, error) {
	_, err := r.c.Stat(ctx, "/"+strings.Join(segs, "/"), jotta.ListOptions{})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jotta.ErrNotExist):
		return false, nil
	default:
		return false, mapErr(err)
	}
}

// Upload allocates and sends the file; the client resumes from the
// server's position and verifies the stored md5.
func (r *Remote) Upload(ctx context.Context, path string, src io.ReaderAt, meta syncer.FileMeta) (syncer.UploadResult, error) {
	res, err := r.c.Upload(ctx, path, src, jotta.UploadMeta{Size: meta.Size, MD5: meta.MD5, Created: orNow(meta.Created, meta.Modified), Modified: meta.Modified}, jotta.UploadOptions{})
	if err != nil {
		var sent int64
		if res != nil {
			sent = res.BytesSent
		}
		return syncer.UploadResult{BytesSent: sent}, mapErr(err)
	}
	return syncer.UploadResult{
		Size:         res.Size,
		MD5:          strings.ToLower(res.MD5),
		BytesSent:    res.BytesSent,
		Deduplicated: res.Deduplicated,
	}, nil
}

func orNow(t, fallback time.Time) time.Time {
	if !t.IsZero() {
		return t
	}
	return fallback
}

// Move renames a file or folder; a live destination is refused with
// syncer.ErrExist rather than overwritten.
//
// The rename keeps the history true for a restore as of an earlier time:
// instead of a server-side move, which would carry the old revisions to the
// new name as if they had always lived there, the content is copied to the
// new path from what the server already has (cphash: no bytes are sent, and
// the copy is stored now) and the old path goes to the trash now. A restore
// as of before the rename then finds the old name, and one as of after it
// the new name.
func (r *Remote) Move(ctx context.Context, from, to string, dir bool) error {
	if err := r.destinationFree(ctx, from, to); err != nil {
		return err
	}
	if dir {
		if err := r.copyTree(ctx, from, to); err != nil {
			return err
		}
		return mapErr(r.c.TrashDir(ctx, from))
	}
	f, err := r.c.File(ctx, from)
	if err != nil {
		return mapErr(err)
	}
	rev := f.CurrentRevision
	if _, err := r.c.CopyHash(ctx, to, strings.ToLower(rev.MD5), rev.Size, rev.Created.Time, rev.Modified.Time); err != nil {
		return mapErr(err)
	}
	return mapErr(r.c.TrashFile(ctx, from))
}

// MoveAside renames an item in the way of a new one of the other kind with
// a server-side move: its revisions go along and nothing, not even a
// tombstone that would block the new item, stays at from.
func (r *Remote) MoveAside(ctx context.Context, from, to string, dir bool) error {
	if err := r.destinationFree(ctx, from, to); err != nil {
		return err
	}
	if dir {
		return mapErr(r.c.MoveDir(ctx, from, to))
	}
	return mapErr(r.c.MoveFile(ctx, from, to))
}

// destinationFree refuses a move onto a live item with syncer.ErrExist.
func (r *Remote) destinationFree(ctx context.Context, from, to string) error {
	taken, err := r.exists(ctx, api.SplitPath(to))
	switch {
	case err != nil:
		return err
	case taken:
		return fmt.Errorf("move %s to %s: %w", from, to, syncer.ErrExist)
	}
	return nil
}

// copyTree recreates the folder from at to, folders and files, from
// content the server already has. Folders are made first, parents before
// children; the files are then copied copyTreeParallel at a time, since a
// renamed folder costs a request or two per file and each one waits a
// round trip.
func (r *Remote) copyTree(ctx context.Context, from, to string) error {
	if err := r.c.Mkdir(ctx, to); err != nil {
		return mapErr(err)
	}
	var files []syncer.Entry
	err := r.List(ctx, from, func(e syncer.Entry) error {
		if e.Dir {
			return mapErr(r.c.Mkdir(ctx, to+"/"+e.Path))
		}
		files = append(files, e)
		return nil
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(copyTreeParallel)
	for _, e := range files {
		g.Go(func() error {
			_, err := r.c.CopyHash(gctx, to+"/"+e.Path, e.MD5, e.Size, e.Modified, e.Modified)
			return mapErr(err)
		})
	}
	return g.Wait()
}

// copyTreeParallel is how many files of a renamed folder are copied at
// once.
const copyTreeParallel = 8

// Trash moves a file or folder to JottaCloud's trash.
func (r *Remote) Trash(ctx context.Context, path string, dir bool) error {
	if dir {
		return mapErr(r.c.TrashDir(ctx, path))
	}
	return mapErr(r.c.TrashFile(ctx, path))
}

// statusQuotaExceeded is JottaCloud's reply to an upload that does not fit.
const statusQuotaExceeded = 460

// mapErr adds the engine's sentinels to client errors, keeping the
// original chain for messages and errors.As.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var ne *jotta.NameError
	var je *jotta.Error
	switch {
	case errors.As(err, &ne):
		return fmt.Errorf("%w: %w", syncer.ErrNameRejected, err)
	case errors.Is(err, jotta.ErrNotExist):
		return fmt.Errorf("%w: %w", syncer.ErrNotExist, err)
	case errors.Is(err, jotta.ErrSignInRequired):
		return fmt.Errorf("%w: %w", syncer.ErrUnauthorized, err)
	case errors.As(err, &je) && je.StatusCode == statusQuotaExceeded:
		return fmt.Errorf("%w: %w", syncer.ErrQuota, err)
	}
	if k := message.For(err).Kind; k == message.KindOffline || k == message.KindServer {
		return fmt.Errorf("%w: %w", syncer.ErrUnavailable, err)
	}
	return err
}
