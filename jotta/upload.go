package jotta

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jottacloudclient/jotta/api"
)

// UploadOptions tunes one Upload. The zero value is fine.
type UploadOptions struct {
	// Progress is called with the number of bytes just handed to the
	// network. Bytes resent after a broken attempt are counted again.
	Progress func(n int64)
	// WrapReader wraps the body of each byte upload, e.g. with a bandwidth
	// limiter (see RateLimitedReader).
	WrapReader func(ctx context.Context, r io.Reader) io.Reader
	// MaxAttempts bounds allocate-and-send rounds (default
	// Options.UploadAttempts).
	MaxAttempts int
}

// UploadResult tells what an Upload did.
type UploadResult struct {
	// Deduplicated: the server already had the content; no byte was sent.
	Deduplicated bool
	// ResumedFrom is the offset the first round started at (bytes kept
	// from an earlier, broken upload of the same content).
	ResumedFrom int64
	// BytesSent counts the bytes handed to the network over all rounds.
	BytesSent int64
	// Attempts counts allocate-and-send rounds.
	Attempts int
	MD5      string    // the md5 the server stores, lowercase
	Size     int64     // the size the server stores
	Revision int       // the new current revision number
	File     *api.File // the file as re-read after the upload
}

// ErrChecksumMismatch reports that the server stores other content than
// the caller declared.
var ErrChecksumMismatch = errors.New("jotta: the server's md5 differs from the uploaded file's")

// Upload stores size bytes from src at p ("/<device>/<mountpoint>/…/name").
// md5 is the hex MD5 of the content (computed from src if empty). It
// allocates first: if the server already has the content (COMPLETED) no
// byte is sent; otherwise it sends from the server's resume position. When
// sending fails with a network error, a 5xx or 420 (incomplete), it
// allocates again and sends only what is still missing, up to
// opts.MaxAttempts rounds. On success the server's md5 and size are
// verified against the declared ones.
func (c *Client) Upload(ctx context.Context, p string, src io.ReaderAt, size int64, md5sum string,
	created, modified time.Time, opts UploadOptions) (*UploadResult, error) {
	const op = "upload"
	segs, err := checkPath(p)
	if err != nil {
		return nil, err
	}
	if len(segs) < 3 {
		return nil, opErr(op, p, errors.New("a file path needs a device, a mount point and a name"))
	}
	if size < 0 {
		return nil, opErr(op, p, fmt.Errorf("negative size %d", size))
	}
	if md5sum == "" {
		if md5sum, err = hashReaderAt(ctx, src, size); err != nil {
			return nil, opErr(op, p, err)
		}
	}
	md5sum = strings.ToLower(md5sum)
	if !isMD5(md5sum) {
		return nil, opErr(op, p, fmt.Errorf("%q is not a hex md5", md5sum))
	}
	maxAttempts := opts.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = c.uploadAttempts
	}
	areq := api.AllocateRequest{Path: "/jfs" + cleanPath(segs), Bytes: size, MD5: md5sum}
	if !created.IsZero() {
		areq.Created = api.FormatRFC3339(created)
	}
	if !modified.IsZero() {
		areq.Modified = api.FormatRFC3339(modified)
	}
	res := &UploadResult{}
	var reply *api.UploadResponse
	for {
		res.Attempts++
		var ar api.AllocateResponse
		if err := c.postJSON(ctx, "allocate", p, c.apiBase+"/files/v1/allocate", areq, &ar, true); err != nil {
			return res, err
		}
		if res.Attempts == 1 {
			res.ResumedFrom = ar.ResumePos
		}
		if strings.EqualFold(ar.State, api.StateCompleted) {
			res.Deduplicated = res.BytesSent == 0
			break
		}
		if ar.ResumePos < 0 || ar.ResumePos > size || ar.UploadURL == "" {
			return res, opErr(op, p, fmt.Errorf("allocate gave resume position %d of %d bytes and upload URL set=%v", ar.ResumePos, size, ar.UploadURL != ""))
		}
		reply, err = c.sendBytes(ctx, p, &ar, src, size, opts, res)
		if err == nil {
			break
		}
		if !uploadRetryable(ctx, err) || res.Attempts >= maxAttempts {
			return res, opErr(op, p, err)
		}
		wait := c.retry.backoff(res.Attempts)
		c.log.Info("jotta: upload broken off, resuming", "path", p, "attempt", res.Attempts, "wait", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return res, opErr(op, p, err)
		}
	}
	if reply != nil && reply.MD5 != "" && !strings.EqualFold(reply.MD5, md5sum) {
		return res, opErr(op, p, fmt.Errorf("%w: server has %s, file has %s", ErrChecksumMismatch, reply.MD5, md5sum))
	}
	f, err := c.File(ctx, p)
	if err != nil {
		return res, opErr(op, p, fmt.Errorf("re-read after upload: %w", err))
	}
	rev := f.CurrentRevision
	if !strings.EqualFold(rev.MD5, md5sum) || rev.Size != size {
		return res, opErr(op, p, fmt.Errorf("%w: server has %s (%d bytes), file has %s (%d bytes)", ErrChecksumMismatch, rev.MD5, rev.Size, md5sum, size))
	}
	res.MD5, res.Size, res.Revision, res.File = strings.ToLower(rev.MD5), rev.Size, rev.Number, f
	return res, nil
}

// sendBytes posts src[resume_pos:size] to the allocated upload URL.
func (c *Client) sendBytes(ctx context.Context, p string, ar *api.AllocateResponse, src io.ReaderAt, size int64,
	opts UploadOptions, res *UploadResult) (*api.UploadResponse, error) {
	pos := ar.ResumePos
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	if pos > 0 {
		h.Set("Range", "bytes="+strconv.FormatInt(pos, 10)+"-"+strconv.FormatInt(size-1, 10))
	}
	resp, err := c.do(ctx, &request{
		op: "upload bytes", path: p, method: http.MethodPost, url: ar.UploadURL, header: h,
		bodyFn: func() (io.Reader, int64) {
			var r io.Reader = io.NewSectionReader(src, pos, size-pos)
			r = &countingReader{r: r, res: res, progress: opts.Progress}
			if opts.WrapReader != nil {
				r = opts.WrapReader(ctx, r)
			}
			return r, size - pos
		},
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var ur api.UploadResponse
	if err := json.Unmarshal(body, &ur); err != nil {
		c.log.Debug("jotta: upload reply is not JSON", "path", p)
		return &api.UploadResponse{}, nil
	}
	return &ur, nil
}

// uploadRetryable reports failures after which a fresh allocate can
// resume the upload.
func uploadRetryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return retryableStatus(e.StatusCode) || e.StatusCode == 420 || e.StatusCode == 421
	}
	return retryableNetErr(ctx, err)
}

// countingReader counts the bytes the transport reads.
type countingReader struct {
	r        io.Reader
	res      *UploadResult
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.res.BytesSent += int64(n)
		if c.progress != nil {
			c.progress(int64(n))
		}
	}
	return n, err
}

func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// hashReaderAt computes the md5 of src[0:size], stopping when ctx ends.
func hashReaderAt(ctx context.Context, src io.ReaderAt, size int64) (string, error) {
	h := md5.New()
	buf := make([]byte, 256<<10)
	r := io.NewSectionReader(src, 0, size)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read source: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// postJSON posts in as JSON (no body if nil) and decodes the reply into out.
func (c *Client) postJSON(ctx context.Context, op, p, u string, in, out any, idempotent bool) error {
	r := &request{op: op, path: p, method: http.MethodPost, url: u, idempotent: idempotent,
		header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return opErr(op, p, err)
		}
		r.body = b
		r.header.Set("Content-Type", "application/json")
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return opErr(op, p, err)
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil {
		return opErr(op, p, fmt.Errorf("unreadable reply: %w", err))
	}
	return nil
}
