package jotta

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"jottacloudclient/jotta/api"
)

// command POSTs a JFS command (no body, no content type) to p.
func (c *Client) command(ctx context.Context, op, p string, trailingSlash bool, q url.Values, idempotent bool,
	verify func(context.Context) (bool, error)) error {
	u, err := c.jfsURL(ctx, p, trailingSlash, q)
	if err != nil {
		return opErr(op, p, err)
	}
	return opErr(op, p, c.doDiscard(ctx, &request{
		op: op, path: p, method: http.MethodPost, url: u, idempotent: idempotent, verify: verify,
	}))
}

// Mkdir creates the folder p and any missing parents; an existing folder
// is fine.
func (c *Client) Mkdir(ctx context.Context, p string) error {
	return c.command(ctx, "mkdir", p, false, url.Values{"mkDir": {"true"}}, true, nil)
}

// TrashFile moves the file p to the trash.
func (c *Client) TrashFile(ctx context.Context, p string) error {
	return c.command(ctx, "trash", p, false, url.Values{"dl": {"true"}}, true, nil)
}

// TrashDir moves the folder p and everything below it to the trash.
func (c *Client) TrashDir(ctx context.Context, p string) error {
	return c.command(ctx, "trash folder", p, false, url.Values{"dlDir": {"true"}}, true, nil)
}

// DeleteFile deletes the file p permanently (also from the trash).
func (c *Client) DeleteFile(ctx context.Context, p string) error {
	return c.command(ctx, "delete", p, false, url.Values{"rm": {"true"}}, false, c.goneCheck(p))
}

// DeleteDir deletes the folder p and its contents permanently.
func (c *Client) DeleteDir(ctx context.Context, p string) error {
	return c.command(ctx, "delete folder", p, false, url.Values{"rmDir": {"true"}}, false, c.goneCheck(p))
}

// goneCheck verifies a permanent delete: p no longer exists at all.
func (c *Client) goneCheck(p string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.Stat(ctx, p, ListOptions{IncludeDeleted: true, IncludeIncomplete: true})
		if errors.Is(err, ErrNotExist) {
			return true, nil
		}
		return false, err
	}
}

// movedCheck verifies a move: dst is live and src is gone (or trashed).
func (c *Client) movedCheck(src, dst string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		if _, err := c.Stat(ctx, dst, ListOptions{}); err != nil {
			if errors.Is(err, ErrNotExist) {
				return false, nil
			}
			return false, err
		}
		_, err := c.Stat(ctx, src, ListOptions{})
		if errors.Is(err, ErrNotExist) {
			return true, nil
		}
		return false, err
	}
}

// existsCheck verifies a copy: dst is live.
func (c *Client) existsCheck(dst string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := c.Stat(ctx, dst, ListOptions{})
		if errors.Is(err, ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
}

// prepareDest checks dst, creates its parent folder unless it is src's
// parent (a rename in place), and returns dst's absolute JFS path.
func (c *Client) prepareDest(ctx context.Context, src, dst string) (string, error) {
	srcSegs, err := checkPath(src)
	if err != nil {
		return "", err
	}
	segs, err := checkPath(dst)
	if err != nil {
		return "", err
	}
	srcParent, _ := parentPath(srcSegs)
	if parent, isFolder := parentPath(segs); isFolder && parent != srcParent {
		if err := c.Mkdir(ctx, parent); err != nil {
			return "", err
		}
	}
	return c.absPath(ctx, dst)
}

// MoveFile moves or renames the file src to dst (both user-relative),
// creating dst's parent folder.
func (c *Client) MoveFile(ctx context.Context, src, dst string) error {
	abs, err := c.prepareDest(ctx, src, dst)
	if err != nil {
		return opErr("move", src, err)
	}
	return c.command(ctx, "move", src, false, url.Values{"mv": {abs}}, false, c.movedCheck(src, dst))
}

// MoveDir moves or renames the folder src to dst.
func (c *Client) MoveDir(ctx context.Context, src, dst string) error {
	abs, err := c.prepareDest(ctx, src, dst)
	if err != nil {
		return opErr("move folder", src, err)
	}
	return c.command(ctx, "move folder", src, true, url.Values{"mvDir": {abs}}, false, c.movedCheck(src, dst))
}

// CopyFile copies the file src to dst on the server side.
func (c *Client) CopyFile(ctx context.Context, src, dst string) error {
	abs, err := c.prepareDest(ctx, src, dst)
	if err != nil {
		return opErr("copy", src, err)
	}
	return c.command(ctx, "copy", src, false, url.Values{"cp": {abs}}, false, c.existsCheck(dst))
}

// CopyHash asks the server to make p hold the content with this md5 and
// size without uploading it: it sets the times of an identical file,
// restores one from the trash, or deduplicates known content. When the
// server does not know the content the error matches ErrNotExist and an
// upload is needed.
func (c *Client) CopyHash(ctx context.Context, p, md5 string, size int64, created, modified time.Time) (*api.File, error) {
	const op = "cphash"
	u, err := c.jfsURL(ctx, p, false, url.Values{"cphash": {"true"}})
	if err != nil {
		return nil, opErr(op, p, err)
	}
	h := http.Header{
		"JMd5":  {md5},
		"JSize": {strconv.FormatInt(size, 10)},
	}
	if !created.IsZero() {
		h.Set("JCreated", api.FormatTime(created))
	}
	if !modified.IsZero() {
		h.Set("JModified", api.FormatTime(modified))
	}
	resp, err := c.do(ctx, &request{op: op, path: p, method: http.MethodPost, url: u, header: h, idempotent: true})
	if err != nil {
		return nil, opErr(op, p, err)
	}
	drain(resp)
	return c.File(ctx, p)
}

// PurgeTrash empties the trash permanently.
func (c *Client) PurgeTrash(ctx context.Context) (api.PurgeTrashResponse, error) {
	var out api.PurgeTrashResponse
	err := c.postJSON(ctx, "empty trash", "", c.apiBase+"/files/v1/purge_trash", nil, &out, true)
	return out, err
}
