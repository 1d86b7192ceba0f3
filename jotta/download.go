package jotta

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Download opens the current revision of the file p for reading from
// offset; length < 0 reads to the end. The caller closes the reader.
func (c *Client) Download(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	return c.DownloadRevision(ctx, p, 0, offset, length)
}

// DownloadRevision is Download of revision number rev (an older version
// kept by the server, or the revision of a trashed file); rev 0 means the
// current one.
func (c *Client) DownloadRevision(ctx context.Context, p string, rev int, offset, length int64) (io.ReadCloser, error) {
	const op = "download"
	if rev < 0 {
		return nil, opErr(op, p, fmt.Errorf("negative revision %d", rev))
	}
	if offset < 0 {
		return nil, opErr(op, p, fmt.Errorf("negative offset %d", offset))
	}
	if _, err := checkPath(p); err != nil {
		return nil, err
	}
	if length == 0 {
		return io.NopCloser(&io.LimitedReader{}), nil
	}
	q := url.Values{"mode": {"bin"}}
	if rev > 0 {
		q.Set("revision", strconv.Itoa(rev))
	}
	u, err := c.jfsURL(ctx, p, false, q)
	if err != nil {
		return nil, opErr(op, p, err)
	}
	h := http.Header{}
	if offset > 0 || length > 0 {
		rng := "bytes=" + strconv.FormatInt(offset, 10) + "-"
		if length > 0 {
			rng += strconv.FormatInt(offset+length-1, 10)
		}
		h.Set("Range", rng)
	}
	resp, err := c.do(ctx, &request{op: op, path: p, method: http.MethodGet, url: u, header: h, idempotent: true})
	if err != nil {
		return nil, opErr(op, p, err)
	}
	body := resp.Body
	if resp.StatusCode != http.StatusPartialContent && offset > 0 {
		// The server ignored the range: skip to the offset ourselves.
		if _, err := io.CopyN(io.Discard, body, offset); err != nil {
			body.Close()
			return nil, opErr(op, p, fmt.Errorf("skip to offset %d: %w", offset, err))
		}
	}
	if length > 0 {
		return struct {
			io.Reader
			io.Closer
		}{io.LimitReader(body, length), body}, nil
	}
	return body, nil
}
