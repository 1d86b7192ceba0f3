package jotta

import (
	"cmp"
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
	"sync"
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

// UploadMeta describes the content of one Upload.
type UploadMeta struct {
	Size int64
	// MD5 is the hex MD5 of the content; empty means Upload computes it
	// from src first.
	MD5      string
	Created  time.Time // zero: the server uses its clock
	Modified time.Time // zero: the server uses its clock
}

// How an upload was confirmed (UploadResult.ConfirmedBy).
const (
	// ConfirmedByAllocate: the server answered the allocation of this
	// path, size and md5 with COMPLETED (it already had the content).
	ConfirmedByAllocate = "allocate"
	// ConfirmedByReply: the upload reply carried the stored md5 and size.
	ConfirmedByReply = "upload reply"
	// ConfirmedByReread: the reply lacked them, so the file was read back.
	ConfirmedByReread = "re-read"
)

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
	MD5      string // the md5 the server confirmed, lowercase
	Size     int64  // the size the server confirmed
	// ConfirmedBy says which server answer confirmed MD5 and Size (one of
	// the ConfirmedBy constants).
	ConfirmedBy string
}

// ErrChecksumMismatch reports that the server stores other content than
// the caller declared.
var ErrChecksumMismatch = errors.New("jotta: the server's md5 differs from the uploaded file's")

// Upload stores meta.Size bytes from src at p ("/<device>/<mountpoint>/…/name").
// It allocates first: if the server already has the content (COMPLETED) no
// byte is sent; otherwise it sends from the server's resume position. When
// sending fails with a network error, a 5xx or 420 (incomplete), it
// allocates again and sends only what is still missing, up to
// opts.MaxAttempts rounds.
//
// It returns only once the server confirmed the md5 and size: from the
// allocate answer (COMPLETED for exactly this path, size and md5), from the
// upload reply (which carries the stored md5 and size), or, when a reply
// lacks them, by reading the file back. A new file costs two requests, a
// deduplicated one one. A confirmed md5 or size other than declared gives
// ErrChecksumMismatch.
func (c *Client) Upload(ctx context.Context, p string, src io.ReaderAt, meta UploadMeta, opts UploadOptions) (*UploadResult, error) {
	const op = "upload"
	segs, err := checkPath(p)
	if err != nil {
		return nil, err
	}
	if len(segs) < 3 {
		return nil, opErr(op, p, errors.New("a file path needs a device, a mount point and a name"))
	}
	size := meta.Size
	if size < 0 {
		return nil, opErr(op, p, fmt.Errorf("negative size %d", size))
	}
	md5sum := meta.MD5
	if md5sum == "" {
		if md5sum, err = hashReaderAt(ctx, src, size); err != nil {
			return nil, opErr(op, p, err)
		}
	}
	md5sum = strings.ToLower(md5sum)
	if !isMD5(md5sum) {
		return nil, opErr(op, p, fmt.Errorf("%q is not a hex md5", md5sum))
	}
	areq := api.AllocateRequest{Path: "/jfs" + cleanPath(segs), Bytes: size, MD5: md5sum}
	if !meta.Created.IsZero() {
		areq.Created = api.FormatRFC3339(meta.Created)
	}
	if !meta.Modified.IsZero() {
		areq.Modified = api.FormatRFC3339(meta.Modified)
	}
	res := &UploadResult{}
	var reply *api.UploadResponse
	var alloc api.AllocateResponse
	err = c.pacer.call(ctx, cmp.Or(opts.MaxAttempts, c.uploadAttempts), func(ctx context.Context, n int) (bool, error) {
		res.Attempts = n
		alloc = api.AllocateResponse{}
		if err := c.postJSON(ctx, "allocate", p, c.apiBase+"/files/v1/allocate", areq, &alloc, true); err != nil {
			return false, err
		}
		if n == 1 {
			res.ResumedFrom = alloc.ResumePos
		}
		if strings.EqualFold(alloc.State, api.StateCompleted) {
			res.Deduplicated = res.BytesSent == 0
			return false, nil
		}
		if alloc.ResumePos < 0 || alloc.ResumePos > size || alloc.UploadURL == "" {
			return false, opErr(op, p, fmt.Errorf("allocate gave resume position %d of %d bytes and upload URL set=%v", alloc.ResumePos, size, alloc.UploadURL != ""))
		}
		var err error
		if reply, err = c.sendBytes(ctx, p, &alloc, src, size, opts, res); err == nil {
			return false, nil
		}
		retry := uploadRetryable(ctx, err)
		if retry {
			c.log.Info("jotta: upload broken off, resuming", "path", p, "attempt", n, "err", err)
		}
		return retry, opErr(op, p, err)
	})
	if err != nil {
		return res, err
	}
	if err := c.confirmUpload(ctx, p, areq, &alloc, reply, res); err != nil {
		return res, opErr(op, p, err)
	}
	return res, nil
}

// confirmUpload fills res.MD5, res.Size and res.ConfirmedBy from the
// server's answers, reading the file back only when they do not say. It is
// tolerant of reply shapes and strict about facts: a field that is there
// must match; a field that is missing is asked for.
func (c *Client) confirmUpload(ctx context.Context, p string, areq api.AllocateRequest, alloc *api.AllocateResponse,
	reply *api.UploadResponse, res *UploadResult) error {
	mismatch := func(md5sum string, size int64) error {
		return fmt.Errorf("%w: server has %s (%d bytes), file has %s (%d bytes)", ErrChecksumMismatch, md5sum, size, areq.MD5, areq.Bytes)
	}
	if reply == nil { // allocate said COMPLETED
		if alloc.Bytes != nil && *alloc.Bytes != areq.Bytes {
			return mismatch(areq.MD5, *alloc.Bytes)
		}
		if alloc.Path == "" || strings.EqualFold(alloc.Path, areq.Path) {
			res.MD5, res.Size, res.ConfirmedBy = areq.MD5, areq.Bytes, ConfirmedByAllocate
			return nil
		}
		c.log.Debug("jotta: allocate answered for another path; reading the file back", "path", p)
	} else {
		if reply.MD5 != "" && !strings.EqualFold(reply.MD5, areq.MD5) || reply.Bytes != nil && *reply.Bytes != areq.Bytes {
			return mismatch(reply.MD5, derefOr(reply.Bytes, -1))
		}
		if reply.State != "" && !strings.EqualFold(reply.State, api.StateCompleted) {
			return fmt.Errorf("the upload reply says %s, not %s", reply.State, api.StateCompleted)
		}
		if reply.MD5 != "" && reply.Bytes != nil {
			res.MD5, res.Size, res.ConfirmedBy = strings.ToLower(reply.MD5), *reply.Bytes, ConfirmedByReply
			return nil
		}
		c.log.Debug("jotta: the upload reply lacks the md5 or size; reading the file back", "path", p)
	}
	f, err := c.File(ctx, p)
	if err != nil {
		return fmt.Errorf("re-read after upload: %w", err)
	}
	rev := f.CurrentRevision
	if !strings.EqualFold(rev.MD5, areq.MD5) || rev.Size != areq.Bytes {
		return mismatch(rev.MD5, rev.Size)
	}
	res.MD5, res.Size, res.ConfirmedBy = strings.ToLower(rev.MD5), rev.Size, ConfirmedByReread
	return nil
}

func derefOr(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

// sendBytes posts src[resume_pos:size] to the allocated upload URL.
func (c *Client) sendBytes(ctx context.Context, p string, ar *api.AllocateResponse, src io.ReaderAt, size int64,
	opts UploadOptions, res *UploadResult) (*api.UploadResponse, error) {
	pos := ar.ResumePos
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	if pos > 0 {
		h.Set("Range", "bytes="+strconv.FormatInt(pos, 10)+"-"+strconv.FormatInt(size-1, 10))
	}
	// net/http may go on reading a request body after the reply came
	// (it closes bodies in the background): a body stops counting before
	// the next one (a resend after a refreshed sign-in, or the next
	// attempt) starts.
	var bodies []*countingReader
	stopAll := func() {
		for _, b := range bodies {
			b.stop()
		}
	}
	defer stopAll()
	resp, err := c.do(ctx, &request{
		op: "upload bytes", path: p, method: http.MethodPost, url: ar.UploadURL, header: h,
		bodyFn: func() (io.Reader, int64) {
			stopAll()
			cr := &countingReader{r: io.NewSectionReader(src, pos, size-pos), res: res, progress: opts.Progress}
			bodies = append(bodies, cr)
			var r io.Reader = cr
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
		return &api.UploadResponse{}, nil // confirmUpload reads the file back
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
		return retryableStatus(e.StatusCode) || e.StatusCode == 420 || e.StatusCode == 421 ||
			uploadBusy(e) || uploadMovedOn(e)
	}
	return retryableNetErr(ctx, err)
}

// uploadBusy reports the answer that another request is still sending to
// the same upload URL — often this client's own, broken off a moment ago
// (a pass interrupted and started again) and not yet noticed by the
// server. Waiting and allocating again resumes where that one stopped.
func uploadBusy(e *Error) bool {
	return e.StatusCode == http.StatusConflict && e.Exception == "UploadInProgressException"
}

// uploadMovedOn reports the answer that the upload URL expects another
// start than the one sent: between the allocate and the send, another
// request (often this client's own, broken off a moment ago) stored more
// bytes. A fresh allocate names the position to go on from.
func uploadMovedOn(e *Error) bool {
	return e.StatusCode == http.StatusRequestedRangeNotSatisfiable
}

// countingReader counts the bytes the transport reads, until stop.
type countingReader struct {
	mu       sync.Mutex
	stopped  bool
	r        io.Reader
	res      *UploadResult
	progress func(int64)
}

// errAttemptOver ends a body the transport still reads after its attempt.
var errAttemptOver = errors.New("upload attempt is over")

func (c *countingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return 0, errAttemptOver
	}
	n, err := c.r.Read(p)
	if n > 0 {
		c.res.BytesSent += int64(n)
		if c.progress != nil {
			c.progress(int64(n))
		}
	}
	return n, err
}

// stop waits for a Read in progress and makes every later one fail.
func (c *countingReader) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
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
